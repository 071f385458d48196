package io.memfleet.pipeline.clickhouse;

import java.util.Objects;

/**
 * What a {@link ClickHouseSinkWriter} keeps in Flink state so that batch ids stay unique across
 * JobManager failovers, last-state upgrades and savepoint restores (where the job id and the
 * attempt numbers come back unchanged or start again from 0).
 *
 * @param lineage random id drawn once, when the sink first ran without state, and carried through
 *     every checkpoint and savepoint since
 * @param checkpointId the last checkpoint the writer snapshotted
 */
public record ClickHouseWriterState(String lineage, long checkpointId) {
  public ClickHouseWriterState {
    Objects.requireNonNull(lineage, "lineage");
  }
}
