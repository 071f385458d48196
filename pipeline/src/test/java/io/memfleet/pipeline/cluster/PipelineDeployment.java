package io.memfleet.pipeline.cluster;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.LocalServer;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.pipeline.Fixtures;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.clickhouse.ClickHouseOptions;
import io.memfleet.pipeline.detect.DetectionOptions;
import io.memfleet.pipeline.forensics.ForensicsOptions;
import io.memfleet.schema.Topics;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The memfleet pipeline deployed as production runs it, for the fault tests: topics of its own
 * and a consumer group of its own on a real Kafka broker, a migrated database of its own on a
 * real ClickHouse server (broker and server shared by the tests of a class, {@link SharedServers}),
 * a {@link LocalFlinkCluster} of one TaskManager with two slots, and the shaded job jar submitted
 * over REST — fresh, or restored from a savepoint or a retained checkpoint as an upgrade does. It
 * publishes procfs RSS samples of one process numbered by {@code sequence} and counts what reached
 * {@code events_raw}, so a test tells a lost row (fewer distinct sequences) from a duplicate (more
 * rows than distinct sequences).
 *
 * <pre>{@code
 * try (PipelineDeployment memfleet = PipelineDeployment.start(dir, servers)) {
 *   String job = memfleet.submit();
 *   memfleet.flink().awaitJobRunning(job, Duration.ofSeconds(60));
 *   memfleet.publish(1, 400);
 *   memfleet.awaitRows(400);
 * }
 * }</pre>
 *
 * <p>Closing ends the producer, the ClickHouse connection and the cluster's processes; the
 * directory keeps their logs. The servers stay for the next test, also one a test stopped and
 * started again ({@link #kafka()}, {@link #clickHouse()}): {@link SharedServers} ends them.
 */
final class PipelineDeployment implements AutoCloseable {
  private static final Duration ROWS_TIMEOUT = Duration.ofSeconds(90);

  private final long startedNs = System.nanoTime();
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  /** The database of this deployment on the shared server. */
  private final String database = "it_flink_cluster_" + run;
  private final ProcessIdentity process = Fixtures.process(4242, true);
  private final Path jobJar;
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final KafkaBroker kafka;
  private final ClickHouseServer server;
  private ClickHouseConnection ch;
  private LocalFlinkCluster flink;
  private KafkaProducer<byte[], byte[]> producer;
  private long readyNs;

  private PipelineDeployment(Path jobJar, SharedServers servers) {
    this.jobJar = jobJar;
    this.kafka = servers.kafka();
    this.server = servers.clickHouse();
  }

  /**
   * Starts the cluster under {@code dir} and creates the topics and the database on the shared
   * {@code servers}; skips the test (fails it under CI) when the job jar has not been built.
   */
  static PipelineDeployment start(Path dir, SharedServers servers) throws Exception {
    return start(dir, servers, Map.of());
  }

  /** As {@link #start(Path, SharedServers)}, with Flink settings over the cluster's defaults. */
  static PipelineDeployment start(Path dir, SharedServers servers,
      Map<String, String> flinkSettings) throws Exception {
    Path jobJar = jobJar();
    Capabilities.require(jobJar != null,
        "the job jar target/*-job.jar (mvn -pl pipeline package)");
    PipelineDeployment deployment = new PipelineDeployment(jobJar, servers);
    try {
      deployment.startAll(dir, flinkSettings);
      return deployment;
    } catch (Exception | Error e) {
      deployment.close();
      throw e;
    }
  }

  /** The topics and the tables are created while the cluster's JVMs start. */
  private void startAll(Path dir, Map<String, String> flinkSettings) throws Exception {
    ch = opened(ClickHouseConnection.builder(server.httpUrl()).build());
    producer = opened(producer(kafka));
    FutureTask<Void> topicsAndTables = new FutureTask<>(() -> {
      kafka.createTopics(Stream.of(eventTopic(), "it-clock-" + run, "it-dlq-" + run,
          "it-alerts-" + run, "it-oom-" + run).map(t -> new NewTopic(t, 2, (short) 1)).toList());
      MigrationRunner.builder(ch).database(database).build().migrate(MigrationSource.bundled());
      return null;
    });
    new Thread(topicsAndTables, "topics-and-tables").start();
    Throwable failure = null;
    try {
      LocalFlinkCluster.Builder cluster = LocalFlinkCluster.builder(dir.resolve("flink"))
          .jobJar(jobJar).taskManagers(2).slotsPerTaskManager(1);
      flinkSettings.forEach(cluster::set);
      flink = opened(cluster.start());
    } catch (Exception | Error e) {
      failure = e;
    }
    try {
      topicsAndTables.get();
    } catch (ExecutionException e) {
      if (failure == null) {
        failure = e.getCause();
      } else {
        failure.addSuppressed(e.getCause());
      }
    }
    if (failure instanceof Error error) {
      throw error;
    } else if (failure != null) {
      throw (Exception) failure;
    }
    readyNs = System.nanoTime();
  }

  private <T extends AutoCloseable> T opened(T resource) {
    opened.add(resource);
    return resource;
  }

  LocalFlinkCluster flink() {
    return flink;
  }

  /**
   * The Kafka broker the job reads, for a test that stops it and starts it again: on its ports
   * and data directory, so the job's bootstrap address and the topics' records stay valid.
   */
  LocalServer kafka() {
    return kafka;
  }

  /** The ClickHouse server the job writes to, likewise: its URL and tables stay valid. */
  LocalServer clickHouse() {
    return server;
  }

  /** Submits the job jar without state; returns the job id. */
  String submit() throws Exception {
    return flink.uploadAndRun(jobJar, jobArguments());
  }

  /** Submits the job jar again restored from a savepoint or a retained checkpoint. */
  String submitFrom(Path snapshot) throws Exception {
    return flink.uploadAndRun(jobJar, jobArguments(), snapshot);
  }

  private List<String> jobArguments() {
    return List.of(
        PipelineOptions.BOOTSTRAP_SERVERS.key() + "=" + kafka.bootstrapServers(),
        PipelineOptions.GROUP_ID.key() + "=it-" + run,
        PipelineOptions.EVENT_TOPICS.key() + "=" + eventTopic(),
        PipelineOptions.CLOCK_TOPIC.key() + "=it-clock-" + run,
        PipelineOptions.DEAD_LETTER_TOPIC.key() + "=it-dlq-" + run,
        DetectionOptions.ALERTS_TOPIC.key() + "=it-alerts-" + run,
        ForensicsOptions.TOPIC.key() + "=it-oom-" + run,
        ClickHouseOptions.URL.key() + "=" + server.httpUrl(),
        ClickHouseOptions.DATABASE.key() + "=" + database);
  }

  private String eventTopic() {
    return "it-procfs-" + run;
  }

  /** {@code count} procfs RSS samples of one process, sequence numbers from {@code first}. */
  void publish(int first, int count) throws Exception {
    long nowNs = System.currentTimeMillis() * 1_000_000L;
    for (int seq = first; seq < first + count; seq++) {
      // now, not a fixed date: events_raw drops rows older than its 7-day TTL
      long at = nowNs + seq * 1_000_000L;
      ResidentMemory rss = Fixtures.rss(process, Source.PROCFS, ClockDomain.REALTIME, at, seq,
          (512L << 20) + seq * 4096L);
      producer.send(new ProducerRecord<>(eventTopic(), null, at / 1_000_000L,
          Topics.key(process), Fixtures.CODEC.encode(rss)));
    }
    producer.flush();
  }

  /** Rows in events_raw. */
  long rows() throws Exception {
    return count("count()");
  }

  /** What events_raw holds: rows, and distinct events (sequence numbers) among them. */
  record Stored(long rows, long distinct) {}

  Stored stored() throws Exception {
    return new Stored(rows(), count("uniqExact(sequence)"));
  }

  /** Waits until events_raw holds at least {@code expected} rows; returns how many it holds. */
  long awaitRows(long expected) throws Exception {
    waitFor(() -> rows() >= expected, ROWS_TIMEOUT,
        expected + " rows in " + database + ".events_raw");
    return rows();
  }

  /**
   * Waits for two more completed checkpoints of {@code job}: a duplicate from a replayed batch
   * would come with a later commit, so counting before them could miss it.
   */
  void awaitLaterCommits(String job) throws Exception {
    long checkpoints = flink.completedCheckpoints(job);
    waitFor(() -> flink.completedCheckpoints(job) >= checkpoints + 2, Duration.ofSeconds(30),
        "two more checkpoints of " + job);
  }

  private long count(String aggregate) throws Exception {
    return Long.parseLong(ch.queryValue("SELECT " + aggregate + " FROM " + database
        + ".events_raw").trim());
  }

  /** Seconds since {@link #start} was called. */
  long seconds() {
    return Duration.ofNanos(System.nanoTime() - startedNs).toSeconds();
  }

  /** Seconds the topics, the database and the cluster took to be ready. */
  long readySeconds() {
    return Duration.ofNanos(readyNs - startedNs).toSeconds();
  }

  /** Ends the cluster's processes, the producer and the ClickHouse connection, in that order. */
  @Override
  public void close() throws Exception {
    Exception failure = null;
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  static void waitFor(Condition condition, Duration timeout, String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for "
            + what);
      }
      Thread.sleep(100);
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

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
