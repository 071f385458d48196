package io.memfleet.pipeline.clickhouse;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;

/**
 * Collects encoded rows until the next checkpoint and hands them over as one
 * {@link ClickHouseBatch}. Writes nothing itself: rows reach ClickHouse only through the
 * {@link ClickHouseCommitter} after their checkpoint completed, which is what makes a replay after a
 * restart harmless.
 */
final class ClickHouseSinkWriter<T> implements CommittingSinkWriter<T, ClickHouseBatch> {
  private final RowEncoder<T> encoder;
  private final String table;
  private final String batchPrefix;
  private List<String> rows = new ArrayList<>();
  private long batches;

  /**
   * @param batchPrefix job id, subtask and attempt: unique per writer instance, so that batch ids
   *     never repeat across failovers or jobs
   */
  ClickHouseSinkWriter(RowEncoder<T> encoder, String table, String batchPrefix) {
    this.encoder = encoder;
    this.table = table;
    this.batchPrefix = batchPrefix;
  }

  @Override
  public void write(T element, Context context) {
    rows.add(encoder.encode(element));
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
    ClickHouseBatch batch = new ClickHouseBatch(batchPrefix + "-" + (++batches), table, rows);
    rows = new ArrayList<>();
    return List.of(batch);
  }

  @Override
  public void close() {
    rows = List.of();
  }
}
