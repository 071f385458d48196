-- name: native_vs_managed_share
-- answers: What share of each service's resident memory is native (off-heap: RSS minus the JVM/Go heap) and what share is the managed heap?
-- param: from DateTime default now-7d — start of the period
-- param: to DateTime default now — end of the period (exclusive)
-- param: cluster String default '' — only this cluster; empty for every cluster
--
-- Reads process_memory_1h. Shares are of the average RSS over the period (native = RSS - managed
-- per the pipeline's join; managed share = 1 - native share); peaks are shown too. Services whose
-- memory is mostly native are where heap dumps will not find a leak; native-only runtimes show
-- 100 % native.
SELECT
    cluster,
    service,
    any(process_runtime) AS runtime,
    uniqExact(node, pid, process_start_ms) AS processes,
    round(avg(hour_rss_avg)) AS avg_rss_bytes,
    round(avg(hour_native_avg)) AS avg_native_bytes,
    round(least(100, 100 * avg(hour_native_avg) / avg(hour_rss_avg)), 1) AS native_pct,
    round(100 - native_pct, 1) AS managed_pct,
    max(hour_rss_peak) AS peak_rss_bytes,
    max(hour_managed_peak) AS peak_managed_bytes,
    max(hour_native_peak) AS peak_native_bytes
FROM
(
    SELECT
        cluster, service, node, pid, process_start_ms, hour,
        any(runtime) AS process_runtime,
        avgMerge(rss_avg) AS hour_rss_avg,
        avgMerge(native_avg) AS hour_native_avg,
        maxMerge(rss_max) AS hour_rss_peak,
        maxMerge(managed_max) AS hour_managed_peak,
        maxMerge(native_max) AS hour_native_peak
    FROM ${database}.process_memory_1h
    WHERE hour >= toStartOfHour({from:DateTime}) AND hour < {to:DateTime}
      AND ({cluster:String} = '' OR cluster = {cluster:String})
    GROUP BY cluster, service, node, pid, process_start_ms, hour
)
GROUP BY cluster, service
HAVING avg(hour_rss_avg) > 0
ORDER BY native_pct DESC, cluster, service
