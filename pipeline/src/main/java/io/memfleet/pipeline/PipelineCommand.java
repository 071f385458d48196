package io.memfleet.pipeline;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code memfleet pipeline}: runs the pipeline job on an embedded Flink MiniCluster, with the Flink
 * web UI on localhost, against the local stack's Kafka ({@code memfleet up}) or any other.
 * Settings come from {@link PipelineOptions}: defaults, then {@code MEMFLEET_*} environment
 * variables, then these flags, then {@code -D key=value}. {@link PipelineExtension}s on the class
 * path (ServiceLoader) are attached. {@code --plan} prints the job graph and exits.
 *
 * <pre>{@code
 * ./memfleet pipeline                                  # web UI at http://127.0.0.1:18081
 * ./memfleet pipeline --kafka-bootstrap kafka:9092 -D memfleet.join.interval=1min
 * }</pre>
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = "Run the memfleet Flink job (decode, clock alignment, per-process join) on an "
        + "embedded MiniCluster with the Flink web UI on localhost.")
public class PipelineCommand implements Callable<Integer> {

  @Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"--kafka-bootstrap", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (MEMFLEET_KAFKA_BOOTSTRAP, as for the collectors,"
          + " or MEMFLEET_KAFKA_BOOTSTRAP_SERVERS; default 127.0.0.1:19092).")
  String bootstrapServers;

  @Option(names = "--group-id", description = "Kafka consumer group (MEMFLEET_KAFKA_GROUP_ID).")
  String groupId;

  @Option(names = "--parallelism", description = "Operator parallelism "
      + "(MEMFLEET_PIPELINE_PARALLELISM, default 2).")
  Integer parallelism;

  @Option(names = "--web-ui-port", description = "Flink web UI port on 127.0.0.1 "
      + "(MEMFLEET_WEB_UI_PORT, as for up, or MEMFLEET_PIPELINE_WEB_UI_PORT; default 18081).")
  Integer webUiPort;

  @Option(names = "--out-of-orderness", description = "Bounded out-of-orderness, e.g. 2s "
      + "(MEMFLEET_TIME_OUT_OF_ORDERNESS).")
  String outOfOrderness;

  @Option(names = "--idleness", description = "Idle timeout of quiet partitions, e.g. 10s "
      + "(MEMFLEET_TIME_IDLENESS).")
  String idleness;

  @Option(names = "--join-interval", description = "Oldest managed-heap sample joined with an "
      + "RSS sample, e.g. 30s (MEMFLEET_JOIN_INTERVAL).")
  String joinInterval;

  @Option(names = "--hold-timeout", description = "Longest wait for a host's calibration, e.g. "
      + "30s (MEMFLEET_CLOCK_HOLD_TIMEOUT).")
  String holdTimeout;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Any option of the reference "
      + "(see the pipeline README), e.g. -D memfleet.clock.hold-max-events=5000.")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(names = "--plan", description = "Print the job graph (JSON) and exit without running.")
  boolean plan;

  public PipelineCommand() {}

  @Override
  public Integer call() throws Exception {
    Configuration options = options(System.getenv());
    PrintWriter out = spec.commandLine().getOut();
    int port = options.get(PipelineOptions.WEB_UI_PORT);
    Configuration flink = new Configuration();
    flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    flink.set(RestOptions.ADDRESS, "127.0.0.1");
    flink.set(RestOptions.PORT, port);
    flink.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        options.get(PipelineOptions.CHECKPOINT_DIR));
    flink.set(org.apache.flink.configuration.CoreOptions.TMP_DIRS,
        options.get(PipelineOptions.TMP_DIR));
    StreamExecutionEnvironment env = plan
        ? StreamExecutionEnvironment.createLocalEnvironment(flink)
        : StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
    env.setParallelism(options.get(PipelineOptions.PARALLELISM));
    env.enableCheckpointing(options.get(PipelineOptions.CHECKPOINT_INTERVAL).toMillis());

    int extensions = attachJob(env, options);
    if (plan) {
      out.println(env.getExecutionPlan());
      out.flush();
      return 0;
    }
    out.printf("memfleet pipeline: Kafka %s, %d extension(s), Flink web UI at "
        + "http://127.0.0.1:%d%n", options.get(PipelineOptions.BOOTSTRAP_SERVERS), extensions,
        port);
    out.flush();
    env.execute("memfleet pipeline");
    return 0;
  }

  /**
   * Builds the production job on {@code env}: Kafka sources and dead-letter sink, and every
   * {@link PipelineExtension} on the class path. Returns how many extensions were attached.
   */
  static int attachJob(StreamExecutionEnvironment env, Configuration options) throws Exception {
    MemfleetJob.Builder job = MemfleetJob.kafka(options);
    int extensions = 0;
    for (PipelineExtension extension : PipelineExtension.loaded()) {
      job.extension(extension);
      extensions++;
    }
    job.build().attach(env);
    return extensions;
  }

  /** Defaults, then the environment, then flags, then -D. */
  Configuration options(Map<String, String> environment) {
    Configuration conf = PipelineOptions.fromEnvironment(environment);
    if (bootstrapServers != null) {
      conf.set(PipelineOptions.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    if (groupId != null) {
      conf.set(PipelineOptions.GROUP_ID, groupId);
    }
    if (parallelism != null) {
      conf.set(PipelineOptions.PARALLELISM, parallelism);
    }
    if (webUiPort != null) {
      conf.set(PipelineOptions.WEB_UI_PORT, webUiPort);
    }
    setDuration(conf, PipelineOptions.OUT_OF_ORDERNESS.key(), outOfOrderness);
    setDuration(conf, PipelineOptions.IDLENESS.key(), idleness);
    setDuration(conf, PipelineOptions.JOIN_INTERVAL.key(), joinInterval);
    setDuration(conf, PipelineOptions.HOLD_TIMEOUT.key(), holdTimeout);
    properties.forEach((k, v) -> PipelineOptions.set(conf, k, v));
    return conf;
  }

  private static void setDuration(Configuration conf, String key, String value) {
    if (value != null) {
      Duration parsed = TimeUtils.parseDuration(value);
      PipelineOptions.set(conf, key, parsed.toMillis() + " ms");
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new PipelineCommand()).execute(args));
  }
}
