package io.memfleet.bench.pipeline.cluster;

import io.memfleet.pipeline.clickhouse.PartitionTime;
import io.memfleet.pipeline.clickhouse.RowEncoder;
import io.memfleet.pipeline.clickhouse.TableSinks;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The whole job's outputs on a cluster, minus the servers, as the harness's in-JVM
 * {@code CountingOutputs}: every ClickHouse table's rows are encoded as the production sink encodes
 * them (JSONEachRow) and counted with their bytes; alerts and OOM snapshots are counted. The counts
 * are Flink metrics of each subtask, {@code memfleetBench.output.<name>.rows} and {@code .bytes}
 * ({@link BenchmarkMetrics}).
 *
 * <pre>{@code
 * MetricTableSinks outputs = new MetricTableSinks();
 * WholeJob.stages(builder, outputs);
 * }</pre>
 */
public final class MetricTableSinks implements WholeJob.CountedOutputs {

  @Override
  public <T> Sink<T> sink(String table, RowEncoder<T> encoder, PartitionTime<T> partitionTime) {
    return new Counting<>(table, encoder);
  }

  @Override
  public <T> Sink<T> records(String output) {
    return new Counting<>(output, null);
  }

  private static final class Counting<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private final String output;
    private final RowEncoder<T> encoder;

    Counting(String output, RowEncoder<T> encoder) {
      this.output = output;
      this.encoder = encoder;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
      MetricGroup group = context.metricGroup().addGroup(BenchmarkMetrics.GROUP)
          .addGroup(BenchmarkMetrics.OUTPUT).addGroup(output);
      Counter rows = group.counter(BenchmarkMetrics.ROWS);
      Counter bytes = group.counter(BenchmarkMetrics.BYTES);
      return new SinkWriter<>() {
        @Override
        public void write(T element, Context context) {
          if (encoder != null) {
            bytes.inc(encoder.encode(element).length());
          }
          rows.inc();
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }
}
