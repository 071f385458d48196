package io.memfleet.sql.query;

import com.clickhouse.data.ClickHouseFormat;
import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.SqlEndpoint;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * Runs planner queries on one ClickHouse database (a server or embedded chDB, see
 * {@link SqlEndpoint}): binds the parameters
 * ({@link QueryParameters}) and reads the answer in a text format every supported server has.
 *
 * <pre>{@code
 * QueryRunner runner = new QueryRunner(connection, "memfleet");
 * PlannerQuery q = catalog.get("days_to_oom").orElseThrow();
 * ResultTable t = runner.run(q, Map.of("cluster", "prod-eu"));
 * }</pre>
 */
public final class QueryRunner {
  private final SqlEndpoint ch;
  private final String database;
  private final Clock clock;

  public QueryRunner(SqlEndpoint ch, String database) {
    this(ch, database, Clock.systemUTC());
  }

  public QueryRunner(SqlEndpoint ch, String database, Clock clock) {
    this.ch = Objects.requireNonNull(ch, "ch");
    QueryParameters.checkDatabase(database);
    this.database = database;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The SQL that {@link #run} would send. */
  public String sql(PlannerQuery query, Map<String, String> params) {
    return QueryParameters.bind(query, params, database, clock);
  }

  /** Runs the query and returns its rows. */
  public ResultTable run(PlannerQuery query, Map<String, String> params)
      throws ClickHouseException {
    return ResultTable.fromTabSeparatedWithNames(
        runRaw(query, params, ClickHouseFormat.TabSeparatedWithNames));
  }

  /** Runs the query and returns the server's response body in {@code format} as is. */
  public String runRaw(PlannerQuery query, Map<String, String> params, ClickHouseFormat format)
      throws ClickHouseException {
    // an explicit FORMAT clause: 18.16 answers in plain TabSeparated when the format arrives only
    // as a request setting, which would drop the header line
    return ch.queryText(sql(query, params) + "\nFORMAT " + format.name(), format);
  }
}
