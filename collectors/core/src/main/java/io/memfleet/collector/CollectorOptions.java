package io.memfleet.collector;

import io.memfleet.schema.kafka.KafkaSecurity;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Settings every collector shares: where Kafka is, where and how big the spool is, and what
 * cluster/node/service/labels the events are stamped with. One declaration, three ways in:
 *
 * <ul>
 *   <li>picocli: {@code @Mixin CollectorOptions common;} adds {@code --kafka-bootstrap},
 *       {@code --spool-dir}, {@code --spool-max-bytes}, {@code --cluster}, {@code --node},
 *       {@code --service}, {@code --labels} and the Kafka security options of {@link
 *       KafkaSecurityOptions} ({@code --kafka-security-protocol}, {@code --kafka-username}, …);
 *   <li>a Java agent's option string: {@link #set(String, String)} with keys {@code bootstrap},
 *       {@code spoolDir}, {@code spoolMaxBytes}, {@code cluster}, {@code node}, {@code service},
 *       {@code labels} and the security keys of {@link KafkaSecurityOptions#set};
 *   <li>the environment, which supplies every default:
 * </ul>
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>option</th><th>environment</th><th>default</th></tr>
 *   <tr><td>--kafka-bootstrap</td><td>MEMFLEET_KAFKA_BOOTSTRAP</td><td>127.0.0.1:19092</td></tr>
 *   <tr><td>--spool-dir</td><td>MEMFLEET_SPOOL_DIR</td>
 *       <td>~/.memfleet/spool/&lt;collector&gt;/&lt;instance&gt;</td></tr>
 *   <tr><td>--spool-max-bytes</td><td>MEMFLEET_SPOOL_MAX_BYTES</td><td>268435456</td></tr>
 *   <tr><td>--cluster</td><td>MEMFLEET_CLUSTER</td><td>local</td></tr>
 *   <tr><td>--node</td><td>MEMFLEET_NODE</td><td>host name</td></tr>
 *   <tr><td>--service</td><td>MEMFLEET_SERVICE</td><td>none</td></tr>
 *   <tr><td>--labels</td><td>MEMFLEET_LABELS</td><td>none ({@code k=v,k2=v2})</td></tr>
 * </table>
 *
 * <pre>{@code
 * CollectorOptions o = CollectorOptions.fromEnvironment();
 * o.set("bootstrap", "kafka:9092");
 * KafkaEventSink sink = o.sinkBuilder("jfr-agent", "jfr-agent/host/4242").build();
 * }</pre>
 */
public final class CollectorOptions {
  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:19092";
  public static final long DEFAULT_SPOOL_MAX_BYTES = 256L * 1024 * 1024;

  @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT",
      defaultValue = "${env:MEMFLEET_KAFKA_BOOTSTRAP:-127.0.0.1:19092}",
      description = "Kafka bootstrap servers (MEMFLEET_KAFKA_BOOTSTRAP;"
          + " default: ${DEFAULT-VALUE}).")
  String kafkaBootstrap;

  @Option(names = "--spool-dir", paramLabel = "DIR", defaultValue = "${env:MEMFLEET_SPOOL_DIR}",
      description = "Spool directory used while Kafka is unreachable (MEMFLEET_SPOOL_DIR;"
          + " default: ~/.memfleet/spool/<collector>).")
  Path spoolDir;

  @Option(names = "--spool-max-bytes", paramLabel = "BYTES",
      defaultValue = "${env:MEMFLEET_SPOOL_MAX_BYTES:-268435456}",
      description = "Spool size bound; beyond it events are dropped and counted"
          + " (MEMFLEET_SPOOL_MAX_BYTES; default: ${DEFAULT-VALUE}).")
  long spoolMaxBytes;

  @Option(names = "--cluster", defaultValue = "${env:MEMFLEET_CLUSTER:-local}",
      description = "Cluster name stamped on events (MEMFLEET_CLUSTER; default: ${DEFAULT-VALUE}).")
  String cluster;

  @Option(names = "--node", defaultValue = "${env:MEMFLEET_NODE}",
      description = "Node name stamped on events (MEMFLEET_NODE; default: the host name).")
  String node;

  @Option(names = "--service", defaultValue = "${env:MEMFLEET_SERVICE}",
      description = "Service name stamped on events (MEMFLEET_SERVICE; default: none).")
  String service;

  @Option(names = "--labels", paramLabel = "K=V[,K=V...]", defaultValue = "${env:MEMFLEET_LABELS}",
      description = "Labels stamped on events (MEMFLEET_LABELS; default: none).")
  String labels;

  @Mixin KafkaSecurityOptions kafkaSecurity;

  /** Defaults from the environment (picocli fills the same fields when used as a mixin). */
  public CollectorOptions() {
    this(System.getenv()::get);
  }

  CollectorOptions(Function<String, String> env) {
    kafkaBootstrap = or(env.apply("MEMFLEET_KAFKA_BOOTSTRAP"), DEFAULT_BOOTSTRAP);
    String dir = env.apply("MEMFLEET_SPOOL_DIR");
    spoolDir = dir == null || dir.isBlank() ? null : Path.of(dir);
    String max = env.apply("MEMFLEET_SPOOL_MAX_BYTES");
    spoolMaxBytes = max == null || max.isBlank() ? DEFAULT_SPOOL_MAX_BYTES : Long.parseLong(max);
    cluster = or(env.apply("MEMFLEET_CLUSTER"), "local");
    node = env.apply("MEMFLEET_NODE");
    service = env.apply("MEMFLEET_SERVICE");
    labels = env.apply("MEMFLEET_LABELS");
    kafkaSecurity = new KafkaSecurityOptions(env);
  }

  public static CollectorOptions fromEnvironment() {
    return new CollectorOptions();
  }

  private static String or(String v, String fallback) {
    return v == null || v.isBlank() ? fallback : v;
  }

  /**
   * Sets one option by its agent-string key.
   *
   * @return false when {@code key} is not a common option (the caller may know it)
   * @throws IllegalArgumentException for a malformed value
   */
  public boolean set(String key, String value) {
    switch (key) {
      case "bootstrap", "kafkaBootstrap" -> kafkaBootstrap = value;
      case "spoolDir" -> spoolDir = Path.of(value);
      case "spoolMaxBytes" -> spoolMaxBytes = parseBytes(value);
      case "cluster" -> cluster = value;
      case "node" -> node = value;
      case "service" -> service = value;
      case "labels" -> {
        ProcessIdentities.parseLabels(value.replace(';', ','));
        labels = value.replace(';', ',');
      }
      default -> {
        return kafkaSecurity.set(key, value);
      }
    }
    return true;
  }

  /** Parses a byte count with an optional k/m/g suffix (binary units). */
  public static long parseBytes(String value) {
    String v = value.strip().toLowerCase();
    long unit = 1;
    if (v.endsWith("k") || v.endsWith("m") || v.endsWith("g")) {
      unit = v.endsWith("k") ? 1024 : v.endsWith("m") ? 1024 * 1024 : 1024L * 1024 * 1024;
      v = v.substring(0, v.length() - 1);
    }
    try {
      return Long.parseLong(v) * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a byte count: '" + value + "'");
    }
  }

  public String kafkaBootstrap() {
    return kafkaBootstrap;
  }

  /**
   * The configured spool directory, or {@code ~/.memfleet/spool/<collector>} (the parent of the
   * instances' directories, see {@link #sinkBuilder}).
   */
  public Path spoolDir(String collector) {
    return spoolDir != null ? spoolDir
        : Path.of(System.getProperty("user.home"), ".memfleet", "spool", collector);
  }

  public long spoolMaxBytes() {
    return spoolMaxBytes;
  }

  public String cluster() {
    return cluster;
  }

  /** The node name, the host name when not configured. */
  public String node() {
    return node == null || node.isBlank() ? ProcessIdentities.hostName() : node;
  }

  public String service() {
    return service;
  }

  public Map<String, String> labels() {
    return ProcessIdentities.parseLabels(labels);
  }

  /** Identities stamped with these options' cluster, node, service and labels. */
  public ProcessIdentities identities() {
    return identities(Path.of("/proc"));
  }

  /** As {@link #identities()}, reading processes under {@code procRoot} (e.g. /host/proc). */
  public ProcessIdentities identities(Path procRoot) {
    var b = ProcessIdentities.builder().cluster(cluster).node(node()).service(service)
        .labels(labels()).procRoot(procRoot);
    b.kubernetes(System.getenv("MEMFLEET_NAMESPACE"), System.getenv("MEMFLEET_POD"));
    return b.build();
  }

  /**
   * How the collector authenticates to Kafka and encrypts the connection.
   *
   * @throws IllegalArgumentException when the security settings do not fit together
   */
  public KafkaSecurity kafkaSecurity() {
    return kafkaSecurity.security();
  }

  /**
   * A sink builder for these options. Without a configured spool directory each instance gets its
   * own under {@code ~/.memfleet/spool/<collector>/} (the first free of {@code 0}, {@code 1}, …);
   * a configured one is used as is, and a second collector on it fails to start.
   *
   * @throws IllegalArgumentException when the Kafka security settings do not fit together
   */
  public KafkaEventSink.Builder sinkBuilder(String collector, String collectorId) {
    KafkaEventSink.Builder b = KafkaEventSink.builder().bootstrapServers(kafkaBootstrap)
        .collectorId(collectorId).spoolMaxBytes(spoolMaxBytes).security(kafkaSecurity());
    return spoolDir != null ? b.spoolDir(spoolDir) : b.instanceSpoolDirs(spoolDir(collector));
  }
}
