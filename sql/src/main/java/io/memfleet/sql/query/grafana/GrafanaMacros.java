package io.memfleet.sql.query.grafana;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the {@code rawSql} of a memfleet Grafana panel into the plain SQL that Grafana and the
 * {@code grafana-clickhouse-datasource} plugin would send for a given time range and variable
 * selection — so the dashboards shipped as JSON can be run against a real ClickHouse in tests.
 *
 * <p>Two steps, in Grafana's order: (1) dashboard variables — {@code $name}, {@code ${name}},
 * {@code ${name:singlequote}}, {@code ${name:sqlstring}}, {@code ${name:csv}},
 * {@code ${name:raw}}; (2) the plugin's macros — {@code $__timeFilter(col)},
 * {@code $__timeFilter_ms(col)}, {@code $__dateFilter(col)}, {@code $__dateTimeFilter(d, t)}
 * (alias {@code $__dt}), {@code $__fromTime}, {@code $__toTime}, {@code $__fromTime_ms},
 * {@code $__toTime_ms}, {@code $__timeInterval(col)}, {@code $__timeInterval_ms(col)},
 * {@code $__interval_s}, expanded as the plugin documents them (times as
 * {@code toDateTime(epochSeconds)}). A reference to an unknown variable or macro is an error, so a
 * typo in a dashboard fails its test instead of reaching Grafana.
 *
 * <p>Note for dashboard authors: {@code $__timeInterval} expands to {@code toStartOfInterval},
 * which ClickHouse 18.16 lacks; memfleet panels bucket with
 * {@code intDiv(toUInt32(t), $__interval_s) * $__interval_s} instead.
 *
 * <pre>{@code
 * GrafanaMacros m = GrafanaMacros.builder()
 *     .timeRange(Instant.parse("2026-01-05T00:00:00Z"), Instant.parse("2026-01-07T00:00:00Z"))
 *     .intervalSeconds(600)
 *     .variable("database", "memfleet")
 *     .variable("cluster", List.of("prod-eu", "prod-us"))
 *     .build();
 * String sql = m.expand(target.rawSql);
 * }</pre>
 */
public final class GrafanaMacros {
  private static final Pattern VARIABLE = Pattern.compile(
      "\\$\\{([A-Za-z0-9_]+)(?::([A-Za-z]+))?\\}|\\$([A-Za-z0-9_]+)");
  private static final Pattern MACRO = Pattern.compile("\\$__([A-Za-z_]+)");

  private final Instant from;
  private final Instant to;
  private final long intervalSeconds;
  private final Map<String, List<String>> variables;

  private GrafanaMacros(Builder b) {
    this.from = b.from;
    this.to = b.to;
    this.intervalSeconds = b.intervalSeconds;
    this.variables = Map.copyOf(b.variables);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Expands variables, then macros.
   *
   * @throws IllegalArgumentException for an unknown variable, macro or format, or bad arguments
   */
  public String expand(String rawSql) {
    return expandMacros(expandVariables(rawSql));
  }

  /** Step 1: dashboard variables; {@code $__…} names are left for step 2. */
  public String expandVariables(String sql) {
    Matcher m = VARIABLE.matcher(sql);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(3);
      if (name.startsWith("__")) {
        m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
        continue;
      }
      List<String> values = variables.get(name);
      if (values == null) {
        throw new IllegalArgumentException("unknown dashboard variable $" + name);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(format(name, values, m.group(2))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String format(String name, List<String> values, String format) {
    if (format == null || format.equals("raw")) {
      return values.size() == 1 ? values.get(0) : "{" + String.join(",", values) + "}";
    }
    List<String> out = new ArrayList<>();
    for (String v : values) {
      out.add(switch (format) {
        case "singlequote" -> "'" + v.replace("'", "\\'") + "'";
        case "sqlstring" -> "'" + v.replace("'", "''") + "'";
        case "doublequote" -> "\"" + v.replace("\"", "\\\"") + "\"";
        case "csv" -> v;
        default -> throw new IllegalArgumentException("unsupported format ${" + name + ":"
            + format + "}");
      });
    }
    return String.join(",", out);
  }

  /** Step 2: the ClickHouse plugin's macros. */
  public String expandMacros(String sql) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    Matcher m = MACRO.matcher(sql);
    while (m.find(i)) {
      out.append(sql, i, m.start());
      String macro = m.group(1);
      int end = m.end();
      List<String> args = List.of();
      if (takesArguments(macro)) {
        int close = closingParen(sql, end, macro);
        args = splitArgs(sql.substring(end + 1, close));
        end = close + 1;
      }
      out.append(expandMacro(macro, args));
      i = end;
    }
    out.append(sql.substring(i));
    return out.toString();
  }

  private static boolean takesArguments(String macro) {
    return switch (macro) {
      case "timeFilter", "timeFilter_ms", "dateFilter", "dateTimeFilter", "dt", "timeInterval",
          "timeInterval_ms" -> true;
      default -> false;
    };
  }

  private String expandMacro(String macro, List<String> args) {
    String f = "toDateTime(" + from.getEpochSecond() + ")";
    String t = "toDateTime(" + to.getEpochSecond() + ")";
    String fMs = "fromUnixTimestamp64Milli(" + from.toEpochMilli() + ")";
    String tMs = "fromUnixTimestamp64Milli(" + to.toEpochMilli() + ")";
    return switch (macro) {
      case "fromTime" -> f;
      case "toTime" -> t;
      case "fromTime_ms" -> fMs;
      case "toTime_ms" -> tMs;
      case "interval_s" -> Long.toString(Math.max(intervalSeconds, 1));
      case "timeFilter" -> range(one(macro, args), f, t);
      case "timeFilter_ms" -> range(one(macro, args), fMs, tMs);
      case "dateFilter" -> range(one(macro, args), day(from), day(to));
      case "dateTimeFilter", "dt" -> {
        if (args.size() != 2) {
          throw new IllegalArgumentException("$__" + macro + " takes 2 arguments, got " + args);
        }
        yield "(" + range(args.get(0), day(from), day(to)) + ") AND ("
            + range(args.get(1), f, t) + ")";
      }
      case "timeInterval" -> "toStartOfInterval(toDateTime(" + one(macro, args) + "), INTERVAL "
          + Math.max(intervalSeconds, 1) + " second)";
      case "timeInterval_ms" -> "toStartOfInterval(toDateTime64(" + one(macro, args)
          + ", 3), INTERVAL " + Math.max(intervalSeconds * 1000, 1) + " millisecond)";
      default -> throw new IllegalArgumentException("unknown macro $__" + macro);
    };
  }

  private static String range(String column, String low, String high) {
    return column + " >= " + low + " AND " + column + " <= " + high;
  }

  private static String day(Instant t) {
    return "toDate('" + LocalDate.ofInstant(t, ZoneOffset.UTC) + "')";
  }

  private static String one(String macro, List<String> args) {
    if (args.size() != 1) {
      throw new IllegalArgumentException("$__" + macro + " takes 1 argument, got " + args);
    }
    return args.get(0);
  }

  private static int closingParen(String sql, int open, String macro) {
    if (open >= sql.length() || sql.charAt(open) != '(') {
      throw new IllegalArgumentException("$__" + macro + " needs (arguments)");
    }
    int depth = 0;
    for (int i = open; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    throw new IllegalArgumentException("$__" + macro + "( is not closed");
  }

  private static List<String> splitArgs(String inside) {
    List<String> args = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < inside.length(); i++) {
      char c = inside.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        args.add(inside.substring(start, i).strip());
        start = i + 1;
      }
    }
    String last = inside.substring(start).strip();
    if (!last.isEmpty() || !args.isEmpty()) {
      args.add(last);
    }
    return args;
  }

  /** Validating builder: a time range is required; the interval defaults to 60 s. */
  public static final class Builder {
    private Instant from;
    private Instant to;
    private long intervalSeconds = 60;
    private final Map<String, List<String>> variables = new LinkedHashMap<>();

    private Builder() {}

    public Builder timeRange(Instant from, Instant to) {
      this.from = Objects.requireNonNull(from, "from");
      this.to = Objects.requireNonNull(to, "to");
      return this;
    }

    /** What Grafana computed as {@code $__interval} for the panel width, in seconds. */
    public Builder intervalSeconds(long seconds) {
      this.intervalSeconds = seconds;
      return this;
    }

    /** A single-valued variable. */
    public Builder variable(String name, String value) {
      return variable(name, List.of(value));
    }

    /** A multi-valued variable (e.g. "All" selected). */
    public Builder variable(String name, List<String> values) {
      if (values.isEmpty()) {
        throw new IllegalArgumentException("variable " + name + " needs at least one value");
      }
      variables.put(Objects.requireNonNull(name, "name"), List.copyOf(values));
      return this;
    }

    public GrafanaMacros build() {
      if (from == null || to == null) {
        throw new IllegalStateException("timeRange(from, to) is required");
      }
      if (!from.isBefore(to)) {
        throw new IllegalArgumentException("time range must run forward: " + from + " .. " + to);
      }
      if (intervalSeconds <= 0) {
        throw new IllegalArgumentException("interval must be positive: " + intervalSeconds);
      }
      return new GrafanaMacros(this);
    }
  }
}
