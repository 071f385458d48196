package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
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
 * restarts from its checkpoint leaves exactly the totals of an uninterrupted run, and a ClickHouse
 * outage in the middle of a run delays rows but loses none.
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
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.setParallelism(2);
    env.enableCheckpointing(300);
    ClickHouseSinkOptions options = ClickHouseSinkOptions.defaults().withUrl(server.httpUrl())
        .withDatabase("it_sink").withMaxCommitWait(Duration.ofSeconds(90));
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

  @Test
  void aClickHouseOutageDelaysRowsButLosesNone() throws Exception {
    createTable("outage");
    server.stop(); // down before the first commit, back while the job still runs
    AtomicLong restartedAt = new AtomicLong();
    Thread restart = new Thread(() -> {
      try {
        Thread.sleep(6_000);
        server.start();
        restartedAt.set(System.nanoTime());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    restart.start();
    runJob("outage", k -> k);
    long jobEnded = System.nanoTime();
    restart.join(60_000);
    // the job could only finish after ClickHouse came back: it waited instead of dropping
    assertThat(restartedAt.get()).isPositive().isLessThan(jobEnded);
    assertExactlyOnce("outage");
  }
}
