package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink in a real job on a MiniCluster against a real ClickHouse: a run that fails over and
 * restarts from its checkpoint leaves exactly the totals of an uninterrupted run, a job submitted
 * again under its job id from its last checkpoint (attempts from 0, as after a JobManager
 * failover) too, and a ClickHouse outage in the middle of a run delays rows but loses none —
 * also one that outlasts the sink's commit wait, so that the job fails over, maybe several times,
 * and commits again from its checkpoint once the server is back.
 */
class ClickHouseSinkITCase {
  private static final long N = 20_000;
  private static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(2).build());

  @TempDir static Path dir;
  static ClickHouseServer server;
  static ClickHouseConnection ch;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.clickHouse(dir);
    ch = ClickHouseConnection.builder(server.httpUrl()).build();
    MigrationRunner.builder(ch).database("it_sink").build().migrate(MigrationSource.bundled());
  }

  /**
   * Stops the server for an outage, after replacing the class's connection by one that has not
   * connected yet: ClickHouse's shutdown waits up to its keep-alive timeout (10 s) for every idle
   * keep-alive connection, and the outage is what the test is about, not that wait.
   */
  private static void stopServer() {
    ch.close();
    ch = ClickHouseConnection.builder(server.httpUrl()).build();
    server.stop();
  }

  @AfterAll
  static void stop() {
    if (ch != null) {
      ch.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static void createTable(String table) throws Exception {
    ch.execute("CREATE TABLE IF NOT EXISTS it_sink." + table
        + " (k Int64, batch_id String) ENGINE = MergeTree() ORDER BY k");
  }

  private static void runJob(String table, MapFunction<Long, Long> step) throws Exception {
    runJob(table, step, new Configuration());
  }

  private static void runJob(String table, MapFunction<Long, Long> step, Configuration extra)
      throws Exception {
    runJob(table, step, extra, Duration.ofSeconds(90));
  }

  private static void runJob(String table, MapFunction<Long, Long> step, Configuration extra,
      Duration maxCommitWait) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    conf.addAll(extra);
    // a fixed job id needs a cluster of its own: the shared one remembers every job it ran, as
    // a JobManager that fails over to a new one does not
    boolean ownCluster = extra.contains(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID);
    if (ownCluster) {
      conf.set(DeploymentOptions.TARGET, "local"); // a MiniCluster started for this job alone
      conf.set(DeploymentOptions.ATTACHED, true);
    }
    StreamExecutionEnvironment env = ownCluster ? new StreamExecutionEnvironment(conf)
        : StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.setParallelism(2);
    env.enableCheckpointing(300);
    ClickHouseSinkOptions options = ClickHouseSinkOptions.defaults().withUrl(server.httpUrl())
        .withDatabase("it_sink").withMaxCommitWait(maxCommitWait);
    env.fromSource(new NumberSequenceSource(1, N), WatermarkStrategy.noWatermarks(), "numbers")
        .map(step)
        .sinkTo(ClickHouseSink.<Long>builder().options(options).table(table)
            .encoder(k -> JsonRow.create().put("k", k).toString()).build());
    env.execute("clickhouse-sink-" + table);
  }

  private static void assertExactlyOnce(String table) throws Exception {
    assertThat(ch.queryValue("SELECT count() FROM it_sink." + table)).isEqualTo(String.valueOf(N));
    assertThat(ch.queryValue("SELECT uniqExact(k) FROM it_sink." + table))
        .isEqualTo(String.valueOf(N));
    assertThat(ch.queryValue("SELECT sum(k) FROM it_sink." + table))
        .isEqualTo(String.valueOf(N * (N + 1) / 2));
  }

  @Test
  void aJobRestartedFromItsCheckpointWritesEveryRowExactlyOnce() throws Exception {
    FAILED_ONCE.set(false);
    createTable("restarted");
    createTable("uninterrupted");
    runJob("restarted", k -> {
      Thread.sleep(0, 200_000); // long enough for several checkpoints before and after the failure
      if (k == N / 2 && FAILED_ONCE.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure: the job restarts from its checkpoint");
      }
      return k;
    });
    assertThat(FAILED_ONCE).isTrue();
    runJob("uninterrupted", k -> k);
    assertExactlyOnce("restarted");
    assertExactlyOnce("uninterrupted");
    // the failed attempt's rows after its last checkpoint were never committed, so batches
    // from both attempts add up to exactly N
    assertThat(Long.parseLong(ch.queryValue("SELECT uniqExact(batch_id) FROM it_sink.restarted")))
        .isGreaterThan(2);
  }

  /** Checkpoints kept on disk after the job ends, under a fixed job id. */
  private static Configuration lastState(Path checkpoints, String jobId) {
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    conf.set(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID, jobId);
    return conf;
  }

  private static Path latestCheckpoint(Path jobDir) throws Exception {
    try (Stream<Path> dirs = Files.list(jobDir)) {
      return dirs.filter(d -> d.getFileName().toString().startsWith("chk-"))
          .filter(d -> Files.exists(d.resolve("_metadata")))
          .max(Comparator.comparingLong(
              d -> Long.parseLong(d.getFileName().toString().substring(4))))
          .orElseThrow(() -> new AssertionError("no completed checkpoint in " + jobDir));
    }
  }

  @Test
  void aJobSubmittedAgainUnderItsJobIdFromItsLastCheckpointWritesEveryRowOnce() throws Exception {
    // what a JobManager failover or a last-state upgrade does: the same job id, restored from the
    // last checkpoint, every task attempt numbered from 0 again
    createTable("resubmitted");
    Path checkpoints = dir.resolve("checkpoints-resubmitted");
    String jobId = new JobID().toHexString();
    Configuration first = lastState(checkpoints, jobId);
    first.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    FAILED_ONCE.set(false);
    assertThatThrownBy(() -> runJob("resubmitted", k -> {
      Thread.sleep(0, 200_000);
      if (k == N / 2 && FAILED_ONCE.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure: the job dies, its checkpoints stay");
      }
      return k;
    }, first)).hasStackTraceContaining("injected failure");
    long committedByTheFirst = Long.parseLong(
        ch.queryValue("SELECT count() FROM it_sink.resubmitted"));
    assertThat(committedByTheFirst).as("rows the first submission committed")
        .isPositive().isLessThan(N);

    Configuration second = lastState(checkpoints, jobId);
    second.set(StateRecoveryOptions.SAVEPOINT_PATH,
        latestCheckpoint(checkpoints.resolve(jobId)).toUri().toString());
    runJob("resubmitted", k -> {
      Thread.sleep(0, 200_000);
      return k;
    }, second);
    assertExactlyOnce("resubmitted");
    // and no batch of the second submission reused an id of the first (the committer would
    // have had to tell them apart by their checksums): ids come from the writers' state
    assertThat(ch.queryValue("SELECT count() FROM it_sink.sink_commits"
        + " WHERE table_name = 'it_sink.resubmitted' AND position(batch_id, '~') > 0"))
        .isEqualTo("0");
  }

  @Test
  void aClickHouseOutageDelaysRowsButLosesNone() throws Exception {
    createTable("outage");
    stopServer(); // down before the first commit, back while the job still runs
    AtomicLong restartBegan = new AtomicLong();
    Thread restart = new Thread(() -> {
      try {
        Thread.sleep(6_000);
        // noted before the start: the server takes its writes as soon as it listens, and the job
        // may end before start() has seen it ready (seen once: 12 s later on a loaded machine)
        restartBegan.set(System.nanoTime());
        server.start();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    restart.start();
    runJob("outage", k -> k);
    long jobEnded = System.nanoTime();
    restart.join(60_000);
    // the job could only finish after ClickHouse came back: it waited instead of dropping
    assertThat(restartBegan.get()).isPositive().isLessThan(jobEnded);
    assertExactlyOnce("outage");
  }

  /** The highest attempt number any task of the job ran as (0: it never failed over). */
  private static final AtomicInteger LAST_ATTEMPT = new AtomicInteger();

  /** Passes numbers on and notes which attempt of the task runs. */
  private static final class AttemptNoting extends RichMapFunction<Long, Long> {
    @Override
    public void open(OpenContext context) {
      LAST_ATTEMPT.accumulateAndGet(getRuntimeContext().getTaskInfo().getAttemptNumber(),
          Math::max);
    }

    @Override
    public Long map(Long k) {
      return k;
    }
  }

  @Test
  void anOutageLongerThanTheCommitWaitFailsTheJobOverAndLosesNothing() throws Exception {
    LAST_ATTEMPT.set(0);
    createTable("long_outage");
    stopServer(); // down for five commit waits: each commit gives up, the job fails over
    Duration commitWait = Duration.ofSeconds(2);
    Thread restart = new Thread(() -> {
      try {
        Thread.sleep(commitWait.multipliedBy(5).toMillis());
        server.start();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    restart.start();
    Configuration restarts = new Configuration();
    restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
    restarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
        Duration.ofMillis(500));
    runJob("long_outage", new AttemptNoting(), restarts, commitWait);
    restart.join(60_000);
    assertThat(LAST_ATTEMPT.get()).as("task attempts: the job failed over").isPositive();
    assertExactlyOnce("long_outage");
  }
}
