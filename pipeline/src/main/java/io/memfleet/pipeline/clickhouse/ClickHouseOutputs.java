package io.memfleet.pipeline.clickhouse;

import io.memfleet.event.Alert;
import io.memfleet.event.Allocation;
import io.memfleet.event.OomSnapshot;
import io.memfleet.pipeline.PipelineExtension;
import io.memfleet.pipeline.PipelineStreams;
import io.memfleet.pipeline.aggregate.AllocationWindow;
import io.memfleet.pipeline.aggregate.AllocationWindowAggregate;
import io.memfleet.pipeline.aggregate.LateEvent;
import io.memfleet.pipeline.aggregate.ProcessWindows;
import io.memfleet.pipeline.model.ProcessScopedKey;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.time.ClockCalibration;
import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * Writes what the pipeline computes into ClickHouse: per-process 10 s and 1 min aggregates, GC
 * pauses, allocation stacks and per-minute allocation volume, raw events, the events that came
 * too late for their aggregate window ({@code late_events}, counted as metric
 * {@value io.memfleet.pipeline.aggregate.LateEventCounter#METRIC}), each host's clock
 * calibrations ({@code clock_calibration}), and — through
 * {@link #alerts} and {@link #oomSnapshots}, which the detection stage calls — alerts and OOM
 * snapshots. Every table is written exactly once per row by {@link ClickHouseSink}.
 *
 * <p>Listed in {@code META-INF/services/io.memfleet.pipeline.PipelineExtension}; disabled with
 * {@link #ENABLED} = false (e.g. a pipeline without ClickHouse).
 */
public final class ClickHouseOutputs implements PipelineExtension {
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
  public static java.util.List<ConfigOption<?>> all() {
    return java.util.List.of(ENABLED, URL, USER, PASSWORD_ENV, PASSWORD_FILE, CA_FILE, DATABASE,
        RAW_EVENTS, ALLOWED_LATENESS, MAX_COMMIT_WAIT);
  }

  /** Sink options from the job configuration. */
  public static ClickHouseSinkOptions sinkOptions(Configuration conf) {
    ClickHouseSinkOptions d = ClickHouseSinkOptions.defaults();
    return new ClickHouseSinkOptions(conf.get(URL), conf.get(USER), conf.get(PASSWORD_ENV),
        conf.get(DATABASE), d.retryInitial(), d.retryMax(), conf.get(MAX_COMMIT_WAIT),
        conf.get(PASSWORD_FILE), conf.get(CA_FILE));
  }

  /** Null: the ClickHouse tables of the job's options. */
  private final TableSinks tables;

  /** Production (the service loader's): ClickHouse, as the job's options say. */
  public ClickHouseOutputs() {
    this(null);
  }

  /**
   * The same tables, each written by {@code tables}' sink instead of ClickHouse's (benchmarks,
   * tests); {@link #ENABLED} is not consulted.
   */
  public ClickHouseOutputs(TableSinks tables) {
    this.tables = tables;
  }

  @Override
  public List<ConfigOption<?>> options() {
    return all();
  }

  @Override
  public void attach(PipelineStreams streams) {
    Configuration conf = streams.options();
    if (tables == null && !conf.get(ENABLED)) {
      return;
    }
    TableSinks sinks = tables != null ? tables : TableSinks.clickHouse(sinkOptions(conf));
    Duration lateness = conf.get(ALLOWED_LATENESS);
    ProcessWindows.Windows windows = ProcessWindows.of(streams.byProcess(), lateness);
    windows.tenSeconds().sinkTo(sinks.sink(ProcessWindows.TEN_SECONDS, Rows::processWindow,
            w -> w.windowStartMs))
        .name(ProcessWindows.TEN_SECONDS + "-sink").uid(ProcessWindows.TEN_SECONDS + "-sink");
    windows.minutes().sinkTo(sinks.sink(ProcessWindows.MINUTE, Rows::processWindow,
            w -> w.windowStartMs))
        .name(ProcessWindows.MINUTE + "-sink").uid(ProcessWindows.MINUTE + "-sink");
    DataStream<LateEvent> late = windows.late();
    late.sinkTo(sinks.sink("late_events", Rows::lateEvent, l -> l.event.eventTimeMs()))
        .name("late_events-sink").uid("late_events-sink");
    streams.joined().filter(e -> "GcPause".equals(e.kind)).name("gc-pauses").uid("gc-pauses")
        .sinkTo(sinks.sink("gc_pauses", Rows::gcPause, TimedEvent::eventTimeMs))
        .name("gc_pauses-sink")
        .uid("gc_pauses-sink");

    DataStream<AllocationWindow> allocations = PipelineStreams.byProcessPart(streams.joined()
            .filter(e -> "Allocation".equals(e.kind)).name("allocations").uid("allocations"),
            ClickHouseOutputs::allocationKey)
        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
        .aggregate(new AllocationWindowAggregate()).name("allocations_1m").uid("allocations_1m");
    allocations.sinkTo(sinks.sink("allocations_1m", Rows::allocationWindow,
            w -> w.windowStartMs))
        .name("allocations_1m-sink").uid("allocations_1m-sink");
    allocations.filter(w -> !w.frames.isEmpty()).name("stacks").uid("stacks")
        .sinkTo(sinks.sink("allocation_stacks", Rows::allocationStack, null))
        .name("allocation_stacks-sink").uid("allocation_stacks-sink");

    streams.clockCalibrations()
        .sinkTo(sinks.sink("clock_calibration", Rows::clockCalibration,
            ClockCalibration::utcMs))
        .name("clock_calibration-sink").uid("clock_calibration-sink");

    if (conf.get(RAW_EVENTS)) {
      streams.joined().filter(e -> e.payload != null).name("raw").uid("raw")
          .sinkTo(sinks.sink("events_raw", Rows::rawEvent, TimedEvent::eventTimeMs))
          .name("events_raw-sink")
          .uid("events_raw-sink");
    }
  }

  private static final ThreadLocal<EventCodec> CODEC =
      ThreadLocal.withInitial(EventCodec::fromClasspath);

  static ProcessScopedKey allocationKey(TimedEvent e) {
    return AllocationWindowAggregate.key(e, (Allocation) e.record(CODEC.get()));
  }

  /** Alerts into {@code alerts}; called by the detection stage with its alert stream. */
  public static void alerts(DataStream<Alert> alerts, Configuration conf) {
    if (conf.get(ENABLED)) {
      alerts.sinkTo(TableSinks.clickHouse(sinkOptions(conf)).sink("alerts", Rows::alert, null))
          .name("alerts-sink").uid("alerts-sink");
    }
  }

  /** OOM snapshots into {@code oom_snapshots}; called by the forensics stage. */
  public static void oomSnapshots(DataStream<OomSnapshot> snapshots, Configuration conf) {
    if (conf.get(ENABLED)) {
      snapshots.sinkTo(TableSinks.clickHouse(sinkOptions(conf)).sink("oom_snapshots",
              Rows::oomSnapshot, s -> s.getKillUtcNs() / 1_000_000L))
          .name("oom_snapshots-sink").uid("oom_snapshots-sink");
    }
  }
}
