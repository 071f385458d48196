package io.memfleet.launcher;

import java.io.PrintStream;
import java.util.List;

/** Prints rows as an aligned text table (cells longer than 60 characters are cut). */
final class TextTable {
  private static final int MAX_CELL = 60;

  private TextTable() {}

  static void print(PrintStream out, List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      width[i] = header.get(i).length();
    }
    for (List<String> row : rows) {
      for (int i = 0; i < row.size() && i < width.length; i++) {
        width[i] = Math.max(width[i], cell(row.get(i)).length());
      }
    }
    line(out, header, width);
    StringBuilder rule = new StringBuilder();
    for (int w : width) {
      rule.append("-".repeat(w)).append("  ");
    }
    out.println(rule.toString().stripTrailing());
    rows.forEach(row -> line(out, row, width));
    out.println("(" + rows.size() + " rows)");
  }

  private static String cell(String value) {
    String v = value == null ? "" : value.replace('\n', ' ');
    return v.length() <= MAX_CELL ? v : v.substring(0, MAX_CELL - 1) + "…";
  }

  private static void line(PrintStream out, List<String> cells, int[] width) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < width.length; i++) {
      String c = i < cells.size() ? cell(cells.get(i)) : "";
      s.append(c).append(" ".repeat(width[i] - c.length())).append("  ");
    }
    out.println(s.toString().stripTrailing());
  }
}
