package io.memfleet.pipeline.clickhouse;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Where and how the pipeline writes ClickHouse: the server, the database, whether raw events are
 * kept, how late an event may still enter its aggregate window. Every output's table is written
 * exactly once per row by {@link ClickHouseSink} ({@link io.memfleet.pipeline.outputs.OutputWiring}
 * attaches them); {@link #ENABLED} = false runs a pipeline without ClickHouse.
 */
public final class ClickHouseOptions {
  public static final ConfigOption<Boolean> ENABLED =
      ConfigOptions.key("memfleet.clickhouse.enabled").booleanType().defaultValue(true)
          .withDescription("Write aggregates, pauses, stacks, raw events, clock calibrations,"
              + " alerts and snapshots to ClickHouse.");
  public static final ConfigOption<String> URL =
      ConfigOptions.key("memfleet.clickhouse.url").stringType()
          .defaultValue("http://127.0.0.1:18123")
          .withDescription("ClickHouse HTTP endpoint.");
  public static final ConfigOption<String> USER =
      ConfigOptions.key("memfleet.clickhouse.user").stringType().defaultValue("default")
          .withDescription("ClickHouse user.");
  public static final ConfigOption<String> PASSWORD_ENV =
      ConfigOptions.key("memfleet.clickhouse.password-env").stringType()
          .defaultValue("MEMFLEET_CLICKHOUSE_PASSWORD")
          .withDescription("Environment variable (on the task managers) holding the password.");
  public static final ConfigOption<String> PASSWORD_FILE =
      ConfigOptions.key("memfleet.clickhouse.password-file").stringType().noDefaultValue()
          .withDescription("File (on the task managers) holding the password, e.g. a mounted"
              + " Secret; wins over the password variable.");
  public static final ConfigOption<String> CA_FILE =
      ConfigOptions.key("memfleet.clickhouse.ca-file").stringType().noDefaultValue()
          .withDescription("PEM file of the CA certificates an https:// server's certificate"
              + " must chain to (default: the JVM's trusted CAs).");
  public static final ConfigOption<String> DATABASE =
      ConfigOptions.key("memfleet.clickhouse.database").stringType().defaultValue("memfleet")
          .withDescription("Database created by the migrations.");
  public static final ConfigOption<Boolean> RAW_EVENTS =
      ConfigOptions.key("memfleet.clickhouse.raw-events").booleanType().defaultValue(true)
          .withDescription("Also keep every event in events_raw (short retention).");
  public static final ConfigOption<Duration> ALLOWED_LATENESS =
      ConfigOptions.key("memfleet.clickhouse.allowed-lateness").durationType()
          .defaultValue(Duration.ZERO)
          .withDescription("How far behind the watermark an event may still enter its 10 s / 1 min"
              + " aggregate; each window is written once, this much later. Events later still go to"
              + " late_events (and the lateEvents metric), never dropped silently.");
  public static final ConfigOption<Duration> MAX_COMMIT_WAIT =
      ConfigOptions.key("memfleet.clickhouse.max-commit-wait").durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription("How long a commit keeps retrying (holding the stream back) before the"
              + " job fails over and retries from its checkpoint.");

  /** Every option of the ClickHouse outputs. */
  public static List<ConfigOption<?>> all() {
    return List.of(ENABLED, URL, USER, PASSWORD_ENV, PASSWORD_FILE, CA_FILE, DATABASE,
        RAW_EVENTS, ALLOWED_LATENESS, MAX_COMMIT_WAIT);
  }

  /** Sink options from the job configuration. */
  public static ClickHouseSinkOptions sinkOptions(Configuration conf) {
    ClickHouseSinkOptions d = ClickHouseSinkOptions.defaults();
    return new ClickHouseSinkOptions(conf.get(URL), conf.get(USER), conf.get(PASSWORD_ENV),
        conf.get(DATABASE), d.retryInitial(), d.retryMax(), conf.get(MAX_COMMIT_WAIT),
        conf.get(PASSWORD_FILE), conf.get(CA_FILE));
  }

  private ClickHouseOptions() {}
}
