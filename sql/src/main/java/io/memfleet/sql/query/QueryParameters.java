package io.memfleet.sql.query;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Binds parameter values to a planner query and returns SQL ready to run.
 *
 * <p><b>Why the client binds.</b> ClickHouse's server-side query parameters ({@code {name:Type}}
 * in the SQL, values sent separately) arrived in release 19; memfleet also runs on 18.16, which
 * has none. So the query files use ClickHouse's placeholder syntax (the same files work with
 * server-side parameters on new servers) and this class substitutes them — but never by pasting
 * input into SQL. Each value is parsed as its declared type first and the literal is written from
 * the parsed value ({@link ParameterType#literal}): numbers and times are re-printed from numbers,
 * strings are escaped character by character (quote, backslash, control characters; NUL refused).
 * Only placeholders in SQL code are replaced, never text inside literals or comments
 * ({@link SqlTemplate}). The database name must be a plain identifier. No user text reaches the
 * SQL unvalidated.
 *
 * <pre>{@code
 * String sql = QueryParameters.bind(catalog.get("days_to_oom"),
 *     Map.of("cluster", "prod-eu", "from", "now-1d"), "memfleet");
 * }</pre>
 *
 * <p>Unknown parameters and missing required ones are errors naming the parameter.
 */
public final class QueryParameters {
  private static final Pattern DATABASE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  private QueryParameters() {}

  /** Binds with the system clock (for {@code now}/{@code today} values). */
  public static String bind(PlannerQuery query, Map<String, String> values, String database) {
    return bind(query, values, database, Clock.systemUTC());
  }

  /**
   * Returns the query's SQL with every placeholder replaced by a typed literal of its value (the
   * given one, else the declared default) and {@code ${database}} by {@code database}.
   *
   * @throws QueryParameterException for an unknown, missing or invalid parameter
   * @throws IllegalArgumentException for a database name that is not a plain identifier
   */
  public static String bind(PlannerQuery query, Map<String, String> values, String database,
      Clock clock) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(clock, "clock");
    checkDatabase(database);
    for (String given : values.keySet()) {
      if (query.parameter(given).isEmpty()) {
        throw new QueryParameterException(given, "is not a parameter of " + query.name()
            + " (it has: " + names(query.parameters()) + ")");
      }
    }
    Map<String, String> literals = new HashMap<>();
    for (QueryParameter p : query.parameters()) {
      String value = values.containsKey(p.name()) ? values.get(p.name())
          : p.defaultValue().orElseThrow(() -> new QueryParameterException(p.name(),
              "is required by " + query.name() + " (" + p.type().clickHouseName() + ": "
                  + p.description() + ")"));
      literals.put(p.name(), p.type().literal(p.name(), value, clock));
    }
    return query.template().render(literals, database);
  }

  /**
   * Parses {@code name=value} arguments (as given to {@code --param}) into a map; a name given
   * twice is an error.
   */
  public static Map<String, String> parseAssignments(List<String> assignments) {
    Map<String, String> values = new HashMap<>();
    for (String a : assignments) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new QueryParameterException(a, "must be given as name=value");
      }
      String name = a.substring(0, eq);
      if (values.put(name, a.substring(eq + 1)) != null) {
        throw new QueryParameterException(name, "is given twice");
      }
    }
    return values;
  }

  static void checkDatabase(String database) {
    if (database == null || !DATABASE.matcher(database).matches()) {
      throw new IllegalArgumentException("database name must be a plain identifier"
          + " ([A-Za-z_][A-Za-z0-9_]*), got " + ParameterType.quoteForMessage(
              String.valueOf(database)));
    }
  }

  private static String names(List<QueryParameter> params) {
    TreeSet<String> names = new TreeSet<>();
    params.forEach(p -> names.add(p.name()));
    return names.isEmpty() ? "no parameters" : String.join(", ", names);
  }
}
