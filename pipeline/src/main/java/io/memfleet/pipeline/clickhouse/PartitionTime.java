package io.memfleet.pipeline.clickhouse;

import java.io.Serializable;

/**
 * The time (epoch milliseconds, UTC) of the column a table is partitioned by, e.g.
 * {@code w -> w.windowStartMs} for {@code PARTITION BY toYYYYMMDD(window_start)}. The sink writes
 * rows of different {@link #SLOT_MS} slots in separate INSERTs: every day or month partition
 * boundary, in any server time zone, falls on a slot boundary, so one INSERT never spans two
 * partitions.
 */
@FunctionalInterface
public interface PartitionTime<T> extends Serializable {
  /** 15 minutes: every time zone's offset from UTC is a multiple of it. */
  long SLOT_MS = 15 * 60 * 1000L;

  long epochMillis(T element);
}
