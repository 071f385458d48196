-- name: alert_timeline
-- answers: Which leak and OOM-risk alerts were active in a period, in the order they started, with their latest state, growth rate and forecast?
-- param: from DateTime default now-7d — alerts whose evidence was last seen at or after this time
-- param: to DateTime default now — and whose evidence was first seen before this time
-- param: cluster String default '' — only this cluster; empty for every cluster
-- param: service String default '' — only this service; empty for every service
-- param: min_severity String default 'INFO' — INFO, WARNING or CRITICAL: leave out less severe alerts
--
-- The latest version of every alert (alerts is a ReplacingMergeTree(updated_at); argMax picks the
-- newest row per alert_id whether or not the server has merged).
SELECT
    toDateTime(intDiv(first_ns, 1000000000)) AS started,
    toDateTime(intDiv(last_ns, 1000000000)) AS last_evidence,
    alert_severity AS severity,
    alert_status AS status,
    alert_rule AS rule,
    alert_cluster AS cluster,
    alert_service AS service,
    alert_node AS node,
    alert_pid AS pid,
    round(growth * 3600) AS growth_bytes_per_hour,
    if(oom_sec > 0, round(oom_sec / 3600, 1), NULL) AS hours_to_oom,
    alert_summary AS summary,
    alert_id
FROM
(
    SELECT
        alert_id,
        argMax(severity, updated_at) AS alert_severity,
        argMax(status, updated_at) AS alert_status,
        argMax(rule, updated_at) AS alert_rule,
        argMax(cluster, updated_at) AS alert_cluster,
        argMax(service, updated_at) AS alert_service,
        argMax(node, updated_at) AS alert_node,
        argMax(pid, updated_at) AS alert_pid,
        argMax(first_seen_utc_ns, updated_at) AS first_ns,
        argMax(last_seen_utc_ns, updated_at) AS last_ns,
        argMax(growth_bytes_per_sec, updated_at) AS growth,
        argMax(time_to_oom_sec, updated_at) AS oom_sec,
        argMax(summary, updated_at) AS alert_summary
    FROM ${database}.alerts
    GROUP BY alert_id
)
WHERE last_ns >= toInt64(toUInt32({from:DateTime})) * 1000000000
  AND first_ns < toInt64(toUInt32({to:DateTime})) * 1000000000
  AND ({cluster:String} = '' OR alert_cluster = {cluster:String})
  AND ({service:String} = '' OR alert_service = {service:String})
  AND indexOf(['INFO', 'WARNING', 'CRITICAL'], alert_severity)
      >= indexOf(['INFO', 'WARNING', 'CRITICAL'], {min_severity:String})
ORDER BY started, alert_id
