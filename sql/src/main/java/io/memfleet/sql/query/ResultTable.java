package io.memfleet.sql.query;

import io.memfleet.sql.TabSeparated;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rows a planner query returned, with column names, as text cells (NULL as {@code null}) —
 * read from ClickHouse's {@code TabSeparatedWithNames} format, which every supported server has.
 *
 * <pre>{@code
 * ResultTable t = ResultTable.fromTabSeparatedWithNames(body);
 * t.column("days_to_oom");     // index of a column
 * System.out.print(t.render()); // aligned text table
 * }</pre>
 */
public record ResultTable(List<String> columns, List<List<String>> rows) {
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?"
      + "|-?inf|nan");

  public ResultTable {
    columns = List.copyOf(columns);
    List<List<String>> copy = new ArrayList<>();
    for (List<String> row : rows) {
      if (row.size() != columns.size()) {
        throw new IllegalArgumentException("row has " + row.size() + " cells, header has "
            + columns.size() + ": " + row);
      }
      copy.add(java.util.Collections.unmodifiableList(new ArrayList<>(row)));
    }
    rows = List.copyOf(copy);
  }

  /** Parses a {@code TabSeparatedWithNames} response body. */
  public static ResultTable fromTabSeparatedWithNames(String body) {
    String[] lines = body.split("\n", -1);
    if (lines.length == 0 || lines[0].isEmpty()) {
      throw new IllegalArgumentException("no header line in the response");
    }
    List<String> columns = cells(lines[0]);
    List<List<String>> rows = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (!lines[i].isEmpty() || columns.size() == 1 && i < lines.length - 1) {
        rows.add(cells(lines[i]));
      }
    }
    return new ResultTable(columns, rows);
  }

  private static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    for (String cell : line.split("\t", -1)) {
      cells.add(TabSeparated.unescape(cell));
    }
    return cells;
  }

  /** Index of the column called {@code name}. */
  public int column(String name) {
    int i = columns.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no column " + name + " in " + columns);
    }
    return i;
  }

  /** The cells of column {@code name}, top to bottom. */
  public List<String> values(String name) {
    int i = column(name);
    List<String> out = new ArrayList<>();
    for (List<String> row : rows) {
      out.add(row.get(i));
    }
    return out;
  }

  /**
   * An aligned text table: header, a rule, one line per row; numeric columns right-aligned, NULL
   * shown as {@code NULL}, line breaks inside cells shown as {@code \n}.
   */
  public String render() {
    int n = columns.size();
    int[] width = new int[n];
    boolean[] numeric = new boolean[n];
    for (int c = 0; c < n; c++) {
      width[c] = columns.get(c).length();
      numeric[c] = !rows.isEmpty();
      for (List<String> row : rows) {
        String v = row.get(c);
        width[c] = Math.max(width[c], shown(v).codePointCount(0, shown(v).length()));
        numeric[c] &= v == null || NUMBER.matcher(v).matches();
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, columns, width, new boolean[n]);
    for (int c = 0; c < n; c++) {
      out.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
    }
    out.append('\n');
    for (List<String> row : rows) {
      line(out, row, width, numeric);
    }
    out.append('(').append(rows.size()).append(rows.size() == 1 ? " row)" : " rows)").append('\n');
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> cells, int[] width, boolean[] right) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      String v = shown(cells.get(c));
      String pad = " ".repeat(width[c] - v.codePointCount(0, v.length()));
      line.append(c == 0 ? "" : "  ").append(right[c] ? pad + v : v + pad);
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }

  private static String shown(String v) {
    return v == null ? "NULL" : v.replace("\n", "\\n").replace("\t", "\\t");
  }
}
