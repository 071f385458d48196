package io.memfleet.pipeline.clickhouse;

import java.io.Serializable;

/**
 * Turns one stream element into one row of the target table as a JSON object (ClickHouse's
 * JSONEachRow), e.g. {@code {"window_start":"2026-11-27 10:00:00","rss_max":123}}. DateTime
 * columns take {@code "YYYY-MM-DD hh:mm:ss"} strings in UTC; the sink adds {@code batch_id}.
 */
@FunctionalInterface
public interface RowEncoder<T> extends Serializable {
  String encode(T element);
}
