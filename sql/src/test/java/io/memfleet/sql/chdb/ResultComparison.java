package io.memfleet.sql.chdb;

import io.memfleet.sql.query.ResultTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Compares what the 18.16 server and ClickHouse 26.x answered to the same query on the same data.
 * Column names, row counts, text, dates, integers and NULLs must be identical; exactly these
 * differences are allowed, each for a reason found by running both:
 *
 * <ol>
 *   <li><b>Order among ties.</b> Rows may come in a different order only where the query's final
 *       {@code ORDER BY} does not decide it: within a run of rows whose ORDER BY columns are equal
 *       (e.g. the series of one time bucket of a timeseries panel, {@code ORDER BY time}). With no
 *       ORDER BY, the whole result is one such run. ClickHouse leaves that order to its parallel
 *       pipeline, which differs between releases. If an ORDER BY term is not a plain result
 *       column the order is compared strictly.
 *   <li><b>Float last digits.</b> Two cells that both read as numbers may differ by
 *       {@link #RELATIVE_TOLERANCE} of their magnitude ({@link #ABSOLUTE_TOLERANCE} near 0):
 *       Float64 sums, averages and {@code covarPop}/{@code varPop} are accumulated in a different
 *       order by the two pipelines. Measured on the planner seed: at most 2.6e-7 relative, in
 *       {@code top_memory_growth.growth_bytes_per_hour} (a slope over epoch seconds, where
 *       {@code varPop} cancels ~9 digits), and ±1 in a {@code round()}ed average.
 *   <li><b>Approximate quantiles.</b> Columns listed in {@link #APPROXIMATE} come from
 *       ClickHouse's {@code quantile} (reservoir sampling, documented as approximate and
 *       dependent on processing order) and may differ by that column's relative tolerance.
 * </ol>
 */
final class ResultComparison {
  static final double RELATIVE_TOLERANCE = 1e-6;
  static final double ABSOLUTE_TOLERANCE = 1e-9;
  /** Column name → allowed relative difference, for {@code quantile(…)} results. */
  static final Map<String, Double> APPROXIMATE = Map.of(
      "pause_p50_ms", 0.05,
      "pause_p99_ms", 0.05);

  private ResultComparison() {}

  /**
   * Every difference between the two answers to {@code sql}, one line each (at most 20); empty
   * when they agree.
   */
  static List<String> differences(String what, String sql, ResultTable reference,
      ResultTable modern) {
    List<String> out = new ArrayList<>();
    List<String> columns = reference.columns();
    if (!columns.equals(modern.columns())) {
      out.add(what + ": columns " + columns + " on 18.16 but " + modern.columns() + " on 26.x");
      return out;
    }
    if (reference.rows().size() != modern.rows().size()) {
      out.add(what + ": " + reference.rows().size() + " rows on 18.16 but "
          + modern.rows().size() + " on 26.x");
      return out;
    }
    List<Integer> keys = orderByColumns(sql, columns);
    List<List<String>> a = reference.rows();
    List<List<String>> b = modern.rows();
    int start = 0;
    while (start < a.size() && out.size() < 20) {
      int end = start + 1;
      while (end < a.size() && sameKey(keys, a.get(start), a.get(end), columns)) {
        end++;
      }
      if (end - start == 1 || keys == null) {
        for (int r = start; r < end; r++) {
          compareRow(what, r, a.get(r), b.get(r), columns, out);
        }
      } else {
        compareRun(what, start, a.subList(start, end), b.subList(start, end), columns, out);
      }
      start = end;
    }
    return out;
  }

  private static void compareRow(String what, int r, List<String> x, List<String> y,
      List<String> columns, List<String> out) {
    for (int c = 0; c < columns.size(); c++) {
      if (!sameCell(columns.get(c), x.get(c), y.get(c))) {
        out.add(what + ": row " + r + " column " + columns.get(c) + ": '" + x.get(c)
            + "' on 18.16 but '" + y.get(c) + "' on 26.x");
      }
    }
  }

  /** Rows tied on the ORDER BY: the same rows in any order. */
  private static void compareRun(String what, int first, List<List<String>> x,
      List<List<String>> y, List<String> columns, List<String> out) {
    List<List<String>> unmatched = new ArrayList<>(y);
    for (List<String> row : x) {
      int hit = -1;
      for (int i = 0; i < unmatched.size() && hit < 0; i++) {
        if (sameRow(row, unmatched.get(i), columns)) {
          hit = i;
        }
      }
      if (hit < 0) {
        out.add(what + ": rows " + first + ".." + (first + x.size() - 1) + " (tied on the ORDER BY)"
            + " on 18.16 include " + row + ", not found among them on 26.x: " + unmatched);
        return;
      }
      unmatched.remove(hit);
    }
  }

  private static boolean sameRow(List<String> x, List<String> y, List<String> columns) {
    for (int c = 0; c < columns.size(); c++) {
      if (!sameCell(columns.get(c), x.get(c), y.get(c))) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameKey(List<Integer> keys, List<String> x, List<String> y,
      List<String> columns) {
    if (keys == null) {
      return false;
    }
    for (int c : keys) {
      if (!Objects.equals(x.get(c), y.get(c))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Indexes of the result columns of the final top-level ORDER BY of {@code sql}; empty list when
   * there is no ORDER BY (every row ties); null when a term is not a plain result column.
   */
  static List<Integer> orderByColumns(String sql, List<String> columns) {
    String text = sql.replaceAll("--[^\n]*", " ");
    int depth = 0;
    int at = -1;
    String upper = text.toUpperCase(Locale.ROOT);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (depth == 0 && upper.startsWith("ORDER BY", i)) {
        at = i + "ORDER BY".length();
      }
    }
    if (at < 0) {
      return List.of();
    }
    String clause = text.substring(at).split("(?i)\\b(LIMIT|FORMAT|SETTINGS)\\b")[0];
    List<Integer> keys = new ArrayList<>();
    for (String term : clause.split(",")) {
      String name = term.trim().replaceAll("(?i)\\s+(ASC|DESC)(\\s+NULLS\\s+(FIRST|LAST))?$", "")
          .replace("`", "").trim();
      int c = columns.indexOf(name);
      if (c < 0) {
        return null;
      }
      keys.add(c);
    }
    return keys;
  }

  static boolean sameCell(String column, String a, String b) {
    if (Objects.equals(a, b)) {
      return true;
    }
    Double x = number(a);
    Double y = number(b);
    if (x == null || y == null) {
      return false;
    }
    if (x.isNaN() || y.isNaN() || x.isInfinite() || y.isInfinite()) {
      return x.equals(y);
    }
    double relative = APPROXIMATE.getOrDefault(column, RELATIVE_TOLERANCE);
    double scale = Math.max(Math.abs(x), Math.abs(y));
    return Math.abs(x - y) <= Math.max(ABSOLUTE_TOLERANCE, relative * scale);
  }

  private static Double number(String s) {
    if (s == null) {
      return null;
    }
    switch (s) {
      case "inf", "+inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "nan", "-nan" -> {
        return Double.NaN;
      }
      default -> { }
    }
    if (!s.matches("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
      return null;
    }
    return Double.parseDouble(s);
  }
}
