-- name: top_memory_growth
-- answers: Which processes grew their resident memory the most over a period, and how fast (bytes per hour, fitted over their hourly peaks)?
-- param: from DateTime default now-7d — start of the period
-- param: to DateTime default now — end of the period (exclusive)
-- param: cluster String default '' — only this cluster; empty for every cluster
-- param: service String default '' — only this service; empty for every service
-- param: min_hours UInt32 default 3 — leave out processes seen in fewer hours than this (too short to fit a trend)
-- param: limit UInt32 default 20 — how many processes to list
--
-- Reads process_memory_1h. The growth rate is the least-squares slope of the hourly RSS peak over
-- time (covarPop / varPop, which every supported server has), so one spike does not count as
-- growth; first/last are the peaks of the first and last hour. Only growing processes are listed.
SELECT
    cluster,
    service,
    node,
    pid,
    runtime,
    hours,
    first_rss_bytes,
    last_rss_bytes,
    last_rss_bytes - first_rss_bytes AS growth_bytes,
    round(slope_per_sec * 3600) AS growth_bytes_per_hour,
    formatReadableSize(slope_per_sec * 86400) AS growth_per_day
FROM
(
    SELECT
        cluster, service, node, pid, process_start_ms,
        any(process_runtime) AS runtime,
        count() AS hours,
        argMin(hour_peak, hour) AS first_rss_bytes,
        argMax(hour_peak, hour) AS last_rss_bytes,
        covarPop(toFloat64(toUInt32(hour)), toFloat64(hour_peak))
            / varPop(toFloat64(toUInt32(hour))) AS slope_per_sec
    FROM
    (
        SELECT
            cluster, service, node, pid, process_start_ms, hour,
            any(runtime) AS process_runtime,
            maxMerge(rss_max) AS hour_peak
        FROM ${database}.process_memory_1h
        WHERE hour >= toStartOfHour({from:DateTime}) AND hour < {to:DateTime}
          AND ({cluster:String} = '' OR cluster = {cluster:String})
          AND ({service:String} = '' OR service = {service:String})
        GROUP BY cluster, service, node, pid, process_start_ms, hour
    )
    GROUP BY cluster, service, node, pid, process_start_ms
    HAVING hours >= {min_hours:UInt32}
)
WHERE growth_bytes_per_hour > 0
ORDER BY growth_bytes_per_hour DESC, cluster, service, node, pid
LIMIT {limit:UInt32}
