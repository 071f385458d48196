package io.memfleet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.localstack.KafkaBroker;
import io.memfleet.pipeline.SpoolingNodeCollector.Sample;
import io.memfleet.pipeline.aggregate.LateEventCounter;
import io.memfleet.pipeline.clickhouse.ClickHouseOptions;
import io.memfleet.pipeline.detect.DetectionOptions;
import io.memfleet.pipeline.forensics.ForensicsOptions;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue P12: a collector that replays five minutes of spool after an outage loses nothing. The
 * production job ({@link PipelineCommand#attachJob}: every extension, production time settings)
 * on a MiniCluster reads a real Kafka broker and writes a real ClickHouse server. Two hosts
 * publish procfs RSS samples of two processes each, one per second, each host on a partition of
 * its own:
 *
 * <ol>
 *   <li>both live for a minute of event time;
 *   <li>host B's collector loses its broker connection and spools while host A goes on for five
 *       minutes of event time — compressed into {@link #OUTAGE_WALL} of wall-clock time, longer
 *       than the idleness, so B's silent partition stops holding the watermark back as in
 *       production, and the watermark follows A;
 *   <li>B's connection is back: it replays the spool in order, now behind the watermark;
 *   <li>both live again for 30 s, then the job is stopped with a draining savepoint, so that every
 *       window, up to the last, is written.
 * </ol>
 *
 * <p>Every event of B must then be in {@code events_raw} once, and in each aggregate either in a
 * window's {@code samples} or in {@code late_events}: exactly the spooled samples whose window had
 * closed at the watermark the replay met are late (allowed lateness as configured, 0 by default;
 * the minutes are built from the 10-second windows, so late for one is late for both), the
 * others are in their windows' one row. The {@code lateEvents} metric counts the same, the
 * window operators drop nothing, and host A's windows are what they would be without B's outage.
 */
class CollectorOutageReplayITCase {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();
  private static final int PARALLELISM = PipelineOptions.PARALLELISM.defaultValue();

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(PARALLELISM)
          .setConfiguration(METRICS.addToConfiguration(cluster()))
          .build());

  private static final long SECOND = 1_000;
  private static final long BOTH_LIVE_BEFORE = 60 * SECOND;
  private static final long OUTAGE = 5 * 60 * SECOND;
  private static final long BOTH_LIVE_AFTER = 30 * SECOND;
  private static final Duration OUT_OF_ORDERNESS = PipelineOptions.OUT_OF_ORDERNESS.defaultValue();
  private static final Duration IDLENESS = PipelineOptions.IDLENESS.defaultValue();
  private static final Duration LATENESS = ClickHouseOptions.ALLOWED_LATENESS.defaultValue();
  /** Wall-clock time host A takes for the outage's five minutes of event time. */
  private static final Duration OUTAGE_WALL = IDLENESS.plusSeconds(5);
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
  private static final Duration ONE_MINUTE = Duration.ofMinutes(1);
  /** Generous: the machine has two cores, shared with Kafka, ClickHouse and other work. */
  private static final Duration TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path dir;

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final String database = "it_outage_" + run;
  private ClickHouseConnection ch;

  private static Configuration cluster() {
    Configuration c = new Configuration();
    c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("16m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
    return c;
  }

  @Test
  void aHostReplayingFiveMinutesOfSpoolAfterAnOutageLosesNoEvent() throws Exception {
    long startedNs = System.nanoTime();
    String procfs = "it-outage-procfs-" + run;
    try (KafkaAndClickHouse servers = KafkaAndClickHouse.start(dir);
        ClickHouseConnection connection =
            ClickHouseConnection.builder(servers.clickHouse().httpUrl()).build();
        KafkaProducer<byte[], byte[]> producer = producer(servers.kafka())) {
      ch = connection;
      servers.kafka().createTopics(List.of(new NewTopic(procfs, 2, (short) 1),
          new NewTopic("it-outage-clock-" + run, 1, (short) 1),
          new NewTopic("it-outage-dlq-" + run, 1, (short) 1),
          new NewTopic("it-outage-alerts-" + run, 1, (short) 1),
          new NewTopic("it-outage-oom-" + run, 1, (short) 1)));
      MigrationRunner.builder(ch).database(database).build().migrate(MigrationSource.bundled());

      JobClient job = submit(servers);
      JobID id = job.getJobID();
      boolean drained = false;
      try {
        SpoolingNodeCollector a =
            new SpoolingNodeCollector("host-a", List.of(1001, 1002), producer, procfs, 0);
        SpoolingNodeCollector b =
            new SpoolingNodeCollector("host-b", List.of(2001, 2002), producer, procfs, 1);
        // REALTIME stamps on whole seconds from a minute boundary, ending before now
        long t0 = (System.currentTimeMillis() - 10 * 60 * SECOND) / 60_000 * 60_000;
        long outageFrom = t0 + BOTH_LIVE_BEFORE;
        long outageTo = outageFrom + OUTAGE;

        // 1. both live
        for (long t = t0; t < outageFrom; t += SECOND) {
          a.sample(t);
          b.sample(t);
        }
        producer.flush();
        awaitRawRows(a, a.samples().size());
        awaitRawRows(b, b.samples().size());

        // 2. B's broker connection is down; A goes on, ten seconds of event time at a time
        b.disconnect();
        int spoolFrom = b.samples().size();
        long pauseMs = OUTAGE_WALL.toMillis() / (OUTAGE / (10 * SECOND));
        for (long t = outageFrom; t < outageTo; t += SECOND) {
          a.sample(t);
          b.sample(t);
          if ((t - outageFrom + SECOND) % (10 * SECOND) == 0) {
            producer.flush();
            Thread.sleep(pauseMs);
          }
        }
        List<Sample> spooled = b.samples().subList(spoolFrom, b.samples().size());
        // B's partition is idle, so the watermark follows A alone: A's newest time less the
        // out-of-orderness (and 1 ms), the watermark the replay will meet
        long watermark = outageTo - SECOND - OUT_OF_ORDERNESS.toMillis() - 1;
        waitFor(() -> windowWatermarks(id).stream().allMatch(w -> w >= watermark), () ->
            "the 10 s windows' watermark to reach " + watermark + " (A's newest time less the"
                + " out-of-orderness); is " + windowWatermarks(id));
        assertThat(windowWatermarks(id)).as("watermark before the replay").containsOnly(watermark);

        // 3. B's connection is back. In production the replay races the other hosts' live
        // samples, which move the watermark on; here it is taken in full first, so that the test
        // knows which samples are late: those whose window had closed at this watermark
        int replayed = b.reconnect();
        awaitRawRows(b, b.samples().size());
        assertThat(windowWatermarks(id)).as("watermark after the replay").containsOnly(watermark);

        // 4. both live again
        for (long t = outageTo; t < outageTo + BOTH_LIVE_AFTER; t += SECOND) {
          a.sample(t);
          b.sample(t);
        }
        producer.flush();
        awaitRawRows(a, a.samples().size());
        awaitRawRows(b, b.samples().size());
        // MAX_WATERMARK before the final savepoint: every window is written, up to the last
        job.stopWithSavepoint(true, dir.resolve("savepoints").toUri().toString(),
            SavepointFormatType.CANONICAL).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        drained = true;

        Set<Long> late10s = lateAt(spooled, TEN_SECONDS, watermark);
        // the minutes are built from the 10 s windows: what missed one missed its minute too
        Set<Long> late1m = late10s;
        assertThat(late10s).as("the replay is late for some 10 s windows, on time for others")
            .hasSizeBetween(1, spooled.size() - 1);
        assertRawRows(b);
        assertRawRows(a);
        assertThat(lateSequences(b, "process_memory_10s")).as("B's late events, 10 s")
            .isEqualTo(late10s);
        assertThat(lateSequences(b, "process_memory_1m")).as("B's late events, 1 min")
            .isEqualTo(late1m);
        assertThat(lateSequences(a, "process_memory_10s")).as("A's late events").isEmpty();
        assertThat(lateSequences(a, "process_memory_1m")).as("A's late events").isEmpty();
        assertThat(windows(b, "process_memory_10s")).as("B's 10 s windows")
            .isEqualTo(expectedWindows(b, TEN_SECONDS, late10s));
        assertThat(windows(b, "process_memory_1m")).as("B's 1 min windows")
            .isEqualTo(expectedWindows(b, ONE_MINUTE, late1m));
        assertThat(windows(a, "process_memory_10s")).as("A's 10 s windows")
            .isEqualTo(expectedWindows(a, TEN_SECONDS, Set.of()));
        assertThat(windows(a, "process_memory_1m")).as("A's 1 min windows")
            .isEqualTo(expectedWindows(a, ONE_MINUTE, Set.of()));
        // nothing dropped: every event of B is in a window of each size or late for it
        long bSamples10s = samplesInWindows(b, "process_memory_10s");
        long bSamples1m = samplesInWindows(b, "process_memory_1m");
        assertThat(bSamples10s + late10s.size()).isEqualTo(b.samples().size());
        assertThat(bSamples1m + late1m.size()).isEqualTo(b.samples().size());

        assertThat(counter(id, "^process_memory_10s-late$", LateEventCounter.METRIC))
            .as("lateEvents of the 10 s windows").isEqualTo(late10s.size());
        assertThat(counter(id, "^process_memory_1m-late$", LateEventCounter.METRIC))
            .as("lateEvents of the 1 min windows").isEqualTo(late1m.size());
        assertThat(counter(id, "^process_memory_(10s|1m)$", "numLateRecordsDropped"))
            .as("late records the window operators dropped").isZero();
        assertThat(METRICS.findOperatorMetricGroups(id, "^process_memory_1m-late-partials$"))
            .as("the operator counting 10 s windows late for their minute").isNotEmpty();
        assertThat(counter(id, "^process_memory_1m-late-partials$", "latePartialWindows"))
            .as("10 s windows that reached their minute after it was written").isZero();
        assertThat(((Gauge<?>) METRICS.findMetric(id, "numRestarts").orElseThrow()).getValue())
            .isEqualTo(0L);

        System.out.printf("CollectorOutageReplayITCase: host B published %d events (%d spooled"
                + " during the outage and replayed behind watermark %d), %d raw rows; late for"
                + " 10 s / 1 min: %d / %d rows (lateEvents %d / %d); B's windows 10 s: %d rows"
                + " with %d samples, 1 min: %d rows with %d samples; host A: %d events, %d raw"
                + " rows, %d / %d window rows, 0 late; %d s%n", b.samples().size(), replayed,
            watermark, rawRows(b), late10s.size(), late1m.size(),
            counter(id, "^process_memory_10s-late$", LateEventCounter.METRIC),
            counter(id, "^process_memory_1m-late$", LateEventCounter.METRIC),
            windows(b, "process_memory_10s").size(), bSamples10s,
            windows(b, "process_memory_1m").size(), bSamples1m, a.samples().size(), rawRows(a),
            windows(a, "process_memory_10s").size(), windows(a, "process_memory_1m").size(),
            Duration.ofNanos(System.nanoTime() - startedNs).toSeconds());
      } finally {
        if (!drained) {
          job.cancel().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
      }
    }
  }

  /** The production job with every extension and production defaults, but for endpoints. */
  private JobClient submit(KafkaAndClickHouse servers) throws Exception {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.BOOTSTRAP_SERVERS, servers.kafka().bootstrapServers());
    conf.set(PipelineOptions.GROUP_ID, "it-outage-" + run);
    conf.set(PipelineOptions.EVENT_TOPICS, List.of("it-outage-procfs-" + run));
    conf.set(PipelineOptions.CLOCK_TOPIC, "it-outage-clock-" + run);
    conf.set(PipelineOptions.DEAD_LETTER_TOPIC, "it-outage-dlq-" + run);
    conf.set(DetectionOptions.ALERTS_TOPIC, "it-outage-alerts-" + run);
    conf.set(ForensicsOptions.TOPIC, "it-outage-oom-" + run);
    conf.set(ClickHouseOptions.URL, servers.clickHouse().httpUrl());
    conf.set(ClickHouseOptions.DATABASE, database);
    // rows reach ClickHouse one checkpoint after they are produced: 1 s keeps the test short,
    // and checkpoints decide nothing about what is late
    conf.set(PipelineOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(conf.get(PipelineOptions.PARALLELISM));
    env.enableCheckpointing(conf.get(PipelineOptions.CHECKPOINT_INTERVAL).toMillis());
    PipelineCommand.attachJob(env, conf);
    return env.executeAsync("memfleet-outage-replay-it");
  }

  /**
   * The sequence numbers of {@code samples} that reach windows of {@code size} late at
   * {@code watermark}: their window's last millisecond plus the allowed lateness is not after it.
   */
  private static Set<Long> lateAt(List<Sample> samples, Duration size, long watermark) {
    return samples.stream()
        .filter(s -> windowStart(s.utcMs(), size) + size.toMillis() - 1 + LATENESS.toMillis()
            <= watermark)
        .map(Sample::sequence).collect(Collectors.toSet());
  }

  private static long windowStart(long utcMs, Duration size) {
    return utcMs - Math.floorMod(utcMs, size.toMillis());
  }

  /** "pid@window start ms" → samples, of every sample of {@code host} not late for the size. */
  private static Map<String, Long> expectedWindows(SpoolingNodeCollector host, Duration size,
      Set<Long> late) {
    return host.samples().stream().filter(s -> !late.contains(s.sequence()))
        .collect(Collectors.groupingBy(s -> s.pid() + "@" + windowStart(s.utcMs(), size),
            Collectors.counting()));
  }

  /** "pid@window start ms" → samples of {@code host}'s rows in {@code table} (one a window). */
  private Map<String, Long> windows(SpoolingNodeCollector host, String table) throws Exception {
    List<List<String>> rows = ch.queryTsv("SELECT pid, toUInt32(window_start), samples FROM "
        + database + "." + table + " WHERE node = '" + host.node() + "'");
    Map<String, Long> windows = new HashMap<>();
    for (List<String> row : rows) {
      String key = row.get(0) + "@" + Long.parseLong(row.get(1)) * 1_000;
      assertThat(windows.put(key, Long.parseLong(row.get(2))))
          .as("a second row of %s's window %s in %s", host.node(), key, table).isNull();
    }
    return windows;
  }

  private long samplesInWindows(SpoolingNodeCollector host, String table) throws Exception {
    return windows(host, table).values().stream().mapToLong(Long::longValue).sum();
  }

  private Set<Long> lateSequences(SpoolingNodeCollector host, String aggregate) throws Exception {
    List<List<String>> rows = ch.queryTsv("SELECT sequence FROM " + database + ".late_events"
        + " WHERE node = '" + host.node() + "' AND aggregate = '" + aggregate + "'");
    Set<Long> sequences = new HashSet<>();
    for (List<String> row : rows) {
      assertThat(sequences.add(Long.parseLong(row.get(0))))
          .as("%s's event %s twice in late_events for %s", host.node(), row.get(0), aggregate)
          .isTrue();
    }
    return sequences;
  }

  private long rawRows(SpoolingNodeCollector host) throws Exception {
    return Long.parseLong(ch.queryValue("SELECT count() FROM " + database + ".events_raw"
        + " WHERE node = '" + host.node() + "'"));
  }

  private void awaitRawRows(SpoolingNodeCollector host, long expected) throws Exception {
    waitFor(() -> rawRows(host) >= expected,
        () -> expected + " rows of " + host.node() + " in events_raw");
  }

  /** Every event of {@code host} in events_raw exactly once. */
  private void assertRawRows(SpoolingNodeCollector host) throws Exception {
    List<List<String>> rows = ch.queryTsv("SELECT sequence FROM " + database + ".events_raw"
        + " WHERE node = '" + host.node() + "'");
    assertThat(rows).extracting(r -> Long.parseLong(r.get(0))).as("%s's raw rows", host.node())
        .containsExactlyInAnyOrderElementsOf(
            host.samples().stream().map(Sample::sequence).toList());
  }

  /** The input watermark of each subtask of the 10 s windows. */
  private static List<Long> windowWatermarks(JobID job) {
    return METRICS.findOperatorMetricGroups(job, "^process_memory_10s$").stream()
        .map(g -> METRICS.getMetricsByGroup(g).get("currentInputWatermark"))
        .filter(m -> m instanceof Gauge<?>)
        .map(m -> ((Number) ((Gauge<?>) m).getValue()).longValue())
        .toList();
  }

  /** A counter summed over the subtasks of the operators named like {@code operator}. */
  private static long counter(JobID job, String operator, String name) {
    long sum = 0;
    for (var group : METRICS.findOperatorMetricGroups(job, operator)) {
      Metric m = METRICS.getMetricsByGroup(group).get(name);
      if (m instanceof Counter c) {
        sum += c.getCount();
      }
    }
    return sum;
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitFor(Condition condition, Supplier<String> what) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + TIMEOUT.toSeconds() + " s waiting for "
            + what.get());
      }
      Thread.sleep(100);
    }
  }
}
