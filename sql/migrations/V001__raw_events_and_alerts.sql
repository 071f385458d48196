-- memfleet V001: raw events (short retention, for forensics and replays) and alerts.
--
-- Every table is written as ${database}.name; the migration runner fills in the target database.
-- Gates pick newer storage features where the server has them (see sql/README.md); both branches
-- keep the same column names and value types, so writers and queries work on either.

-- @if version >= 20.3
CREATE TABLE IF NOT EXISTS ${database}.events_raw (
    event_date       Date,
    utc_ns           Int64 CODEC(Delta, ZSTD),
    error_bound_ns   Int64,
    cluster          LowCardinality(String),
    node             LowCardinality(String),
    service          LowCardinality(String),
    pod              String,
    container        String,
    pid              UInt32,
    process_start_ms Int64,
    comm             LowCardinality(String),
    runtime          LowCardinality(String),
    source           LowCardinality(String),
    kind             LowCardinality(String),
    sequence         Int64,
    value            Float64,
    payload          String CODEC(ZSTD(3)),
    batch_id         String
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(event_date)
ORDER BY (cluster, service, node, pid, process_start_ms, utc_ns)
TTL event_date + INTERVAL 7 DAY;
-- @else
CREATE TABLE IF NOT EXISTS ${database}.events_raw (
    event_date       Date,
    utc_ns           Int64,
    error_bound_ns   Int64,
    cluster          String,
    node             String,
    service          String,
    pod              String,
    container        String,
    pid              UInt32,
    process_start_ms Int64,
    comm             String,
    runtime          String,
    source           String,
    kind             String,
    sequence         Int64,
    value            Float64,
    payload          String,
    batch_id         String
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(event_date)
ORDER BY (cluster, service, node, pid, process_start_ms, utc_ns);
-- @end

-- An ongoing leak updates one alert (same alert_id); the newest version of a row wins.
CREATE TABLE IF NOT EXISTS ${database}.alerts (
    alert_id             String,
    fingerprint          String,
    rule                 String,
    severity             String,
    status               String,
    cluster              String,
    node                 String,
    service              String,
    pod                  String,
    pid                  UInt32,
    process_start_ms     Int64,
    first_seen_utc_ns    Int64,
    last_seen_utc_ns     Int64,
    growth_bytes_per_sec Float64,
    time_to_oom_sec      Float64,
    summary              String,
    top_stack            String,
    object_class         String,
    evidence             String,
    updated_at           DateTime,
    batch_id             String
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (rule, fingerprint, alert_id);
