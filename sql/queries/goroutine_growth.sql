-- name: goroutine_growth
-- answers: Which processes keep adding goroutines (Go) or threads (JVM, native), how many per hour, and how many do they have now?
-- param: from DateTime default now-7d — start of the period
-- param: to DateTime default now — end of the period (exclusive)
-- param: cluster String default '' — only this cluster; empty for every cluster
-- param: min_per_hour Float64 default 1 — leave out processes adding fewer goroutines/threads per hour than this
-- param: limit UInt32 default 20 — how many processes to list
--
-- A goroutine or thread leak grows the count without bound while each one pins its stack and
-- whatever it references. Reads process_memory_1h (hourly maxima); the rate is the least-squares
-- slope over the hours; Go processes are measured by goroutines, others by OS threads.
SELECT
    cluster,
    service,
    node,
    pid,
    process_runtime AS runtime,
    if(process_runtime = 'GO', 'goroutines', 'threads') AS counted,
    first_count,
    last_count,
    round(slope_per_sec * 3600, 1) AS added_per_hour,
    hours
FROM
(
    SELECT
        cluster, service, node, pid, process_start_ms,
        any(hour_runtime) AS process_runtime,
        count() AS hours,
        argMin(hour_count, hour) AS first_count,
        argMax(hour_count, hour) AS last_count,
        covarPop(toFloat64(toUInt32(hour)), toFloat64(hour_count))
            / varPop(toFloat64(toUInt32(hour))) AS slope_per_sec
    FROM
    (
        SELECT
            cluster, service, node, pid, process_start_ms, hour,
            any(runtime) AS hour_runtime,
            if(hour_runtime = 'GO', maxMerge(goroutines_max), maxMerge(threads_max)) AS hour_count
        FROM ${database}.process_memory_1h
        WHERE hour >= toStartOfHour({from:DateTime}) AND hour < {to:DateTime}
          AND ({cluster:String} = '' OR cluster = {cluster:String})
        GROUP BY cluster, service, node, pid, process_start_ms, hour
    )
    GROUP BY cluster, service, node, pid, process_start_ms
    HAVING hours >= 2
)
WHERE slope_per_sec * 3600 >= {min_per_hour:Float64}
ORDER BY added_per_hour DESC, cluster, service, node, pid
LIMIT {limit:UInt32}
