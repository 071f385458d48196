-- name: leak_fingerprints_across_clusters
-- answers: Which leaks (alert fingerprints) show up in more than one place — in how many clusters, services and hosts — and when were they first and last seen?
-- param: from DateTime default now-30d — alerts whose evidence was last seen at or after this time
-- param: to DateTime default now — and whose evidence was first seen before this time
-- param: rule String default '' — only this detection rule (e.g. live-set-growth); empty for all
-- param: min_clusters UInt32 default 1 — only fingerprints seen in at least this many clusters
--
-- alerts keeps one row per version of an alert (ReplacingMergeTree(updated_at)); the latest
-- version of every alert_id is taken with argMax before grouping, so this answer does not depend
-- on whether the server has merged yet. The fastest growth and the soonest forecast OOM among the
-- alerts of a fingerprint are shown; the widest spread comes first.
SELECT
    alert_fingerprint AS fingerprint,
    any(alert_rule) AS rule,
    uniqExact(alert_cluster) AS clusters,
    uniqExact(alert_cluster, alert_service) AS services,
    uniqExact(alert_cluster, alert_node) AS hosts,
    count() AS alerts,
    countIf(alert_status != 'RESOLVED') AS open_alerts,
    arrayStringConcat(arraySort(groupUniqArray(alert_cluster)), ',') AS cluster_list,
    arrayStringConcat(arraySort(groupUniqArray(alert_service)), ',') AS service_list,
    toDateTime(intDiv(min(first_ns), 1000000000)) AS first_seen,
    toDateTime(intDiv(max(last_ns), 1000000000)) AS last_seen,
    round(max(growth) * 3600) AS max_growth_bytes_per_hour,
    if(countIf(oom_sec > 0) = 0, NULL, round(minIf(oom_sec, oom_sec > 0) / 3600, 1)) AS min_hours_to_oom,
    any(alert_stack) AS top_stack
FROM
(
    SELECT
        alert_id,
        argMax(fingerprint, updated_at) AS alert_fingerprint,
        argMax(rule, updated_at) AS alert_rule,
        argMax(status, updated_at) AS alert_status,
        argMax(cluster, updated_at) AS alert_cluster,
        argMax(service, updated_at) AS alert_service,
        argMax(node, updated_at) AS alert_node,
        argMax(first_seen_utc_ns, updated_at) AS first_ns,
        argMax(last_seen_utc_ns, updated_at) AS last_ns,
        argMax(growth_bytes_per_sec, updated_at) AS growth,
        argMax(time_to_oom_sec, updated_at) AS oom_sec,
        argMax(top_stack, updated_at) AS alert_stack
    FROM ${database}.alerts
    GROUP BY alert_id
)
WHERE last_ns >= toInt64(toUInt32({from:DateTime})) * 1000000000
  AND first_ns < toInt64(toUInt32({to:DateTime})) * 1000000000
  AND ({rule:String} = '' OR alert_rule = {rule:String})
GROUP BY alert_fingerprint
HAVING clusters >= {min_clusters:UInt32}
ORDER BY clusters DESC, hosts DESC, alerts DESC, alert_fingerprint
