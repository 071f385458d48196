-- name: top_allocation_stacks
-- answers: Which allocation stacks allocate the most memory fleet-wide, in how many services and clusters, how much do they still hold, and what do their frames say?
-- param: from DateTime default now-1d — start of the period
-- param: to DateTime default now — end of the period (exclusive)
-- param: runtime String default '' — only JVM, GO or NATIVE stacks; empty for all
-- param: depth UInt32 default 6 — how many frames of each stack to print (innermost first)
-- param: limit UInt32 default 20 — how many stacks to list
--
-- Sums the sampled bytes of allocations_1m per stack hash and joins the frames from
-- allocation_stacks (a ReplacingMergeTree: the newest sighting of a stack is taken with argMax, so
-- unmerged duplicates do not multiply rows). outstanding_bytes is what the stack still held at
-- each process's last minute in the period, summed over processes (malloc/free and Go heap
-- profiles report it; sampled JVM allocations leave it 0 unless the pipeline tracks it).
SELECT
    stack_hash,
    stack_top_frame AS top_frame,
    stack_object_class AS object_class,
    stack_runtime AS runtime,
    sampled AS sampled_bytes,
    formatReadableSize(sampled) AS sampled_size,
    sample_count AS samples,
    held AS outstanding_bytes,
    clusters,
    services,
    processes,
    arrayStringConcat(arraySlice(stack_frames, 1, {depth:UInt32}), ' <- ') AS frames
FROM
(
    SELECT
        stack_hash,
        sum(process_sampled) AS sampled,
        sum(process_samples) AS sample_count,
        sum(process_held) AS held,
        uniqExact(cluster) AS clusters,
        uniqExact(cluster, service) AS services,
        count() AS processes
    FROM
    (
        SELECT
            stack_hash, cluster, service, node, pid, process_start_ms,
            sum(sampled_bytes) AS process_sampled,
            sum(samples) AS process_samples,
            argMax(outstanding_bytes, window_start) AS process_held
        FROM ${database}.allocations_1m
        WHERE window_start >= {from:DateTime} AND window_start < {to:DateTime}
          AND ({runtime:String} = '' OR runtime = {runtime:String})
        GROUP BY stack_hash, cluster, service, node, pid, process_start_ms
    )
    GROUP BY stack_hash
) AS s
LEFT JOIN
(
    SELECT
        stack_hash,
        argMax(frames, last_seen) AS stack_frames,
        argMax(top_frame, last_seen) AS stack_top_frame,
        argMax(object_class, last_seen) AS stack_object_class,
        argMax(runtime, last_seen) AS stack_runtime
    FROM ${database}.allocation_stacks
    GROUP BY stack_hash
) AS f USING (stack_hash)
ORDER BY sampled_bytes DESC, stack_hash
LIMIT {limit:UInt32}
