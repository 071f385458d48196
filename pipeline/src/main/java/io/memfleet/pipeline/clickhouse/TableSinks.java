package io.memfleet.pipeline.clickhouse;

import org.apache.flink.api.connector.sink2.Sink;

/**
 * Makes the sink of one output table. Production writes ClickHouse ({@link #clickHouse}, exactly
 * once); a benchmark or a test passes its own for every output to
 * {@code MemfleetJob.Builder#outputSinks} — e.g. one that encodes every row and counts it — and
 * the job around it stays the one production runs.
 *
 * <pre>{@code
 * builder.outputSinks((table, encoder, partitionTime) -> new CountingRows<>(table, encoder));
 * }</pre>
 */
@FunctionalInterface
public interface TableSinks {
  /**
   * The sink of {@code table}'s rows.
   *
   * @param partitionTime the time of the column the table is partitioned by; null: none
   */
  <T> Sink<T> sink(String table, RowEncoder<T> encoder, PartitionTime<T> partitionTime);

  /** ClickHouse tables with these options, written exactly once by {@link ClickHouseSink}. */
  static TableSinks clickHouse(ClickHouseSinkOptions options) {
    return new TableSinks() {
      @Override
      public <T> Sink<T> sink(String table, RowEncoder<T> encoder,
          PartitionTime<T> partitionTime) {
        return ClickHouseSink.<T>builder().options(options).table(table).encoder(encoder)
            .partitionTime(partitionTime).build();
      }
    };
  }
}
