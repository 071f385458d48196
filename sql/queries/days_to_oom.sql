-- name: days_to_oom
-- answers: At the current growth rate, how many days until each process reaches its cgroup memory limit (and on which date)?
-- param: from DateTime default now-1d — start of the trend window
-- param: to DateTime default now — end of the trend window; the forecast counts from here
-- param: cluster String default '' — only this cluster; empty for every cluster
-- param: service String default '' — only this service; empty for every service
-- param: min_growth_bytes_per_hour Int64 default 1048576 — slower growth is treated as flat (no forecast)
-- param: limit UInt32 default 50 — how many processes to list
--
-- Fits RSS over time per process on the 1-minute aggregates (least squares: covarPop / varPop)
-- and divides what is left to the limit by the slope. Only processes with a known limit
-- (cgroup_limit > 0), a slope above min_growth_bytes_per_hour and a sample in the last hour of the
-- window (still running) get a forecast; the soonest OOM comes first.
SELECT
    cluster,
    service,
    node,
    pid,
    process_runtime AS runtime,
    current_rss_bytes,
    limit_bytes,
    round(slope_per_sec * 3600) AS growth_bytes_per_hour,
    round((limit_bytes - current_rss_bytes) / (slope_per_sec * 86400), 2) AS days_to_oom,
    toDateTime(toUInt32(last_seen) + toUInt32(least((limit_bytes - current_rss_bytes) / slope_per_sec, 3.0e8))) AS forecast_oom_at,
    multiIf(days_to_oom < 1, 'CRITICAL', days_to_oom < 7, 'WARNING', 'INFO') AS severity
FROM
(
    SELECT
        cluster, service, node, pid, process_start_ms,
        any(runtime) AS process_runtime,
        max(window_start) AS last_seen,
        argMax(rss_max, window_start) AS current_rss_bytes,
        max(cgroup_limit) AS limit_bytes,
        covarPop(toFloat64(toUInt32(window_start)), toFloat64(rss_max))
            / varPop(toFloat64(toUInt32(window_start))) AS slope_per_sec
    FROM ${database}.process_memory_1m
    WHERE window_start >= {from:DateTime} AND window_start < {to:DateTime}
      AND ({cluster:String} = '' OR cluster = {cluster:String})
      AND ({service:String} = '' OR service = {service:String})
    GROUP BY cluster, service, node, pid, process_start_ms
    HAVING count() >= 10
)
WHERE limit_bytes > 0
  AND slope_per_sec * 3600 >= {min_growth_bytes_per_hour:Int64}
  AND last_seen >= {to:DateTime} - 3600
ORDER BY days_to_oom ASC, cluster, service, node, pid
LIMIT {limit:UInt32}
