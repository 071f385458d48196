package io.memfleet.bench.clickhouse;

import io.memfleet.pipeline.clickhouse.ClickHouseSink;
import io.memfleet.pipeline.clickhouse.ClickHouseSinkOptions;
import io.memfleet.pipeline.clickhouse.RowEncoder;
import io.memfleet.pipeline.clickhouse.Rows;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A table the pipeline writes through {@link ClickHouseSink}, with the generator of its input and
 * the pipeline's own row encoder ({@link Rows}) — what the sink benchmark pushes through the sink
 * and, for the baseline, inserts directly.
 */
enum SinkTable {
  EVENTS_RAW("events_raw"),
  PROCESS_MEMORY_10S("process_memory_10s"),
  PROCESS_MEMORY_1M("process_memory_1m"),
  GC_PAUSES("gc_pauses");

  private final String table;

  SinkTable(String table) {
    this.table = table;
  }

  String table() {
    return table;
  }

  static List<String> names() {
    return Arrays.stream(values()).map(SinkTable::table).toList();
  }

  static SinkTable named(String table) {
    return Arrays.stream(values()).filter(t -> t.table.equals(table)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no sink table " + table));
  }

  /** A fresh generator and encoder; each thread of the baseline takes its own. */
  Plan<?> plan(long startMs, int processes) {
    return switch (this) {
      case EVENTS_RAW -> new Plan<>(new GeneratedRows.Events(startMs, processes, false),
          Rows::rawEvent);
      case PROCESS_MEMORY_10S -> new Plan<>(new GeneratedRows.Windows(startMs, 10_000, processes),
          Rows::processWindow);
      case PROCESS_MEMORY_1M -> new Plan<>(new GeneratedRows.Windows(startMs, 60_000, processes),
          Rows::processWindow);
      case GC_PAUSES -> new Plan<>(new GeneratedRows.Events(startMs, processes, true),
          Rows::gcPause);
    };
  }

  /** Element {@code i} of the input, and how the pipeline turns it into a row. */
  record Plan<T>(MapFunction<Long, T> generator, RowEncoder<T> encoder) {
    /** Generated elements into the real sink, for {@code table} of the options' database. */
    void attach(DataStream<Long> ids, ClickHouseSinkOptions options, String table) {
      ids.map(generator).name("generate-" + table)
          .sinkTo(ClickHouseSink.<T>builder().options(options).table(table).encoder(encoder)
              .build())
          .name(table + "-sink");
    }

    /** Row {@code i} as the sink's writer encodes it (before the committer adds batch_id). */
    String row(long i) throws Exception {
      return encoder.encode(generator.map(i));
    }
  }
}
