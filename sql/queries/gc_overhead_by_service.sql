-- name: gc_overhead_by_service
-- answers: How much of its wall-clock time does each service spend in GC pauses, and how long are its p99 and worst pauses?
-- param: from DateTime default now-7d — start of the period
-- param: to DateTime default now — end of the period (exclusive)
-- param: cluster String default '' — only this cluster; empty for every cluster
--
-- Pause time over wall time comes from the 1-minute aggregates (sum of gc_pause_total_ns over
-- process-minutes observed × 60 s), pause percentiles from the individual pauses in gc_pauses.
-- Services without GC (native processes) are left out; the highest overhead comes first.
SELECT
    cluster,
    service,
    processes,
    gc_cycles,
    round(gc_cycles / process_minutes, 2) AS gc_per_minute,
    round(100 * pause_ns / (process_minutes * 60e9), 3) AS gc_overhead_pct,
    round(p50_ns / 1e6, 2) AS pause_p50_ms,
    round(p99_ns / 1e6, 2) AS pause_p99_ms,
    round(worst_ns / 1e6, 2) AS pause_max_ms,
    pauses AS pauses_recorded
FROM
(
    SELECT
        cluster, service,
        uniqExact(node, pid, process_start_ms) AS processes,
        count() AS process_minutes,
        sum(gc_count) AS gc_cycles,
        sum(gc_pause_total_ns) AS pause_ns
    FROM ${database}.process_memory_1m
    WHERE window_start >= {from:DateTime} AND window_start < {to:DateTime}
      AND ({cluster:String} = '' OR cluster = {cluster:String})
    GROUP BY cluster, service
    HAVING gc_cycles > 0
) AS m
LEFT JOIN
(
    SELECT
        cluster, service,
        count() AS pauses,
        quantile(0.5)(duration_ns) AS p50_ns,
        quantile(0.99)(duration_ns) AS p99_ns,
        max(duration_ns) AS worst_ns
    FROM ${database}.gc_pauses
    WHERE event_time >= {from:DateTime} AND event_time < {to:DateTime}
      AND ({cluster:String} = '' OR cluster = {cluster:String})
    GROUP BY cluster, service
) AS g USING (cluster, service)
ORDER BY gc_overhead_pct DESC, cluster, service
