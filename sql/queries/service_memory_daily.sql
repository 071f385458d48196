-- name: service_memory_daily
-- answers: Day by day, how much memory did each service use (peak and average RSS, managed and native peaks), with how many processes, GC pause time and allocation volume?
-- param: from Date default today-30d — first day
-- param: to Date default today — last day (inclusive)
-- param: cluster String default '' — only this cluster; empty for every cluster
-- param: service String default '' — only this service; empty for every service
--
-- Reads the daily rollup service_memory_1d (kept by a materialized view from the 1-minute
-- aggregates), so months of history answer in milliseconds.
SELECT
    day,
    cluster,
    service,
    runtime,
    uniqMerge(processes) AS process_count,
    maxMerge(rss_max) AS peak_rss_bytes,
    round(avgMerge(rss_avg)) AS avg_rss_bytes,
    maxMerge(managed_max) AS peak_managed_bytes,
    maxMerge(native_max) AS peak_native_bytes,
    maxMerge(cgroup_limit) AS limit_bytes,
    round(sumMerge(gc_pause_total_ns) / 1e9, 1) AS gc_pause_seconds,
    formatReadableSize(sumMerge(alloc_bytes)) AS allocated,
    countMerge(minutes) AS process_minutes
FROM ${database}.service_memory_1d
WHERE day >= {from:Date} AND day <= {to:Date}
  AND ({cluster:String} = '' OR cluster = {cluster:String})
  AND ({service:String} = '' OR service = {service:String})
GROUP BY day, cluster, service, runtime
ORDER BY cluster, service, day
