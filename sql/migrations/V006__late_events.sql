-- memfleet V006: late events are kept, not dropped.
--
-- late_events: every event that reached a 10 s / 1 min aggregate after its window had closed
-- (behind the watermark, past memfleet.clickhouse.allowed-lateness) — typically a collector
-- replaying its spool after an outage. One row per event and aggregate it missed (an event can be
-- late for the 10 s window and still on time for the 1 min one). Raw events are in events_raw
-- either way.

CREATE TABLE IF NOT EXISTS ${database}.late_events (
    event_time       DateTime,
    utc_ns           Int64,
    detected_at      DateTime,
    aggregate        String,
    cluster          String,
    node             String,
    service          String,
    pod              String,
    pid              UInt32,
    process_start_ms Int64,
    comm             String,
    runtime          String,
    source           String,
    kind             String,
    sequence         Int64,
    value            Float64,
    batch_id         String
) ENGINE = MergeTree()
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (cluster, node, pid, process_start_ms, utc_ns);

-- @if version >= 20.3
ALTER TABLE ${database}.late_events MODIFY TTL event_time + INTERVAL 30 DAY;
-- @end
