-- memfleet V003: rows ClickHouse refused. When the server itself rejects a batch (a row that does
-- not fit its table, as opposed to being unreachable), the sink keeps the rows here with the
-- server's reason instead of retrying forever — nothing is lost and the job keeps running.

CREATE TABLE IF NOT EXISTS ${database}.sink_rejects (
    rejected_at DateTime,
    table_name  String,
    batch_id    String,
    reason      String,
    row         String
) ENGINE = MergeTree()
PARTITION BY toYYYYMM(rejected_at)
ORDER BY (table_name, rejected_at, batch_id);

-- @if version >= 20.3
ALTER TABLE ${database}.sink_rejects MODIFY TTL rejected_at + INTERVAL 30 DAY;
-- @end
