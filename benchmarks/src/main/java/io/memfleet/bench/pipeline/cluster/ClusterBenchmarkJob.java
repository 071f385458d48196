package io.memfleet.bench.pipeline.cluster;

import io.memfleet.pipeline.MemfleetJob;
import io.memfleet.pipeline.PipelineOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the benchmark's job jar on a Flink cluster: stage JOB of {@code
 * DecodeAlignBenchmark} — the whole job as {@code memfleet pipeline} runs it, production Kafka
 * sources, the spine, the ClickHouse outputs, detection and OOM forensics — with sinks that count
 * into Flink metrics ({@link MetricCountingSink}, {@link MetricTableSinks}) in place of ClickHouse
 * and the alert and snapshot topics. Dead letters go to Kafka as in production. Settings as
 * {@code PipelineJob}: defaults, the {@code MEMFLEET_*} environment of the JobManager, then
 * {@code key=value} program arguments; parallelism and checkpoints are the cluster's.
 *
 * <pre>
 * POST /jars/{jar}/run {"parallelism": 2, "programArgsList": [
 *     "memfleet.kafka.bootstrap-servers=127.0.0.1:9092", "memfleet.kafka.group-id=bench-1", ...]}
 * </pre>
 */
public final class ClusterBenchmarkJob {
  /** The job's name on the cluster. */
  public static final String NAME = "memfleet JOB benchmark";

  private ClusterBenchmarkJob() {}

  public static void main(String[] args) throws Exception {
    Configuration options = PipelineOptions.fromEnvironment(System.getenv());
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("job arguments are key=value, got '" + arg + "'");
      }
      PipelineOptions.set(options, arg.substring(0, eq).trim(), arg.substring(eq + 1).trim());
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    MetricTableSinks outputs = new MetricTableSinks();
    WholeJob.stages(MemfleetJob.kafka(options).eventSink(new MetricCountingSink()),
        outputs).build().attach(env);
    env.execute(NAME);
  }
}
