-- Test-only migration with a deliberately broken modern-only statement (ModernStageChDbIT).
-- The gated TTL is written on an epoch-seconds UInt32 column; ClickHouse needs a Date/DateTime TTL
-- expression, so every modern server refuses it (BAD_TTL_EXPRESSION). The 18.16 server takes the
-- else branch and never sees it: only the ClickHouse 26.x stage can catch this mistake.

CREATE TABLE IF NOT EXISTS ${database}.probe_before (x UInt8) ENGINE = MergeTree() ORDER BY x;

-- @if version >= 20.3
CREATE TABLE IF NOT EXISTS ${database}.retention_probe (
    seen_epoch UInt32,
    value      Float64
) ENGINE = MergeTree()
ORDER BY seen_epoch
TTL seen_epoch + 604800;
-- @else
CREATE TABLE IF NOT EXISTS ${database}.retention_probe (
    seen_epoch UInt32,
    value      Float64
) ENGINE = MergeTree()
ORDER BY seen_epoch;
-- @end

CREATE TABLE IF NOT EXISTS ${database}.probe_after (x UInt8) ENGINE = MergeTree() ORDER BY x;
