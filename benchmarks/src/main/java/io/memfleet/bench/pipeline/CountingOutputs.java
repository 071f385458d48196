package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.cluster.WholeJob;
import io.memfleet.pipeline.clickhouse.PartitionTime;
import io.memfleet.pipeline.clickhouse.RowEncoder;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The whole job's outputs, minus the servers: every ClickHouse table's rows are encoded as the
 * production sink encodes them (JSONEachRow) and counted with their bytes, alerts and OOM
 * snapshots are counted. What a benchmark of the whole job then measures is the job's own work,
 * not ClickHouse's or Kafka's. Counts are per output, shared by the subtasks of a MiniCluster in
 * this JVM.
 *
 * <pre>{@code
 * CountingOutputs outputs = new CountingOutputs();
 * WholeJob.stages(builder, outputs);
 * ...
 * outputs.counts();   // {"alerts" -> 3, "events_raw" -> 1000000, ...}
 * outputs.release();
 * }</pre>
 */
final class CountingOutputs implements WholeJob.CountedOutputs {
  private static final Map<String, Map<String, LongAdder>> COUNTS = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();

  CountingOutputs() {
    COUNTS.put(id, new ConcurrentHashMap<>());
  }

  @Override
  public <T> Sink<T> sink(String table, RowEncoder<T> encoder, PartitionTime<T> partitionTime) {
    return new Counting<>(id, table, encoder);
  }

  @Override
  public <T> Sink<T> records(String output) {
    return new Counting<>(id, output, null);
  }

  /** Rows (records) per output so far, by name; "BYTES table" holds a table's encoded bytes. */
  Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    COUNTS.getOrDefault(id, Map.of()).forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  void release() {
    COUNTS.remove(id);
  }

  private static final class Counting<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private final String id;
    private final String output;
    private final RowEncoder<T> encoder;

    Counting(String id, String output, RowEncoder<T> encoder) {
      this.id = id;
      this.output = output;
      this.encoder = encoder;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      Map<String, LongAdder> counts = COUNTS.get(id);
      if (counts == null) {
        throw new IllegalStateException("counting outputs used outside the JVM that made them");
      }
      LongAdder rows = counts.computeIfAbsent(output, k -> new LongAdder());
      LongAdder bytes = counts.computeIfAbsent("BYTES " + output, k -> new LongAdder());
      return new SinkWriter<>() {
        @Override
        public void write(T element, Context context) {
          if (encoder != null) {
            bytes.add(encoder.encode(element).length());
          }
          rows.increment();
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
