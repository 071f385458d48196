package io.memfleet.launcher.explain;

import io.memfleet.launcher.explain.Explanation.AlertRow;
import io.memfleet.launcher.explain.Explanation.ClockRow;
import io.memfleet.launcher.explain.Explanation.ProcessRef;
import io.memfleet.launcher.explain.Explanation.StackRow;
import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.SqlEndpoint;
import io.memfleet.sql.query.ParameterType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL of {@code memfleet explain}, over the tables the pipeline writes
 * ({@code process_memory_1m}, {@code alerts}, {@code allocations_1m}, {@code allocation_stacks},
 * {@code clock_calibration}).
 * Every value from the command line reaches the SQL as a literal written from a parsed value
 * ({@link ParameterType}); the database name must be an identifier. Written for ClickHouse 18.16
 * and current releases alike: TabSeparated answers, aggregate aliases that never shadow a column
 * (18.16 would read {@code argMax(status, …) AS status} inside other aggregates), the newest
 * version of an alert by {@code argMax} over {@code last_seen_utc_ns} rather than {@code FINAL}.
 *
 * <pre>{@code
 * ExplainQueries q = new ExplainQueries(clickHouse, "memfleet");
 * List<ProcessRef> found = q.processesWithPid(4242, null, null);
 * List<BreakdownSample> samples = q.samples(found.get(0), Duration.ofMinutes(30));
 * }</pre>
 */
public final class ExplainQueries {
  /** How far back a pid is looked for. */
  public static final Duration PID_LOOKBACK = Duration.ofHours(24);
  private static final Clock CLOCK = Clock.systemUTC();

  private final SqlEndpoint ch;
  private final String db;

  public ExplainQueries(SqlEndpoint ch, String database) {
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("--database must be an identifier: " + database);
    }
    this.ch = ch;
    this.db = database;
  }

  private static String string(String name, String value) {
    return ParameterType.STRING.literal(name, value, CLOCK);
  }

  private static String identity(String cluster, String node, long pid, long startMs) {
    return "cluster = " + string("cluster", cluster) + " AND node = " + string("node", node)
        + " AND pid = " + pid + " AND process_start_ms = " + startMs;
  }

  private static String identity(ProcessRef p) {
    return identity(p.cluster(), p.node(), p.pid(), p.processStartMs());
  }

  private String processes(String where, int limit) {
    return "SELECT cluster, node, toString(pid), toString(process_start_ms),"
        + " argMax(service, window_start), argMax(comm, window_start),"
        + " argMax(runtime, window_start), toUInt32(max(window_start)) AS last"
        + " FROM " + db + ".process_memory_1m WHERE " + where
        + " GROUP BY cluster, node, pid, process_start_ms"
        + " ORDER BY last DESC, process_start_ms DESC LIMIT " + limit;
  }

  private static ProcessRef process(List<String> r) {
    return new ProcessRef(r.get(0), r.get(1), Long.parseLong(r.get(2)), Long.parseLong(r.get(3)),
        r.get(4), r.get(5), r.get(6), Long.parseLong(r.get(7)));
  }

  /**
   * The processes that had {@code pid} in the last {@link #PID_LOOKBACK}, newest first (at most
   * six); {@code cluster} and {@code node} narrow them when not null.
   */
  public List<ProcessRef> processesWithPid(long pid, String cluster, String node)
      throws ClickHouseException {
    String where = "pid = " + pid + " AND window_start >= now() - INTERVAL "
        + PID_LOOKBACK.toSeconds() + " SECOND"
        + (cluster == null ? "" : " AND cluster = " + string("--cluster", cluster))
        + (node == null ? "" : " AND node = " + string("--node", node));
    return ch.queryTsv(processes(where, 6)).stream().map(ExplainQueries::process).toList();
  }

  /** The process an alert is about, as its newest version names it; empty for an unknown id. */
  public Optional<ProcessRef> processOfAlert(String alertId) throws ClickHouseException {
    List<List<String>> rows = ch.queryTsv("SELECT cluster, node, toString(pid),"
        + " toString(process_start_ms) FROM " + db + ".alerts WHERE alert_id = "
        + string("ALERT_ID", alertId) + " ORDER BY last_seen_utc_ns DESC LIMIT 1");
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    List<String> r = rows.get(0);
    long pid = Long.parseLong(r.get(2));
    long start = Long.parseLong(r.get(3));
    List<List<String>> found = ch.queryTsv(processes(identity(r.get(0), r.get(1), pid, start), 1));
    return Optional.of(found.isEmpty()
        ? new ProcessRef(r.get(0), r.get(1), pid, start, "", "", "", -1)
        : process(found.get(0)));
  }

  /** The process's one-minute rows in the {@code window} up to its newest, oldest first. */
  public List<BreakdownSample> samples(ProcessRef p, Duration window) throws ClickHouseException {
    long to = p.lastWindowEpochSecond();
    long from = to - window.toSeconds();
    String sql = "SELECT toUInt32(window_start), " + String.join(", ", BreakdownSample.COLUMNS)
        + " FROM " + db + ".process_memory_1m WHERE " + identity(p)
        + " AND window_start > toDateTime(" + from + ") AND window_start <= toDateTime(" + to + ")"
        + " ORDER BY window_start";
    List<BreakdownSample> samples = new ArrayList<>();
    for (List<String> r : ch.queryTsv(sql)) {
      Map<String, Long> values = new LinkedHashMap<>();
      for (int i = 0; i < BreakdownSample.COLUMNS.size(); i++) {
        values.put(BreakdownSample.COLUMNS.get(i), Long.parseLong(r.get(i + 1)));
      }
      samples.add(new BreakdownSample(Long.parseLong(r.get(0)), values));
    }
    return samples;
  }

  /**
   * The newest version of each alert of the process that is not RESOLVED, plus {@code alertId}
   * (when not null) whatever its status; newest first, at most 20.
   */
  public List<AlertRow> alerts(ProcessRef p, String alertId) throws ClickHouseException {
    String v = ", last_seen_utc_ns)";
    String sql = "SELECT alert_id, argMax(rule" + v + ", argMax(severity" + v
        + ", argMax(status" + v + " AS st, argMax(pool" + v + ", argMax(verdict" + v
        + ", argMax(summary" + v + ", argMax(top_stack" + v + ", argMax(object_class" + v
        + ", argMax(growth_bytes_per_sec" + v + ", argMax(time_to_oom_sec" + v
        + ", intDiv(max(last_seen_utc_ns), 1000000000) AS seen"
        + " FROM " + db + ".alerts WHERE " + identity(p)
        + " GROUP BY alert_id HAVING st != 'RESOLVED'"
        + (alertId == null ? "" : " OR alert_id = " + string("ALERT_ID", alertId))
        + " ORDER BY seen DESC, alert_id LIMIT 20";
    return ch.queryTsv(sql).stream().map(r -> new AlertRow(r.get(0), r.get(1), r.get(2),
        r.get(3), r.get(4), r.get(5), r.get(6), r.get(7), r.get(8), Double.parseDouble(r.get(9)),
        Double.parseDouble(r.get(10)), Long.parseLong(r.get(11)))).toList();
  }

  /**
   * The newest calibration of each clock of the process's host: its host-wide domains and its own
   * JVM ticks ({@code JFR_TICKS@pid/startMs}), not other processes' ticks; by domain name.
   */
  public List<ClockRow> clocks(ProcessRef p) throws ClickHouseException {
    String v = ", utc_ns)";
    String sql = "SELECT clock_domain, argMax(drift_ppb" + v + ", argMax(error_bound_ns" + v
        + ", argMax(samples" + v + ", toInt64(now()) - intDiv(max(utc_ns), 1000000000) AS age"
        + " FROM " + db + ".clock_calibration WHERE cluster = " + string("cluster", p.cluster())
        + " AND node = " + string("node", p.node())
        + " AND (position(clock_domain, '@') = 0 OR clock_domain = "
        + string("clock_domain", "JFR_TICKS@" + p.pid() + "/" + p.processStartMs()) + ")"
        + " GROUP BY clock_domain ORDER BY clock_domain";
    return ch.queryTsv(sql).stream().map(r -> new ClockRow(r.get(0), Double.parseDouble(r.get(1)),
        Long.parseLong(r.get(2)), Long.parseLong(r.get(3)), Long.parseLong(r.get(4)))).toList();
  }

  /**
   * The process's allocation stacks over the window, most bytes still held first, then most
   * sampled; at most {@code limit}.
   */
  public List<StackRow> stacks(ProcessRef p, Duration window, int limit)
      throws ClickHouseException {
    long to = p.lastWindowEpochSecond();
    String rows = " FROM " + db + ".allocations_1m WHERE " + identity(p)
        + " AND window_start > toDateTime(" + (to - window.toSeconds()) + ")"
        + " AND window_start <= toDateTime(" + to + ")";
    String sql = "SELECT stack_hash, k, cls, held, sampled, arrayStringConcat(stack_frames, '\\n')"
        + " FROM (SELECT stack_hash, any(kind) AS k, any(object_class) AS cls,"
        + " argMax(outstanding_bytes, window_start) AS held, sum(sampled_bytes) AS sampled"
        + rows + " GROUP BY stack_hash) AS s"
        + " LEFT JOIN (SELECT stack_hash, argMax(frames, last_seen) AS stack_frames"
        + " FROM " + db + ".allocation_stacks WHERE stack_hash IN (SELECT stack_hash" + rows + ")"
        + " GROUP BY stack_hash) AS f USING (stack_hash)"
        + " ORDER BY held DESC, sampled DESC, stack_hash LIMIT " + limit;
    return ch.queryTsv(sql).stream().map(r -> new StackRow(Long.parseLong(r.get(0)), r.get(1),
        r.get(2), Long.parseLong(r.get(3)), Long.parseLong(r.get(4)),
        r.get(5).isEmpty() ? List.of() : Arrays.asList(r.get(5).split("\n")))).toList();
  }
}
