-- memfleet V002: what the pipeline writes (per-process aggregates, GC pauses, allocation stacks,
-- OOM snapshots, clock calibration), the sink's commit log, and the hourly/daily rollups that
-- keep month-long planner queries fast.
--
-- Tables are created with types every supported server has; on newer servers the gated ALTERs
-- below switch on LowCardinality, codecs and TTL retention. Every table the Flink sink writes
-- carries batch_id: the sink writes a checkpoint's rows in one INSERT and records it in
-- sink_commits, so a replay after a restart is a no-op (see pipeline/README.md).

CREATE TABLE IF NOT EXISTS ${database}.process_memory_10s (
    window_start          DateTime,
    window_end            DateTime,
    cluster               String,
    node                  String,
    service               String,
    namespace             String,
    pod                   String,
    container             String,
    pid                   UInt32,
    process_start_ms      Int64,
    comm                  String,
    runtime               String,
    rss_max               Int64,
    rss_avg               Float64,
    rss_last              Int64,
    managed_used_max      Int64,
    managed_committed_max Int64,
    managed_limit         Int64,
    heap_after_gc_min     Int64,
    native_max            Int64,
    native_last           Int64,
    cgroup_usage_max      Int64,
    cgroup_limit          Int64,
    threads_max           Int64,
    goroutines_max        Int64,
    gc_count              UInt32,
    gc_pause_total_ns     Int64,
    gc_pause_p50_ns       Int64,
    gc_pause_p99_ns       Int64,
    gc_pause_max_ns       Int64,
    gc_cpu_fraction       Float64,
    alloc_bytes           Int64,
    samples               UInt32,
    batch_id              String
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(window_start)
ORDER BY (cluster, service, node, pid, process_start_ms, window_start);

CREATE TABLE IF NOT EXISTS ${database}.process_memory_1m AS ${database}.process_memory_10s
ENGINE = MergeTree()
PARTITION BY toYYYYMM(window_start)
ORDER BY (cluster, service, node, pid, process_start_ms, window_start);

CREATE TABLE IF NOT EXISTS ${database}.gc_pauses (
    utc_ns           Int64,
    event_time       DateTime,
    cluster          String,
    node             String,
    service          String,
    pod              String,
    pid              UInt32,
    process_start_ms Int64,
    runtime          String,
    source           String,
    gc_id            Int64,
    collector_name   String,
    phase            String,
    duration_ns      Int64,
    batch_id         String
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (cluster, service, pid, process_start_ms, utc_ns);

-- stack hash -> frames, one row per stack (the newest sighting wins at merge time)
CREATE TABLE IF NOT EXISTS ${database}.allocation_stacks (
    stack_hash   Int64,
    frames       Array(String),
    top_frame    String,
    runtime      String,
    object_class String,
    first_seen   DateTime,
    last_seen    DateTime,
    batch_id     String
) ENGINE = ReplacingMergeTree(last_seen)
ORDER BY stack_hash;

CREATE TABLE IF NOT EXISTS ${database}.allocations_1m (
    window_start      DateTime,
    cluster           String,
    node              String,
    service           String,
    pod               String,
    pid               UInt32,
    process_start_ms  Int64,
    runtime           String,
    kind              String,
    stack_hash        Int64,
    object_class      String,
    sampled_bytes     Int64,
    samples           UInt32,
    outstanding_bytes Int64,
    batch_id          String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(window_start)
ORDER BY (cluster, service, window_start, stack_hash);

CREATE TABLE IF NOT EXISTS ${database}.oom_snapshots (
    snapshot_id      String,
    kill_utc_ns      Int64,
    kill_time        DateTime,
    cluster          String,
    node             String,
    service          String,
    namespace        String,
    pod              String,
    container        String,
    pid              UInt32,
    process_start_ms Int64,
    comm             String,
    runtime          String,
    detected_by      String,
    rss_at_kill      Int64,
    cgroup_limit     Int64,
    window_ns        Int64,
    event_count      UInt32,
    summary          String,
    events           String,
    batch_id         String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(kill_time)
ORDER BY (cluster, service, kill_utc_ns, snapshot_id);

CREATE TABLE IF NOT EXISTS ${database}.clock_calibration (
    utc_ns         Int64,
    event_time     DateTime,
    cluster        String,
    node           String,
    boot_id        String,
    clock_domain   String,
    offset_ns      Int64,
    drift_ppb      Float64,
    error_bound_ns Int64,
    samples        UInt32,
    batch_id       String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (cluster, node, clock_domain, utc_ns);

-- the sink's commit log: a batch is written at most once (see ClickHouseCommitter)
CREATE TABLE IF NOT EXISTS ${database}.sink_commits (
    table_name   String,
    batch_id     String,
    state        String,
    rows         UInt64,
    committed_at DateTime
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(committed_at)
ORDER BY (table_name, batch_id);

-- hourly and daily rollups of the 1-minute aggregates, kept by materialized views; read them
-- with the -Merge combinators (sql/queries do).
CREATE TABLE IF NOT EXISTS ${database}.process_memory_1h (
    hour              DateTime,
    cluster           String,
    node              String,
    service           String,
    namespace         String,
    pid               UInt32,
    process_start_ms  Int64,
    runtime           String,
    rss_max           AggregateFunction(max, Int64),
    rss_avg           AggregateFunction(avg, Float64),
    managed_max       AggregateFunction(max, Int64),
    native_max        AggregateFunction(max, Int64),
    native_avg        AggregateFunction(avg, Int64),
    cgroup_limit      AggregateFunction(max, Int64),
    threads_max       AggregateFunction(max, Int64),
    goroutines_max    AggregateFunction(max, Int64),
    gc_count          AggregateFunction(sum, UInt32),
    gc_pause_total_ns AggregateFunction(sum, Int64),
    gc_pause_max_ns   AggregateFunction(max, Int64),
    alloc_bytes       AggregateFunction(sum, Int64),
    minutes           AggregateFunction(count)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (cluster, service, node, pid, process_start_ms, hour, namespace, runtime);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.process_memory_1h_mv
TO ${database}.process_memory_1h AS
SELECT
    toStartOfHour(window_start) AS hour,
    cluster, node, service, namespace, pid, process_start_ms, runtime,
    maxState(rss_max) AS rss_max,
    avgState(rss_avg) AS rss_avg,
    maxState(managed_used_max) AS managed_max,
    maxState(native_max) AS native_max,
    avgState(native_last) AS native_avg,
    maxState(cgroup_limit) AS cgroup_limit,
    maxState(threads_max) AS threads_max,
    maxState(goroutines_max) AS goroutines_max,
    sumState(gc_count) AS gc_count,
    sumState(gc_pause_total_ns) AS gc_pause_total_ns,
    maxState(gc_pause_max_ns) AS gc_pause_max_ns,
    sumState(alloc_bytes) AS alloc_bytes,
    countState() AS minutes
FROM ${database}.process_memory_1m
GROUP BY hour, cluster, node, service, namespace, pid, process_start_ms, runtime;

CREATE TABLE IF NOT EXISTS ${database}.service_memory_1d (
    day               Date,
    cluster           String,
    service           String,
    runtime           String,
    rss_max           AggregateFunction(max, Int64),
    rss_avg           AggregateFunction(avg, Float64),
    managed_max       AggregateFunction(max, Int64),
    native_max        AggregateFunction(max, Int64),
    cgroup_limit      AggregateFunction(max, Int64),
    gc_pause_total_ns AggregateFunction(sum, Int64),
    alloc_bytes       AggregateFunction(sum, Int64),
    processes         AggregateFunction(uniq, UInt32, Int64, String),
    minutes           AggregateFunction(count)
) ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (cluster, service, runtime, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.service_memory_1d_mv
TO ${database}.service_memory_1d AS
SELECT
    toDate(window_start) AS day,
    cluster, service, runtime,
    maxState(rss_max) AS rss_max,
    avgState(rss_avg) AS rss_avg,
    maxState(managed_used_max) AS managed_max,
    maxState(native_max) AS native_max,
    maxState(cgroup_limit) AS cgroup_limit,
    sumState(gc_pause_total_ns) AS gc_pause_total_ns,
    sumState(alloc_bytes) AS alloc_bytes,
    uniqState(pid, process_start_ms, node) AS processes,
    countState() AS minutes
FROM ${database}.process_memory_1m
GROUP BY day, cluster, service, runtime;

-- newer servers: dictionary-encoded low-cardinality columns, column codecs, retention
-- @if version >= 20.3
ALTER TABLE ${database}.process_memory_10s
    MODIFY COLUMN cluster LowCardinality(String),
    MODIFY COLUMN node LowCardinality(String),
    MODIFY COLUMN service LowCardinality(String),
    MODIFY COLUMN runtime LowCardinality(String),
    MODIFY COLUMN comm LowCardinality(String);
ALTER TABLE ${database}.process_memory_10s MODIFY TTL window_start + INTERVAL 14 DAY;
ALTER TABLE ${database}.process_memory_1m
    MODIFY COLUMN cluster LowCardinality(String),
    MODIFY COLUMN node LowCardinality(String),
    MODIFY COLUMN service LowCardinality(String),
    MODIFY COLUMN runtime LowCardinality(String),
    MODIFY COLUMN comm LowCardinality(String);
ALTER TABLE ${database}.process_memory_1m MODIFY TTL window_start + INTERVAL 180 DAY;
ALTER TABLE ${database}.gc_pauses
    MODIFY COLUMN utc_ns Int64 CODEC(Delta, ZSTD),
    MODIFY COLUMN service LowCardinality(String),
    MODIFY COLUMN phase LowCardinality(String);
ALTER TABLE ${database}.gc_pauses MODIFY TTL event_time + INTERVAL 30 DAY;
ALTER TABLE ${database}.allocations_1m MODIFY TTL window_start + INTERVAL 90 DAY;
ALTER TABLE ${database}.clock_calibration MODIFY TTL event_time + INTERVAL 30 DAY;
ALTER TABLE ${database}.sink_commits MODIFY TTL committed_at + INTERVAL 30 DAY;
-- @end
