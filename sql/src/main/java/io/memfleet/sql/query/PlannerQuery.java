package io.memfleet.sql.query;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One planner question from {@code sql/queries/<name>.sql}: its header (name, the question it
 * answers, typed parameters) and its SQL template.
 *
 * <p>File format — a header of {@code --} comment lines, then the SQL:
 * <pre>
 * -- name: days_to_oom
 * -- answers: At the current growth rate, how many days until each process reaches its limit?
 * -- param: from DateTime default now-1d — start of the trend window
 * -- param: cluster String default '' — only this cluster; empty for every cluster
 * -- param: limit UInt32 default 50 — how many processes to list
 * --
 * -- free notes on method and caveats
 * SELECT … FROM ${database}.process_memory_1m WHERE window_start >= {from:DateTime} …
 * </pre>
 * Parameter types: String, Int64, UInt32, Float64, DateTime, Date. A default is written as a
 * person would type the value ({@code ''} or {@code 'INFO'} for strings); no default = required.
 * {@link #parse} checks that the name matches the file, every placeholder is declared with the
 * same type, and every declared parameter is used.
 */
public record PlannerQuery(String name, String answers, List<QueryParameter> parameters,
    String notes, String sql, SqlTemplate template) {
  private static final Pattern HEADER = Pattern.compile("--\\s*(name|answers|param):\\s*(.*)");
  private static final Pattern PARAM = Pattern.compile(
      "([A-Za-z_][A-Za-z0-9_]*)\\s+([A-Za-z0-9]+)(?:\\s+default\\s+(.*?))?"
          + "\\s+(?:—|-|--)\\s+(.+)");

  public PlannerQuery {
    parameters = List.copyOf(parameters);
  }

  /** The declared parameter called {@code name}. */
  public Optional<QueryParameter> parameter(String name) {
    return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /**
   * Parses a query file.
   *
   * @param fileName e.g. {@code days_to_oom.sql}; the header's name must match it
   * @throws IllegalArgumentException naming the file and the problem
   */
  public static PlannerQuery parse(String fileName, String text) {
    try {
      return parseChecked(fileName, text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(fileName + ": " + e.getMessage(), e);
    }
  }

  private static PlannerQuery parseChecked(String fileName, String text) {
    String name = null;
    String answers = null;
    Map<String, QueryParameter> params = new LinkedHashMap<>();
    StringBuilder notes = new StringBuilder();
    String[] lines = text.replace("\r\n", "\n").split("\n", -1);
    int i = 0;
    for (; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      if (!line.startsWith("--")) {
        break;
      }
      Matcher m = HEADER.matcher(line);
      if (!m.matches()) {
        String note = line.substring(2).strip();
        if (!note.isEmpty() || !notes.isEmpty()) {
          notes.append(note).append('\n');
        }
        continue;
      }
      String value = m.group(2).strip();
      switch (m.group(1)) {
        case "name" -> name = value;
        case "answers" -> answers = value;
        default -> {
          QueryParameter p = parseParam(value, i + 1);
          if (params.put(p.name(), p) != null) {
            throw new IllegalArgumentException("parameter '" + p.name() + "' declared twice");
          }
        }
      }
    }
    String expected = fileName.endsWith(".sql")
        ? fileName.substring(0, fileName.length() - 4) : fileName;
    if (name == null || answers == null || answers.isEmpty()) {
      throw new IllegalArgumentException("header needs '-- name:' and '-- answers:' lines");
    }
    if (!name.equals(expected)) {
      throw new IllegalArgumentException("header name '" + name + "' does not match the file name");
    }
    String sql = String.join("\n", java.util.Arrays.copyOfRange(lines, i, lines.length)).strip();
    if (sql.isEmpty()) {
      throw new IllegalArgumentException("no SQL after the header");
    }
    if (sql.endsWith(";")) {
      sql = sql.substring(0, sql.length() - 1).strip();
    }
    SqlTemplate template = SqlTemplate.parse(sql);
    checkPlaceholders(template, params);
    return new PlannerQuery(name, answers, new ArrayList<>(params.values()),
        notes.toString().strip(), sql, template);
  }

  private static QueryParameter parseParam(String spec, int line) {
    Matcher m = PARAM.matcher(spec);
    if (!m.matches()) {
      throw new IllegalArgumentException("line " + line + ": expected '-- param: NAME Type"
          + " [default VALUE] — meaning', got '" + spec + "'");
    }
    ParameterType type = ParameterType.named(m.group(2)).orElseThrow(() ->
        new IllegalArgumentException("line " + line + ": unknown type '" + m.group(2)
            + "' (String, Int64, UInt32, Float64, DateTime, Date)"));
    Optional<String> def = Optional.ofNullable(m.group(3)).map(String::strip).map(d ->
        d.length() >= 2 && d.startsWith("'") && d.endsWith("'") ? d.substring(1, d.length() - 1)
            : d);
    return new QueryParameter(m.group(1), type, def, m.group(4).strip());
  }

  private static void checkPlaceholders(SqlTemplate template, Map<String, QueryParameter> params) {
    Set<String> used = new LinkedHashSet<>();
    for (SqlTemplate.Placeholder p : template.placeholders()) {
      QueryParameter declared = params.get(p.name());
      if (declared == null) {
        throw new IllegalArgumentException("placeholder {" + p + "} has no '-- param: "
            + p.name() + "' line");
      }
      if (!declared.type().clickHouseName().equals(p.typeName())) {
        throw new IllegalArgumentException("placeholder {" + p + "} does not match the declared"
            + " type " + declared.type().clickHouseName());
      }
      used.add(p.name());
    }
    for (String declared : params.keySet()) {
      if (!used.contains(declared)) {
        throw new IllegalArgumentException("parameter '" + declared + "' is declared but the SQL"
            + " never uses it");
      }
    }
  }
}
