package io.memfleet.pipeline;

import io.memfleet.pipeline.clickhouse.ClickHouseOptions;
import io.memfleet.pipeline.time.ClockAlignSettings;
import io.memfleet.pipeline.time.ClockModelSettings;
import io.memfleet.schema.Topics;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of the memfleet pipeline job: typed {@link ConfigOption}s with defaults that work
 * against {@code memfleet up}'s local stack, each overridable by an environment variable (the key
 * upper-cased, dots and dashes as underscores: {@code memfleet.time.out-of-orderness} →
 * {@code MEMFLEET_TIME_OUT_OF_ORDERNESS}) and by the {@code memfleet pipeline} command's flags or
 * {@code -D key=value}. Durations take Flink's syntax ({@code 2 s}, {@code 500ms}, {@code 1 min}).
 *
 * <pre>{@code
 * Configuration conf = PipelineOptions.fromEnvironment(System.getenv());
 * conf.set(PipelineOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(5));
 * Duration ooo = conf.get(PipelineOptions.OUT_OF_ORDERNESS);
 * }</pre>
 */
public final class PipelineOptions {
  private PipelineOptions() {}

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      ConfigOptions.key("memfleet.kafka.bootstrap-servers").stringType()
          .defaultValue("127.0.0.1:19092")
          .withDescription("Kafka bootstrap servers the sources read from and the sinks write to.");

  public static final ConfigOption<String> SECURITY_PROTOCOL =
      ConfigOptions.key("memfleet.kafka.security-protocol").stringType().defaultValue("PLAINTEXT")
          .withDescription("PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, for every Kafka client of"
              + " the job (sources, sinks, their admin clients).");

  public static final ConfigOption<String> SASL_MECHANISM =
      ConfigOptions.key("memfleet.kafka.sasl-mechanism").stringType()
          .defaultValue(KafkaSecurity.DEFAULT_MECHANISM)
          .withDescription("SASL mechanism: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN.");

  public static final ConfigOption<String> USERNAME =
      ConfigOptions.key("memfleet.kafka.username").stringType().defaultValue("")
          .withDescription("SASL user the job's Kafka clients log in as.");

  public static final ConfigOption<String> PASSWORD_FILE =
      ConfigOptions.key("memfleet.kafka.password-file").stringType().defaultValue("")
          .withDescription("File holding the SASL password (a mounted Secret), read on the task"
              + " managers at every login — never part of the job graph.");

  public static final ConfigOption<String> PASSWORD_ENV =
      ConfigOptions.key("memfleet.kafka.password-env").stringType()
          .defaultValue(KafkaSecurity.DEFAULT_PASSWORD_ENV)
          .withDescription("Environment variable (on the task managers) holding the SASL password"
              + " when there is no password file.");

  public static final ConfigOption<String> CA_FILE =
      ConfigOptions.key("memfleet.kafka.ca-file").stringType().defaultValue("")
          .withDescription("PEM file of the CA certificates the brokers' certificates must chain"
              + " to (default: the JVM's trusted CAs).");

  public static final ConfigOption<String> GROUP_ID =
      ConfigOptions.key("memfleet.kafka.group-id").stringType().defaultValue("memfleet-pipeline")
          .withDescription("Kafka consumer group; offsets are committed on checkpoints.");

  public static final ConfigOption<List<String>> EVENT_TOPICS =
      ConfigOptions.key("memfleet.kafka.event-topics").stringType().asList()
          .defaultValues(Topics.eventTopics().toArray(new String[0]))
          .withDescription("Event topics to decode (one per source).");

  public static final ConfigOption<String> CLOCK_TOPIC =
      ConfigOptions.key("memfleet.kafka.clock-topic").stringType().defaultValue(Topics.CLOCK)
          .withDescription("Topic of ClockSync samples.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC =
      ConfigOptions.key("memfleet.kafka.dead-letter-topic").stringType()
          .defaultValue(Topics.DEADLETTER)
          .withDescription("Where records the pipeline cannot process go, with the reason.");

  public static final ConfigOption<MemorySize> DEAD_LETTER_MAX_PAYLOAD =
      ConfigOptions.key("memfleet.kafka.dead-letter-max-payload").memoryType()
          .defaultValue(MemorySize.parse("256kb"))
          .withDescription("Most bytes of the original key and value a dead letter carries; "
              + "longer ones are cut (the dead letter says so, with the original sizes). A dead "
              + "letter's Kafka record stays under this plus 8 KiB, so keep it that far below "
              + "the dead-letter topic's max.message.bytes (Kafka's default: 1 MB).");

  /** Where a consumer group without committed offsets starts. */
  public enum StartFrom { EARLIEST, LATEST }

  public static final ConfigOption<StartFrom> START_FROM =
      ConfigOptions.key("memfleet.kafka.start-from").enumType(StartFrom.class)
          .defaultValue(StartFrom.EARLIEST)
          .withDescription("Start of a new consumer group (committed offsets win when present).");

  public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
      ConfigOptions.key("memfleet.time.out-of-orderness").durationType()
          .defaultValue(Duration.ofSeconds(2))
          .withDescription("Bounded out-of-orderness of event time (after clock alignment) and "
              + "of publish time at the sources.");

  public static final ConfigOption<Duration> IDLENESS =
      ConfigOptions.key("memfleet.time.idleness").durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("A source split, partition or subtask without records for this "
              + "long (not counting time under backpressure) stops holding back the watermark "
              + "— an event-time partition only once the sources are past what it published; "
              + "event-time watermarks start this long after the first event, so partitions "
              + "read a little later are not declared late.");

  public static final ConfigOption<Duration> ALIGNMENT_MAX_DRIFT =
      ConfigOptions.key("memfleet.time.alignment-max-drift").durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription("Watermark alignment: a source split further ahead of the slowest "
              + "than this (publish time) is paused.");

  public static final ConfigOption<Duration> ALIGNMENT_UPDATE_INTERVAL =
      ConfigOptions.key("memfleet.time.alignment-update-interval").durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription("How often sources exchange watermarks for alignment.");

  public static final ConfigOption<Integer> HOLD_MAX_EVENTS =
      ConfigOptions.key("memfleet.clock.hold-max-events").intType().defaultValue(10_000)
          .withDescription("Events held per host boot while it has no calibration; beyond "
              + "this the oldest leaves flagged UNCALIBRATED_HOLD_OVERFLOW.");

  public static final ConfigOption<Duration> HOLD_TIMEOUT =
      ConfigOptions.key("memfleet.clock.hold-timeout").durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription("Longest an event waits for its host's first ClockSync; then it "
              + "leaves flagged UNCALIBRATED_HOLD_TIMEOUT with the publish time.");

  public static final ConfigOption<Integer> CLOCK_WINDOW_SAMPLES =
      ConfigOptions.key("memfleet.clock.window-samples").intType().defaultValue(64)
          .withDescription("ClockSync samples kept per host and clock domain.");

  public static final ConfigOption<Integer> CLOCK_FIT_SAMPLES =
      ConfigOptions.key("memfleet.clock.fit-samples").intType().defaultValue(8)
          .withDescription("How many of the tightest kept samples the offset/drift fit uses.");

  public static final ConfigOption<Duration> CLOCK_STEP_THRESHOLD =
      ConfigOptions.key("memfleet.clock.step-threshold").durationType()
          .defaultValue(Duration.ofMillis(5))
          .withDescription("A sample this far off the fit (and 4x its bound) is a clock step.");

  public static final ConfigOption<Duration> GO_START_TIME_ERROR =
      ConfigOptions.key("memfleet.clock.go-start-time-error").durationType()
          .defaultValue(Duration.ofMillis(10))
          .withDescription("Error bound of Go process-relative times (resolution of the "
              + "process start time: one clock tick).");

  public static final ConfigOption<Duration> HOST_IDLE_TIMEOUT =
      ConfigOptions.key("memfleet.clock.host-idle-timeout").durationType()
          .defaultValue(Duration.ofHours(1))
          .withDescription("A host boot silent this long has its clock models dropped.");

  public static final ConfigOption<Duration> CLOCK_CALIBRATION_INTERVAL =
      ConfigOptions.key("memfleet.clock.calibration-interval").durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription("Least time between two clock_calibration rows of one host's clock"
              + " model (first samples, steps and reboots are written at once).");

  public static final ConfigOption<Duration> JOIN_INTERVAL =
      ConfigOptions.key("memfleet.join.interval").durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription("Oldest managed-heap sample an RSS sample is joined with.");

  public static final ConfigOption<Duration> PROCESS_IDLE_TIMEOUT =
      ConfigOptions.key("memfleet.join.process-idle-timeout").durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription("A process with no event this long (processing time) is forgotten.");

  public static final ConfigOption<Integer> PARALLELISM =
      ConfigOptions.key("memfleet.pipeline.parallelism").intType().defaultValue(2)
          .withDescription("Parallelism of every operator.");

  public static final ConfigOption<Integer> WEB_UI_PORT =
      ConfigOptions.key("memfleet.pipeline.web-ui-port").intType().defaultValue(18081)
          .withDescription("Port of the Flink web UI of the embedded MiniCluster (localhost).");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOptions.key("memfleet.pipeline.checkpoint-interval").durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("Checkpoint interval; Kafka offsets are committed on checkpoints.");

  public static final ConfigOption<String> CHECKPOINT_DIR =
      ConfigOptions.key("memfleet.pipeline.checkpoint-dir").stringType()
          .defaultValue("file://" + System.getProperty("java.io.tmpdir") + "/memfleet-checkpoints")
          .withDescription("Where checkpoints are written (a file:// or s3:// URI). Checkpoints"
              + " hold the sinks' pending batches, more than the job manager's memory may keep.");

  public static final ConfigOption<String> TMP_DIR =
      ConfigOptions.key("memfleet.pipeline.tmp-dir").stringType()
          .defaultValue(System.getProperty("java.io.tmpdir"))
          .withDescription("Working directory of the embedded Flink cluster (its io.tmp.dirs):"
              + " the RPC system's jar it unpacks at every start (21 MB) and spilled data, left"
              + " behind when the process is killed.");

  /** Every option, in the order of the README's reference table. */
  public static List<ConfigOption<?>> all() {
    return List.of(BOOTSTRAP_SERVERS, SECURITY_PROTOCOL, SASL_MECHANISM, USERNAME, PASSWORD_FILE,
        PASSWORD_ENV, CA_FILE, GROUP_ID, EVENT_TOPICS, CLOCK_TOPIC, DEAD_LETTER_TOPIC,
        DEAD_LETTER_MAX_PAYLOAD, START_FROM, OUT_OF_ORDERNESS, IDLENESS, ALIGNMENT_MAX_DRIFT, ALIGNMENT_UPDATE_INTERVAL,
        HOLD_MAX_EVENTS, HOLD_TIMEOUT, CLOCK_WINDOW_SAMPLES, CLOCK_FIT_SAMPLES,
        CLOCK_STEP_THRESHOLD, GO_START_TIME_ERROR, HOST_IDLE_TIMEOUT, CLOCK_CALIBRATION_INTERVAL,
        JOIN_INTERVAL,
        PROCESS_IDLE_TIMEOUT, PARALLELISM, WEB_UI_PORT, CHECKPOINT_INTERVAL, CHECKPOINT_DIR,
        TMP_DIR);
  }

  /**
   * The spine's options, its outputs' ClickHouse options and those each extension on the class
   * path declares ({@link PipelineExtension#options()}: detection, forensics): what
   * {@link #fromEnvironment} and {@link #set} accept.
   */
  public static List<ConfigOption<?>> allWithExtensions() {
    List<ConfigOption<?>> options = new ArrayList<>(all());
    options.addAll(ClickHouseOptions.all());
    for (PipelineExtension extension : PipelineExtension.loaded()) {
      options.addAll(extension.options());
    }
    return options;
  }

  /** The environment variable of an option: {@code MEMFLEET_...}. */
  public static String envVar(ConfigOption<?> option) {
    return option.key().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Defaults overridden by the environment: each set {@code MEMFLEET_*} variable of an option.
   *
   * @throws IllegalArgumentException naming the variable when a value does not parse
   */
  public static Configuration fromEnvironment(Map<String, String> env) {
    Configuration conf = new Configuration();
    for (ConfigOption<?> option : allWithExtensions()) {
      String name = envVar(option);
      String value = env.get(name);
      String alias = ENV_ALIASES.get(option.key());
      if ((value == null || value.isBlank()) && alias != null) {
        name = alias;
        value = env.get(alias);
      }
      if (value != null && !value.isBlank()) {
        set(conf, option, value.trim(), name);
      }
    }
    return conf;
  }

  /**
   * The variables the other commands use for the same setting (the collectors'
   * {@code MEMFLEET_KAFKA_BOOTSTRAP}, {@code up}'s {@code MEMFLEET_WEB_UI_PORT}): read when the
   * option's own variable is not set, so one environment serves every memfleet command.
   */
  static final Map<String, String> ENV_ALIASES = Map.of(
      BOOTSTRAP_SERVERS.key(), "MEMFLEET_KAFKA_BOOTSTRAP",
      WEB_UI_PORT.key(), "MEMFLEET_WEB_UI_PORT");

  /** Sets an option from its text form, e.g. a {@code -D key=value} flag. */
  public static void set(Configuration conf, String key, String value) {
    for (ConfigOption<?> option : allWithExtensions()) {
      if (option.key().equals(key)) {
        set(conf, option, value, key);
        return;
      }
    }
    throw new IllegalArgumentException("unknown option " + key + "; known: " + keys());
  }

  private static void set(Configuration conf, ConfigOption<?> option, String value, String name) {
    Configuration parsed = Configuration.fromMap(Map.of(option.key(), value));
    try {
      copy(parsed, conf, option);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": cannot parse '" + value + "': "
          + e.getMessage(), e);
    }
  }

  private static <T> void copy(Configuration from, Configuration to, ConfigOption<T> option) {
    to.set(option, from.get(option));
  }

  private static List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (ConfigOption<?> o : allWithExtensions()) {
      keys.add(o.key());
    }
    return keys;
  }

  /**
   * The dead-letter payload bound of a configuration, validated.
   *
   * @throws IllegalArgumentException when it is below 1 KiB or above 1 GiB
   */
  public static int deadLetterMaxPayload(Configuration conf) {
    long bytes = conf.get(DEAD_LETTER_MAX_PAYLOAD).getBytes();
    if (bytes < 1024 || bytes > (1 << 30)) {
      throw new IllegalArgumentException(DEAD_LETTER_MAX_PAYLOAD.key() + " must be between 1 kb"
          + " and 1 gb, got " + conf.get(DEAD_LETTER_MAX_PAYLOAD));
    }
    return (int) bytes;
  }

  /**
   * How the job's Kafka clients authenticate and encrypt.
   *
   * @throws IllegalArgumentException when the security options do not fit together
   */
  public static KafkaSecurity kafkaSecurity(Configuration conf) {
    return KafkaSecurity.builder().protocol(conf.get(SECURITY_PROTOCOL))
        .mechanism(conf.get(SASL_MECHANISM)).username(conf.get(USERNAME))
        .passwordFile(conf.get(PASSWORD_FILE)).passwordEnv(conf.get(PASSWORD_ENV))
        .caFile(conf.get(CA_FILE)).build();
  }

  /** Clock alignment settings from a configuration. */
  public static ClockAlignSettings clockAlignSettings(Configuration conf) {
    return ClockAlignSettings.builder()
        .model(ClockModelSettings.builder()
            .windowSamples(conf.get(CLOCK_WINDOW_SAMPLES))
            .fitSamples(conf.get(CLOCK_FIT_SAMPLES))
            .stepThresholdNs(conf.get(CLOCK_STEP_THRESHOLD).toNanos())
            .build())
        .holdMaxEvents(conf.get(HOLD_MAX_EVENTS))
        .holdTimeoutMs(conf.get(HOLD_TIMEOUT).toMillis())
        .goStartErrorNs(conf.get(GO_START_TIME_ERROR).toNanos())
        .hostIdleTimeoutMs(conf.get(HOST_IDLE_TIMEOUT).toMillis())
        .calibrationIntervalMs(conf.get(CLOCK_CALIBRATION_INTERVAL).toMillis())
        .build();
  }
}
