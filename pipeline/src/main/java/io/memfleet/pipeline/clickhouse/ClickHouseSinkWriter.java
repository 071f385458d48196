package io.memfleet.pipeline.clickhouse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;

/**
 * Collects encoded rows until the next checkpoint and hands them over as one
 * {@link ClickHouseBatch}, split by partition slot ({@link PartitionTime}) into parts of at most
 * {@link #MAX_PART_ROWS} rows. Writes nothing itself: rows reach ClickHouse only through the
 * {@link ClickHouseCommitter} after their checkpoint completed, which is what makes a replay after
 * a restart harmless.
 *
 * <p>Batch ids are {@code <lineage>-s<subtask>-c<checkpoint>-<n>}: the lineage comes from state
 * ({@link ClickHouseWriterState}; drawn at random when the sink first runs without state), the
 * checkpoint is the last one this writer snapshotted or was restored from, and n counts the
 * batches since. Nothing in it depends on the job id or attempt number, which a JobManager
 * failover or a last-state upgrade keeps or resets: a batch is committed only once its checkpoint
 * completed, so a restored writer (from that checkpoint or a later one) never reuses the id of a
 * committed batch. A job restored twice from one savepoint would; the committer tells such a
 * batch from a replay by its checksum.
 */
final class ClickHouseSinkWriter<T> implements CommittingSinkWriter<T, ClickHouseBatch>,
    StatefulSinkWriter<T, ClickHouseWriterState> {
  /** Rows per INSERT: well below ClickHouse's max_insert_block_size (1 048 576), so one block. */
  static final int MAX_PART_ROWS = 50_000;

  private final RowEncoder<T> encoder;
  private final PartitionTime<T> partitionTime;
  private final String table;
  private final String lineage;
  private final int subtask;
  private long checkpointId;
  private int sequence;
  private Map<Long, List<String>> rows = new LinkedHashMap<>();

  /**
   * @param partitionTime the partitioning time of a row, or null for a table without partitions
   * @param checkpointId the checkpoint restored from (0 on a fresh start)
   */
  ClickHouseSinkWriter(RowEncoder<T> encoder, PartitionTime<T> partitionTime, String table,
      String lineage, int subtask, long checkpointId) {
    this.encoder = encoder;
    this.partitionTime = partitionTime;
    this.table = table;
    this.lineage = lineage;
    this.subtask = subtask;
    this.checkpointId = checkpointId;
  }

  @Override
  public void write(T element, Context context) {
    long slot = partitionTime == null ? 0
        : Math.floorDiv(partitionTime.epochMillis(element), PartitionTime.SLOT_MS);
    rows.computeIfAbsent(slot, s -> new ArrayList<>()).add(encoder.encode(element));
  }

  @Override
  public void flush(boolean endOfInput) {
    // rows are handed over in prepareCommit, which Flink calls right after this, also at the end
  }

  @Override
  public Collection<ClickHouseBatch> prepareCommit() {
    if (rows.isEmpty()) {
      return List.of();
    }
    List<ClickHouseBatch.Part> parts = new ArrayList<>();
    for (Map.Entry<Long, List<String>> slot : rows.entrySet()) {
      String partition = partitionTime == null ? "all"
          : Instant.ofEpochMilli(slot.getKey() * PartitionTime.SLOT_MS).toString();
      List<String> all = slot.getValue();
      for (int from = 0; from < all.size(); from += MAX_PART_ROWS) {
        parts.add(new ClickHouseBatch.Part(partition,
            all.subList(from, Math.min(all.size(), from + MAX_PART_ROWS))));
      }
    }
    String id = lineage + "-s" + subtask + "-c" + checkpointId + "-" + (++sequence);
    rows = new LinkedHashMap<>();
    return List.of(new ClickHouseBatch(id, table, parts));
  }

  @Override
  public List<ClickHouseWriterState> snapshotState(long checkpointId) {
    this.checkpointId = checkpointId;
    this.sequence = 0;
    return List.of(new ClickHouseWriterState(lineage, checkpointId));
  }

  @Override
  public void close() {
    rows = new LinkedHashMap<>();
  }
}
