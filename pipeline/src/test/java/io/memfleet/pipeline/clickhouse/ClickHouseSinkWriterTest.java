package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batch identity and the split into parts, without Flink. */
class ClickHouseSinkWriterTest {
  private static final long SLOT = PartitionTime.SLOT_MS;

  private static ClickHouseSinkWriter<Long> writer(String lineage, long restoredFrom) {
    return new ClickHouseSinkWriter<>(t -> "{\"t\":" + t + "}", t -> t, "db.t", lineage, 3,
        restoredFrom);
  }

  private static ClickHouseBatch only(ClickHouseSinkWriter<Long> w) {
    List<ClickHouseBatch> batches = new ArrayList<>(w.prepareCommit());
    assertThat(batches).hasSize(1);
    return batches.get(0);
  }

  @Test
  void batchIdsFollowTheLineageAndCheckpointsNotAttemptsOrCounters() throws Exception {
    ClickHouseSinkWriter<Long> w = writer("lin", 0);
    w.write(1L, null);
    assertThat(only(w).batchId()).isEqualTo("lin-s3-c0-1");
    assertThat(w.snapshotState(41)).containsExactly(new ClickHouseWriterState("lin", 41));
    w.write(2L, null);
    assertThat(only(w).batchId()).isEqualTo("lin-s3-c41-1");
    w.write(3L, null);
    assertThat(only(w).batchId()).isEqualTo("lin-s3-c41-2"); // end of input before a checkpoint
    assertThat(w.prepareCommit()).isEmpty();

    // a writer restored from checkpoint 42 (a JobManager failover: same job id, attempt 0)
    // cannot produce an id of the batches before it, which were all part of checkpoints <= 42
    ClickHouseSinkWriter<Long> restored = writer("lin", 42);
    restored.write(4L, null);
    assertThat(only(restored).batchId()).isEqualTo("lin-s3-c42-1");
  }

  @Test
  void rowsOfDifferentPartitionSlotsGoToDifferentPartsInArrivalOrder() {
    ClickHouseSinkWriter<Long> w = writer("lin", 0);
    w.write(5 * SLOT + 1, null);
    w.write(7 * SLOT, null);
    w.write(5 * SLOT + 2, null);
    ClickHouseBatch batch = only(w);
    assertThat(batch.parts()).hasSize(2);
    assertThat(batch.parts().get(0).rows()).containsExactly(
        "{\"t\":" + (5 * SLOT + 1) + "}", "{\"t\":" + (5 * SLOT + 2) + "}");
    assertThat(batch.parts().get(1).rows()).containsExactly("{\"t\":" + 7 * SLOT + "}");
    assertThat(batch.parts().get(1).partition()).isEqualTo(
        java.time.Instant.ofEpochMilli(7 * SLOT).toString());
  }

  @Test
  void aLargeSlotIsCutIntoPartsThatEachFitOneBlock() {
    ClickHouseSinkWriter<Long> w = writer("lin", 0);
    int n = ClickHouseSinkWriter.MAX_PART_ROWS * 2 + 5;
    for (int i = 0; i < n; i++) {
      w.write((long) i, null);
    }
    ClickHouseBatch batch = only(w);
    assertThat(batch.parts()).extracting(p -> p.rows().size()).containsExactly(
        ClickHouseSinkWriter.MAX_PART_ROWS, ClickHouseSinkWriter.MAX_PART_ROWS, 5);
    assertThat(batch.rowCount()).isEqualTo(n);
  }

  @Test
  void aTableWithoutPartitionsIsOnePart() {
    ClickHouseSinkWriter<Long> w = new ClickHouseSinkWriter<>(t -> "{}", null, "db.t", "l", 0, 0);
    w.write(1L, null);
    w.write(10 * SLOT, null);
    assertThat(only(w).parts()).hasSize(1);
  }

  @Test
  void theWriterStateRoundTrips() throws Exception {
    ClickHouseWriterStateSerializer s = new ClickHouseWriterStateSerializer();
    ClickHouseWriterState state = new ClickHouseWriterState("0123456789abcdef", 1234567L);
    assertThat(s.deserialize(s.getVersion(), s.serialize(state))).isEqualTo(state);
  }
}
