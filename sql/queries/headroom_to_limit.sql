-- name: headroom_to_limit
-- answers: How much memory headroom does each service have to its cgroup limit, by cluster — at the p95 and at the peak of its processes' hourly RSS?
-- param: from DateTime default now-7d — start of the period (hourly rollups from this hour on)
-- param: to DateTime default now — end of the period (exclusive)
-- param: cluster String default '' — only this cluster; empty for every cluster
-- param: service String default '' — only this service; empty for every service
--
-- Reads the hourly rollup process_memory_1h: for every process and hour the peak RSS and the
-- cgroup limit, then per cluster and service the p95 and max of those hourly peaks against the
-- largest limit. Processes without a limit (cgroup_limit = 0) are left out; services with the
-- least headroom come first.
SELECT
    cluster,
    service,
    uniqExact(node, pid, process_start_ms) AS processes,
    max(hour_limit) AS limit_bytes,
    round(quantile(0.95)(hour_peak)) AS p95_rss_bytes,
    max(hour_peak) AS max_rss_bytes,
    limit_bytes - p95_rss_bytes AS headroom_p95_bytes,
    round(100 * (1 - p95_rss_bytes / limit_bytes), 1) AS headroom_p95_pct,
    round(100 * (1 - max_rss_bytes / limit_bytes), 1) AS headroom_min_pct,
    formatReadableSize(limit_bytes - max_rss_bytes) AS headroom_at_peak
FROM
(
    SELECT
        cluster, service, node, pid, process_start_ms, hour,
        maxMerge(rss_max) AS hour_peak,
        maxMerge(cgroup_limit) AS hour_limit
    FROM ${database}.process_memory_1h
    WHERE hour >= toStartOfHour({from:DateTime}) AND hour < {to:DateTime}
      AND ({cluster:String} = '' OR cluster = {cluster:String})
      AND ({service:String} = '' OR service = {service:String})
    GROUP BY cluster, service, node, pid, process_start_ms, hour
)
WHERE hour_limit > 0
GROUP BY cluster, service
ORDER BY headroom_p95_pct ASC, cluster, service
