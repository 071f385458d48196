package io.memfleet.bench.clickhouse;

import java.util.ArrayList;
import java.util.List;

/**
 * The SQL that generates a fleet's history inside ClickHouse ({@code INSERT … SELECT} from
 * {@code numbers()}), shaped like what the pipeline writes: the same processes, with the same
 * identity, in every table.
 *
 * <p>Process {@code p} of {@code P} belongs to service {@code p % S} (runtime JVM, GO or NATIVE by
 * service) in cluster {@code (p / S) % C}, restarts every 1–4 days (new pid and start time), and
 * behaves by {@code p % 10}: 0–1 heap leak, 2 native leak, 3 goroutine/thread leak, the rest
 * healthy (daily cycle and jitter). Leakers grow from 35 % to 95 % of their cgroup limit over one
 * lifetime, then are OOM-killed; every eighth process has no limit. Values are deterministic
 * functions of the row number, so a run is reproducible.
 *
 * <pre>{@code
 * HistoryShape shape = new HistoryShape("bench_history", startEpochSec, 500, 50, 4);
 * String sql = shape.processWindows("process_memory_1m", 60, 0, 1440);  // the first day
 * }</pre>
 */
final class HistoryShape {
  static final int STACKS_PER_SERVICE = 16;
  private static final String WINDOW_COLUMNS = "window_start, window_end, cluster, node, service,"
      + " namespace, pod, container, pid, process_start_ms, comm, runtime, rss_max, rss_avg,"
      + " rss_last, managed_used_max, managed_committed_max, managed_limit, heap_after_gc_min,"
      + " native_max, native_last, cgroup_usage_max, cgroup_limit, threads_max, goroutines_max,"
      + " gc_count, gc_pause_total_ns, gc_pause_p50_ns, gc_pause_p99_ns, gc_pause_max_ns,"
      + " gc_cpu_fraction, alloc_bytes, samples, batch_id";

  private final String database;
  private final long startSec;
  private final int processes;
  private final int services;
  private final int clusters;

  HistoryShape(String database, long startSec, int processes, int services, int clusters) {
    this.database = database;
    this.startSec = startSec;
    this.processes = processes;
    this.services = services;
    this.clusters = clusters;
  }

  /**
   * The per-process attributes for rows numbered {@code [offset, offset + count)}, where
   * {@code tExpr} gives each row's time in seconds after the start from {@code number}. Columns:
   * {@code n, p, t, s, c, k, rt, lim, life, age, inc, start_s} plus identity strings
   * {@code cl, svc, nd, pd, pid_, comm_, rt_name} and the measures {@code base, growth}.
   */
  private String processRows(String tExpr, long offset, long count) {
    String clusterNames = clusterNames();
    return """
        SELECT n, p, t, s, c, k, rt, lim, life, age, inc, start_s,
          arrayElement(%1$s, c + 1) AS cl,
          concat('svc-', toString(s)) AS svc,
          concat(cl, '-node-', toString(intDiv(p, 4))) AS nd,
          concat(svc, '-', toString(p), '-', toString(inc %% 1000)) AS pd,
          toUInt32(1000 + (p * 131 + inc * 7919) %% 60000) AS pid_,
          arrayElement(['java', 'server', 'nativesvc'], rt + 1) AS comm_,
          arrayElement(['JVM', 'GO', 'NATIVE'], rt + 1) AS rt_name,
          if(lim > 0, lim * 0.35, 805306368.0) AS base,
          if(k < 3, if(lim > 0, lim * 0.6, 1073741824.0) * age / life, 0.0) AS growth
        FROM (
          SELECT n, p, t, s, c, k, rt, lim, life,
            (intDiv(t, 60) + phase) %% life AS age,
            intDiv(intDiv(t, 60) + phase, life) AS inc,
            %2$d + (inc * life - phase) * 60 AS start_s
          FROM (
            SELECT n, p, t,
              p %% %3$d AS s,
              intDiv(p, %3$d) %% %4$d AS c,
              p %% 10 AS k,
              s %% 3 AS rt,
              if(p %% 8 = 7, 0, (1 + p %% 4) * 1073741824) AS lim,
              toInt64(1440 * (1 + intHash32(p) %% 4) + (p %% 97) * 10) AS life,
              toInt64(intHash32(p + 1000003) %% life) AS phase
            FROM (
              SELECT toInt64(number) AS n, toInt64(number %% %5$d) AS p, toInt64(%6$s) AS t
              FROM numbers(%7$d, %8$d)
            )
          )
        )""".formatted(clusterNames, startSec, services, clusters, processes, tExpr, offset, count);
  }

  private String clusterNames() {
    List<String> names = new ArrayList<>();
    String[] regions = {"eu", "us", "ap", "sa"};
    for (int i = 0; i < clusters; i++) {
      names.add("'prod-" + regions[i % regions.length] + "-" + (i / regions.length + 1) + "'");
    }
    return "[" + String.join(", ", names) + "]";
  }

  /**
   * {@code process_memory_1m} / {@code process_memory_10s} rows for {@code windows} windows of
   * {@code stepSec} seconds, starting at window {@code firstWindow}, for every process.
   */
  String processWindows(String table, int stepSec, long firstWindow, long windows) {
    String t = "intDiv(number, " + processes + ") * " + stepSec;
    int gcMax = stepSec >= 60 ? 8 : 2;
    return "INSERT INTO " + database + "." + table + " (" + WINDOW_COLUMNS + ")\n" + """
        SELECT
          toDateTime(%1$d + t) AS o_ws, toDateTime(%1$d + t + %2$d) AS o_we,
          cl AS o_cl, nd AS o_nd, svc AS o_svc, concat('ns-', toString(s %% 5)) AS o_ns,
          pd AS o_pd, svc AS o_container, pid_ AS o_pid,
          toInt64(start_s * 1000 + p %% 1000) AS o_st,
          comm_ AS o_comm, rt_name AS o_rt,
          toInt64(rss) AS o_rss_max, rss * 0.97 AS o_rss_avg, toInt64(rss * 0.98) AS o_rss_last,
          toInt64(committed * used_frac) AS o_used, toInt64(committed) AS o_committed,
          toInt64(if(rt = 0, if(lim > 0, lim * 0.75, 2147483648.0), 0.0)) AS o_mlimit,
          toInt64(if(rt = 2, 0.0, committed * if(k < 2, 0.5, 0.3))) AS o_live,
          toInt64(rss - committed) AS o_native_max, toInt64((rss - committed) * 0.99) AS o_native,
          toInt64(rss * 1.06) AS o_cg_usage, toInt64(lim) AS o_cg_limit,
          toInt64(arrayElement([40, 10, 4], rt + 1) + p %% 60
            + if(k = 3 AND rt != 1, intDiv(age, 20), 0)) AS o_threads,
          toInt64(if(rt = 1, 150 + p %% 300 + if(k = 3, age * 2, 0) + n %% 20, 0)) AS o_goroutines,
          toUInt32(gcs) AS o_gc_count, toInt64(gcs * p50 * 1.4) AS o_gc_total,
          toInt64(p50) AS o_p50, toInt64(p50 * 4) AS o_p99, toInt64(p50 * 5.2) AS o_pmax,
          gcs * p50 * 1.4 / %2$d.0e9 AS o_gc_cpu,
          toInt64((20 + intHash32(n + 3) %% 200) * 1048576 * %2$d / 60) AS o_alloc,
          toUInt32(%3$d) AS o_samples, 'history' AS o_batch
        FROM (
          SELECT *,
            base + growth + base * 0.08 * sin(6.2832 * ((%1$d + t) %% 86400) / 86400)
              + base * 0.03 * (intHash32(n) %% 1000) / 1000 AS rss,
            if(rt = 2, 0.0, if(k < 2, (base + growth) * 0.7, base * 0.7)) AS committed,
            0.55 + 0.4 * (intHash32(n + 1) %% 100) / 100 AS used_frac,
            if(rt = 2, 0, 1 + intHash32(n + 2) %% %4$d) AS gcs,
            2000000.0 + intHash32(p) %% 3000000 AS p50
          FROM (%5$s)
        )""".formatted(startSec, stepSec, Math.max(3, stepSec / 10 * 3), gcMax,
        processRows(t, firstWindow * processes, windows * processes));
  }

  /** {@code gc_pauses}: {@code perMinute} pauses per JVM/Go process-minute in the minutes given. */
  String gcPauses(int perMinute, long firstMinute, long minutes) {
    long per = (long) processes * perMinute;
    String t = "intDiv(number, " + per + ") * 60 + intDiv(number % " + per + ", " + processes
        + ") * " + Math.max(1, 60 / perMinute) + " + number % 7";
    return "INSERT INTO " + database + ".gc_pauses (utc_ns, event_time, cluster, node, service,"
        + " pod, pid, process_start_ms, runtime, source, gc_id, collector_name, phase, duration_ns,"
        + " batch_id)\n" + """
        SELECT
          (%1$d + t) * 1000000000 + n %% 1000000000 AS o_ns, toDateTime(%1$d + t) AS o_time,
          cl AS o_cl, nd AS o_nd, svc AS o_svc, pd AS o_pd, pid_ AS o_pid,
          toInt64(start_s * 1000 + p %% 1000) AS o_st, rt_name AS o_rt,
          if(rt = 0, 'JFR', 'GO_GCTRACE') AS o_src,
          toInt64(inc * 1000000 + intDiv(t, 10)) AS o_gcid,
          if(rt = 0, 'G1', 'go') AS o_collector,
          if(rt = 0, 'Pause Young (Normal)', 'sweep termination') AS o_phase,
          toInt64((1000000 + intHash32(p) %% 3000000) * (1 + pow(intHash32(n) %% 100, 2) / 1000))
            AS o_duration,
          'history' AS o_batch
        FROM (%2$s)
        WHERE rt != 2""".formatted(startSec, processRows(t, firstMinute * per, minutes * per));
  }

  /** {@code allocations_1m}: {@code perMinute} allocation stacks per process-minute. */
  String allocations(int perMinute, long firstMinute, long minutes) {
    long per = (long) processes * perMinute;
    String t = "intDiv(number, " + per + ") * 60";
    return "INSERT INTO " + database + ".allocations_1m (window_start, cluster, node, service, pod,"
        + " pid, process_start_ms, runtime, kind, stack_hash, object_class, sampled_bytes, samples,"
        + " outstanding_bytes, batch_id)\n" + """
        SELECT
          toDateTime(%1$d + t) AS o_ws, cl AS o_cl, nd AS o_nd, svc AS o_svc, pd AS o_pd,
          pid_ AS o_pid, toInt64(start_s * 1000 + p %% 1000) AS o_st, rt_name AS o_rt,
          arrayElement(['JAVA_SAMPLE', 'GO_HEAP', 'MALLOC'], rt + 1) AS o_kind,
          %2$s AS o_hash,
          if(rt = 0, arrayElement(['byte[]', 'java.lang.String', 'java.util.HashMap$Node',
            'char[]'], stack %% 4 + 1), '') AS o_class,
          toInt64((1 + intHash32(n) %% 64) * 65536) AS o_sampled,
          toUInt32(1 + intHash32(n + 1) %% 20) AS o_samples,
          if(rt = 0, toInt64(0), if(slot = 0 AND k < 3, toInt64(age * 65536),
            toInt64((intHash32(p) %% 100) * 1048576)))
            AS o_outstanding,
          'history' AS o_batch
        FROM (
          SELECT *, intDiv(n %% %3$d, %4$d) AS slot,
            s * %5$d + (p + slot * 5) %% %5$d AS stack
          FROM (%6$s)
        )""".formatted(startSec, stackHash("stack"), per, processes, STACKS_PER_SERVICE,
        processRows(t, firstMinute * per, minutes * per));
  }

  private static String stackHash(String stackId) {
    return "toInt64(intHash64(" + stackId + " + 7))";
  }

  /** {@code allocation_stacks}: every stack of every service, seen twice (first and latest). */
  String allocationStacks(long endSec) {
    int stacks = services * STACKS_PER_SERVICE;
    return "INSERT INTO " + database + ".allocation_stacks (stack_hash, frames, top_frame, runtime,"
        + " object_class, first_seen, last_seen, batch_id)\n" + """
        SELECT %1$s AS o_hash, fr AS o_frames, fr[1] AS o_top,
          arrayElement(['JVM', 'GO', 'NATIVE'], rt + 1) AS o_rt,
          if(rt = 0, arrayElement(['byte[]', 'java.lang.String', 'java.util.HashMap$Node',
            'char[]'], stack %% 4 + 1), '') AS o_class,
          toDateTime(%2$d) AS o_first,
          toDateTime(%2$d + sighting * intDiv(%3$d - %2$d, 2)) AS o_last,
          'history' AS o_batch
        FROM (
          SELECT stack, sighting, rt,
            -- 18.16 cannot capture computed columns in a lambda: pass them as replicated arrays
            arrayMap((i, before, after) -> concat(before, toString(i), after), range(12),
              replicate(multiIf(
                rt = 0, concat('com.acme.svc', toString(sv), '.Module', toString(stack %% 16),
                  '.step'),
                rt = 1, concat('main.(*svc', toString(sv), 'Handler).stage', toString(stack %% 16),
                  '_'),
                concat('libsvc', toString(sv), '.so!fn_', toString(stack %% 16), '_')), range(12)),
              replicate(if(rt = 0, '(Module.java)', ''), range(12))) AS fr
          FROM (
            SELECT number %% %4$d AS stack, intDiv(number, %4$d) AS sighting,
              intDiv(stack, %5$d) AS sv, sv %% 3 AS rt
            FROM numbers(%6$d)
          )
        )""".formatted(stackHash("stack"), startSec, endSec, stacks, STACKS_PER_SERVICE,
        2L * stacks);
  }

  /** {@code oom_snapshots}: one kill per day for each leaking process with a limit. */
  String oomSnapshots(int days) {
    String t = "intDiv(number, " + processes + ") * 86400 + intHash32(number) % 86000";
    return "INSERT INTO " + database + ".oom_snapshots (snapshot_id, kill_utc_ns, kill_time,"
        + " cluster, node, service, namespace, pod, container, pid, process_start_ms, comm,"
        + " runtime, detected_by, rss_at_kill, cgroup_limit, window_ns, event_count, summary,"
        + " events, batch_id)\n" + """
        SELECT concat('snap-', toString(p), '-', toString(intDiv(t, 86400))) AS o_id,
          (%1$d + t) * 1000000000 AS o_ns, toDateTime(%1$d + t) AS o_time, cl AS o_cl,
          nd AS o_nd, svc AS o_svc, concat('ns-', toString(s %% 5)) AS o_ns2, pd AS o_pd,
          svc AS o_container, pid_ AS o_pid, toInt64(start_s * 1000 + p %% 1000) AS o_st,
          comm_ AS o_comm, rt_name AS o_rt, 'CGROUP_COUNTER' AS o_by,
          toInt64(lim * 0.99) AS o_rss, toInt64(lim) AS o_limit, toInt64(5000000000) AS o_window,
          toUInt32(20) AS o_count,
          concat('20 events in the last 5000 ms before the kill of ', comm_, ' (pid ',
            toString(pid_), ')') AS o_summary,
          concat('[', arrayStringConcat(arrayMap((i, kill_ns, l) -> concat('{"utc_ns":',
            toString(kill_ns - (20 - i) * 250000000),
            ',"kind":"ResidentMemory","source":"PROCFS","summary":"rss ',
            toString(toInt64(l * (0.9 + i / 250))), '"}'), range(20),
            replicate((%1$d + t) * 1000000000, range(20)), replicate(lim, range(20))), ','), ']')
            AS o_events,
          'history' AS o_batch
        FROM (%2$s)
        WHERE k < 3 AND lim > 0""".formatted(startSec,
        processRows(t, 0, (long) processes * days));
  }

  /** {@code alerts}: per day, one alert for each leaking process, in {@code versions} versions. */
  String alerts(int days, int versions) {
    long per = (long) processes * versions;
    // day, then a per-process-and-day offset in the day, then one hour per version
    String t = "intDiv(number, " + per + ") * 86400"
        + " + intHash32(number % " + processes + " + intDiv(number, " + per + ") * 7919) % 40000"
        + " + intDiv(number % " + per + ", " + processes + ") * 3600";
    return "INSERT INTO " + database + ".alerts (alert_id, fingerprint, rule, severity, status,"
        + " cluster, node, service, pod, pid, process_start_ms, first_seen_utc_ns,"
        + " last_seen_utc_ns, growth_bytes_per_sec, time_to_oom_sec, summary, top_stack,"
        + " object_class, evidence, updated_at, batch_id)\n" + """
        SELECT concat(rule, '/', toString(p), '/', toString(day)) AS o_id,
          hex(sipHash64(concat(rule, svc))) AS o_fp, rule AS o_rule,
          arrayElement(['INFO', 'WARNING', 'CRITICAL'], least(v + 1, 3)) AS o_sev,
          if(v = %2$d - 1 AND day < %3$d - 1, 'RESOLVED', 'FIRING') AS o_status,
          cl AS o_cl, nd AS o_nd, svc AS o_svc, pd AS o_pd, pid_ AS o_pid,
          toInt64(start_s * 1000 + p %% 1000) AS o_st,
          (%1$d + t - v * 3600) * 1000000000 AS o_first, (%1$d + t) * 1000000000 AS o_last,
          if(lim > 0, lim, 1073741824) * 0.6 / (life * 60) AS o_growth,
          if(lim > 0, (life - age) * 60.0, 0.0) AS o_tto,
          concat(rule, ' on ', svc, ' pid ', toString(pid_)) AS o_summary,
          concat('com.acme.svc', toString(s), '.Module0.step0 <- com.acme.svc', toString(s),
            '.Module0.step1') AS o_stack,
          if(rt = 0, 'byte[]', '') AS o_class,
          '[{"utc_ns":0,"kind":"ResidentMemory","value":1,"unit":"bytes","description":"x"}]'
            AS o_evidence,
          toDateTime(%1$d + t) AS o_updated, 'history' AS o_batch
        FROM (
          SELECT *, intDiv(t, 86400) AS day, intDiv(n %% %4$d, %5$d) AS v,
            multiIf(k = 2, 'native-growth', k = 3, 'goroutine-leak',
              arrayElement(['live-set-growth', 'go-heap-growth', 'outstanding-growth'], rt + 1))
              AS rule
          FROM (%6$s)
          WHERE k < 4
        )""".formatted(startSec, versions, days, per, processes,
        processRows(t, 0, per * days));
  }
}
