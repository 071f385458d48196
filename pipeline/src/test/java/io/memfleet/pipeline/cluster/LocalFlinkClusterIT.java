package io.memfleet.pipeline.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.pipeline.Fixtures;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.clickhouse.ClickHouseOutputs;
import io.memfleet.pipeline.detect.DetectionOptions;
import io.memfleet.pipeline.forensics.ForensicsOptions;
import io.memfleet.schema.Topics;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline as production runs it, on a real Flink cluster of separate JobManager and
 * TaskManager processes ({@link LocalFlinkCluster}): the shaded job jar uploaded and run over
 * Flink's REST API, reading a real Kafka broker and writing a real ClickHouse. Once the first
 * batch of events is in ClickHouse a second is published and, while it is on its way, the
 * TaskManager is killed with SIGKILL and a new one started; the job must restart from its last
 * checkpoint, and a third batch published after the restart must follow. The ClickHouse sink is
 * exactly-once (rows committed per checkpoint, each batch once), so {@code events_raw} must hold
 * every event of the three batches exactly once: no row lost, none written twice — the batch in
 * flight is the one a failover would lose or replay.
 *
 * <p>Needs the job jar ({@code mvn -pl pipeline package}; {@code verify} builds it before this
 * runs). Its directory stays when the test fails: the JobManager and TaskManager logs are under
 * {@code flink/log}.
 */
class LocalFlinkClusterIT {
  private static final int FIRST_BATCH = 400;
  private static final int IN_FLIGHT_BATCH = 300;
  private static final int LAST_BATCH = 300;
  /** Under the 2 s checkpoint interval: the batch is on its way, not committed, at the kill. */
  private static final Duration KILL_AFTER = Duration.ofMillis(800);
  private static final String DATABASE = "it_flink_cluster";
  private static final Duration ROWS_TIMEOUT = Duration.ofSeconds(60);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir;

  private final ProcessIdentity process = Fixtures.process(4242, true);

  @Test
  void aTaskManagerKilledWithSigkillLosesNoRowAndDuplicatesNone() throws Exception {
    Path jobJar = jobJar();
    Capabilities.require(jobJar != null,
        "the job jar target/*-job.jar (mvn -pl pipeline package)");
    String run = UUID.randomUUID().toString().substring(0, 8);
    String events = "it-procfs-" + run;
    long started = System.nanoTime();
    try (KafkaBroker kafka = TestServers.kafka(dir);
        ClickHouseServer server = TestServers.clickHouse(dir);
        ClickHouseConnection ch = ClickHouseConnection.builder(server.httpUrl()).build();
        LocalFlinkCluster flink = LocalFlinkCluster.builder(dir.resolve("flink")).jobJar(jobJar)
            .taskManagers(1).slotsPerTaskManager(2).start();
        KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
      kafka.createTopics(Stream.of(events, "it-clock-" + run, "it-dlq-" + run,
          "it-alerts-" + run, "it-oom-" + run).map(t -> new NewTopic(t, 2, (short) 1)).toList());
      MigrationRunner.builder(ch).database(DATABASE).build().migrate(MigrationSource.bundled());
      long ready = System.nanoTime();

      String job = flink.uploadAndRun(jobJar, List.of(
          PipelineOptions.BOOTSTRAP_SERVERS.key() + "=" + kafka.bootstrapServers(),
          PipelineOptions.GROUP_ID.key() + "=it-" + run,
          PipelineOptions.EVENT_TOPICS.key() + "=" + events,
          PipelineOptions.CLOCK_TOPIC.key() + "=it-clock-" + run,
          PipelineOptions.DEAD_LETTER_TOPIC.key() + "=it-dlq-" + run,
          DetectionOptions.ALERTS_TOPIC.key() + "=it-alerts-" + run,
          ForensicsOptions.TOPIC.key() + "=it-oom-" + run,
          ClickHouseOutputs.URL.key() + "=" + server.httpUrl(),
          ClickHouseOutputs.DATABASE.key() + "=" + DATABASE));
      flink.awaitJobRunning(job, Duration.ofSeconds(60));

      publish(producer, events, 1, FIRST_BATCH);
      long before = awaitRows(ch, FIRST_BATCH);
      long firstRows = System.nanoTime();

      publish(producer, events, FIRST_BATCH + 1, IN_FLIGHT_BATCH);
      Thread.sleep(KILL_AFTER.toMillis());
      long inFlightCommitted = count(ch, "count()") - before;
      flink.killTaskManager(0);
      flink.startTaskManager();
      waitFor(() -> flink.numRestarts(job) >= 1, Duration.ofSeconds(60), "a restart of " + job);
      flink.awaitJobRunning(job, Duration.ofSeconds(60));
      long restarts = flink.numRestarts(job);
      long recovered = System.nanoTime();

      publish(producer, events, FIRST_BATCH + IN_FLIGHT_BATCH + 1, LAST_BATCH);
      int expected = FIRST_BATCH + IN_FLIGHT_BATCH + LAST_BATCH;
      awaitRows(ch, expected);
      // a duplicate from a replayed batch would come with a later commit: let two more
      // checkpoints complete before counting
      long checkpoints = flink.completedCheckpoints(job);
      waitFor(() -> flink.completedCheckpoints(job) >= checkpoints + 2, Duration.ofSeconds(30),
          "two more checkpoints of " + job);
      long after = count(ch, "count()");
      long distinct = count(ch, "uniqExact(sequence)");
      System.out.printf("LocalFlinkClusterIT: rows %d of %d before the kill (%d of the %d in"
              + " flight committed at the kill), %d rows (%d distinct) of %d after, %d restart(s);"
              + " servers and cluster up in %d s, first rows at %d s, recovered at %d s,"
              + " total %d s%n", before, FIRST_BATCH, inFlightCommitted, IN_FLIGHT_BATCH, after,
          distinct, expected, restarts, seconds(started, ready), seconds(started, firstRows),
          seconds(started, recovered), seconds(started, System.nanoTime()));

      assertThat(before).as("rows of the first batch before the kill").isEqualTo(FIRST_BATCH);
      assertThat(restarts).as("restarts of the job").isGreaterThanOrEqualTo(1);
      assertThat(flink.jobStatus(job)).isEqualTo("RUNNING");
      assertThat(after).as("rows of the three batches").isEqualTo(expected);
      assertThat(distinct).as("distinct events").isEqualTo(expected);
    }
  }

  /** The shaded job jar of this module, as {@code mvn package} leaves it in target/. */
  private static Path jobJar() throws Exception {
    Path target = Path.of("target");
    if (!Files.isDirectory(target)) {
      return null;
    }
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().endsWith("-job.jar")).findFirst()
          .map(Path::toAbsolutePath).orElse(null);
    }
  }

  /** {@code count} procfs RSS samples of one process, sequence numbers from {@code first}. */
  private void publish(KafkaProducer<byte[], byte[]> producer, String topic, int first, int count)
      throws Exception {
    long nowNs = System.currentTimeMillis() * 1_000_000L;
    for (int seq = first; seq < first + count; seq++) {
      // now, not a fixed date: events_raw drops rows older than its 7-day TTL
      long at = nowNs + seq * 1_000_000L;
      ResidentMemory rss = Fixtures.rss(process, Source.PROCFS, ClockDomain.REALTIME, at, seq,
          (512L << 20) + seq * 4096L);
      producer.send(new ProducerRecord<>(topic, null, at / 1_000_000L, Topics.key(process),
          Fixtures.CODEC.encode(rss)));
    }
    producer.flush();
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Waits until events_raw holds at least {@code expected} rows; returns how many it holds. */
  private static long awaitRows(ClickHouseConnection ch, long expected) throws Exception {
    waitFor(() -> count(ch, "count()") >= expected, ROWS_TIMEOUT,
        expected + " rows in " + DATABASE + ".events_raw");
    return count(ch, "count()");
  }

  private static long count(ClickHouseConnection ch, String aggregate) throws Exception {
    return Long.parseLong(ch.queryValue("SELECT " + aggregate + " FROM " + DATABASE
        + ".events_raw").trim());
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void waitFor(Condition condition, Duration timeout, String what)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for "
            + what);
      }
      Thread.sleep(250);
    }
  }

  private static long seconds(long fromNs, long toNs) {
    return Duration.ofNanos(toNs - fromNs).toSeconds();
  }
}
