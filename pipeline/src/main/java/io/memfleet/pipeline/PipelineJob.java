package io.memfleet.pipeline;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the job jar on a Flink cluster (the Flink Kubernetes Operator's application
 * mode): the same job as {@code memfleet pipeline}, on the cluster's execution environment instead
 * of a local MiniCluster. Settings come from the {@code MEMFLEET_*} environment of the job manager
 * and from {@code key=value} program arguments ({@link PipelineOptions}); parallelism,
 * checkpoint storage and state backend are the cluster's (FlinkDeployment
 * {@code flinkConfiguration}).
 *
 * <pre>
 * job:
 *   jarURI: local:///opt/flink/usrlib/memfleet-pipeline.jar
 *   args: ["memfleet.time.out-of-orderness=5 s"]
 * </pre>
 */
public final class PipelineJob {
  private PipelineJob() {}

  /** The job configuration: defaults, the environment, then {@code key=value} arguments. */
  static Configuration options(String[] args) {
    Configuration conf = PipelineOptions.fromEnvironment(System.getenv());
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("job arguments are key=value, got '" + arg + "'");
      }
      PipelineOptions.set(conf, arg.substring(0, eq).trim(), arg.substring(eq + 1).trim());
    }
    return conf;
  }

  public static void main(String[] args) throws Exception {
    Configuration options = options(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (env.getCheckpointInterval() <= 0) {
      env.enableCheckpointing(options.get(PipelineOptions.CHECKPOINT_INTERVAL).toMillis());
    }
    PipelineCommand.attachJob(env, options);
    env.execute("memfleet pipeline");
  }
}
