package io.memfleet.sql.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL of a planner query cut into plain text and the places values go: {@code {name:Type}}
 * placeholders (ClickHouse's own query-parameter syntax) and {@code ${database}}.
 *
 * <p>Only SQL code is scanned: text inside string literals, quoted identifiers and comments is
 * left alone, so a placeholder-looking string in a literal is never substituted, and a
 * {@code '{'} in code that is not a well-formed placeholder is an error rather than something
 * passed through.
 *
 * <pre>{@code
 * SqlTemplate t = SqlTemplate.parse("SELECT * FROM ${database}.alerts WHERE rule = {rule:String}");
 * t.placeholders();   // [rule:String]
 * t.render(p -> "'live-set-growth'", "memfleet");
 * }</pre>
 */
public final class SqlTemplate {
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*):([A-Za-z0-9]+)\\}");
  private static final String DATABASE = "${database}";

  /** A placeholder found in the SQL. */
  public record Placeholder(String name, String typeName) {
    @Override
    public String toString() {
      return name + ":" + typeName;
    }
  }

  private sealed interface Part permits Text, Slot, Database {}

  private record Text(String sql) implements Part {}

  private record Slot(Placeholder placeholder) implements Part {}

  private record Database() implements Part {}

  private final List<Part> parts;

  private SqlTemplate(List<Part> parts) {
    this.parts = parts;
  }

  /**
   * Scans {@code sql}.
   *
   * @throws IllegalArgumentException for an unterminated literal/comment or a malformed placeholder
   */
  public static SqlTemplate parse(String sql) {
    List<Part> parts = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        int end = endOfQuoted(sql, i, c);
        text.append(sql, i, end);
        i = end;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
        text.append(sql, i, end);
        i = end;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int end = sql.indexOf("*/", i + 2);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated /* comment at offset " + i);
        }
        text.append(sql, i, end + 2);
        i = end + 2;
      } else if (c == '{') {
        Matcher m = PLACEHOLDER.matcher(sql).region(i, n);
        if (!m.lookingAt()) {
          throw new IllegalArgumentException("malformed placeholder at offset " + i + " (line "
              + line(sql, i) + "): expected {name:Type}");
        }
        flush(parts, text);
        parts.add(new Slot(new Placeholder(m.group(1), m.group(2))));
        i = m.end();
      } else if (c == '$' && sql.startsWith(DATABASE, i)) {
        flush(parts, text);
        parts.add(new Database());
        i += DATABASE.length();
      } else {
        text.append(c);
        i++;
      }
    }
    flush(parts, text);
    return new SqlTemplate(List.copyOf(parts));
  }

  /** Every placeholder in order of appearance (repeats included). */
  public List<Placeholder> placeholders() {
    List<Placeholder> out = new ArrayList<>();
    for (Part p : parts) {
      if (p instanceof Slot s) {
        out.add(s.placeholder());
      }
    }
    return out;
  }

  /**
   * The SQL with every placeholder replaced by {@code literals.apply(placeholder)} and every
   * {@code ${database}} by {@code database}. Callers pass only literals they built from validated
   * values and a database name they validated.
   */
  public String render(Function<Placeholder, String> literals, String database) {
    StringBuilder out = new StringBuilder();
    for (Part p : parts) {
      if (p instanceof Text t) {
        out.append(t.sql());
      } else if (p instanceof Slot s) {
        out.append(literals.apply(s.placeholder()));
      } else {
        out.append(database);
      }
    }
    return out.toString();
  }

  /** Renders with literals looked up by placeholder name. */
  public String render(Map<String, String> literalsByName, String database) {
    return render(p -> literalsByName.get(p.name()), database);
  }

  private static void flush(List<Part> parts, StringBuilder text) {
    if (!text.isEmpty()) {
      parts.add(new Text(text.toString()));
      text.setLength(0);
    }
  }

  /** Index just past the closing quote; backslash escapes and doubled quotes stay inside. */
  private static int endOfQuoted(String sql, int start, char quote) {
    int i = start + 1;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    throw new IllegalArgumentException("unterminated " + quote + " quote starting on line "
        + line(sql, start));
  }

  private static int line(String sql, int offset) {
    int line = 1;
    for (int i = 0; i < offset && i < sql.length(); i++) {
      if (sql.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }
}
