package io.memfleet.bench.pipeline.cluster;

import io.memfleet.pipeline.MemfleetJob;
import io.memfleet.pipeline.aggregate.AggregationExtension;
import io.memfleet.pipeline.clickhouse.TableSinks;
import io.memfleet.pipeline.detect.DetectionExtension;
import io.memfleet.pipeline.forensics.ForensicsExtension;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * The whole job's stages as {@code memfleet pipeline} builds them — aggregation, detection, OOM
 * forensics, their settings from the job's options only — with every output counted instead of
 * written: tables' rows encoded as for ClickHouse, alerts and snapshots as records. In this
 * package because the cluster benchmark's job jar carries its classes.
 *
 * <pre>{@code
 * WholeJob.stages(MemfleetJob.kafka(options).eventSink(sink), new CountingOutputs()).build();
 * }</pre>
 */
public final class WholeJob {
  /** Sinks for every table, and for outputs counted as records. */
  public interface CountedOutputs extends TableSinks {
    /** A sink that counts the records of {@code output} without encoding them. */
    <T> Sink<T> records(String output);
  }

  private WholeJob() {}

  /** {@code builder} with the whole job's stages and {@code outputs} for their outputs. */
  public static MemfleetJob.Builder stages(MemfleetJob.Builder builder, CountedOutputs outputs) {
    return builder
        .extension(new AggregationExtension())
        .extension(new DetectionExtension(Map.of()))
        .extension(new ForensicsExtension(Map.of()))
        .outputSinks(outputs)
        .sink(DetectionExtension.ALERTS, outputs.records("alerts"))
        .sink(ForensicsExtension.OOM_SNAPSHOTS, outputs.records("oom_snapshots"));
  }
}
