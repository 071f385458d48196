-- name: oom_kills_by_service
-- answers: How many OOM kills did each service have, on how many hosts, and what did the last 5 seconds before its latest kill look like?
-- param: from DateTime default now-30d — start of the period
-- param: to DateTime default now — end of the period (exclusive)
-- param: cluster String default '' — only this cluster; empty for every cluster
-- param: service String default '' — only this service; empty for every service
--
-- One row per cluster and service from oom_snapshots. The latest kill's snapshot is summarised
-- (its summary line, RSS and limit at the kill, how many events the window held); its
-- snapshot_id finds the full event list (oom_snapshots.events, or the OOM forensics dashboard).
SELECT
    cluster,
    service,
    count() AS kills,
    uniqExact(node) AS hosts,
    uniqExact(node, pid, process_start_ms) AS processes,
    min(kill_time) AS first_kill,
    max(kill_time) AS last_kill,
    argMax(snapshot_id, kill_utc_ns) AS last_snapshot_id,
    argMax(detected_by, kill_utc_ns) AS last_detected_by,
    formatReadableSize(argMax(rss_at_kill, kill_utc_ns)) AS last_rss_at_kill,
    formatReadableSize(argMax(cgroup_limit, kill_utc_ns)) AS last_limit,
    argMax(event_count, kill_utc_ns) AS last_window_events,
    argMax(summary, kill_utc_ns) AS last_summary
FROM ${database}.oom_snapshots
WHERE kill_time >= {from:DateTime} AND kill_time < {to:DateTime}
  AND ({cluster:String} = '' OR cluster = {cluster:String})
  AND ({service:String} = '' OR service = {service:String})
GROUP BY cluster, service
ORDER BY kills DESC, last_kill DESC, cluster, service
