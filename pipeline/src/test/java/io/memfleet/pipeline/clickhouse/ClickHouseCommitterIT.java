package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commit protocol against a real ClickHouse server: exactly once, recovery, outages. */
class ClickHouseCommitterIT {
  @TempDir static Path dir;
  static ClickHouseServer server;
  static ClickHouseConnection ch;
  static ClickHouseSinkOptions options;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.clickHouse(dir);
    ch = ClickHouseConnection.builder(server.httpUrl()).build();
    MigrationRunner.builder(ch).database("it_commit").build().migrate(MigrationSource.bundled());
    ch.execute("CREATE TABLE it_commit.rows (k UInt32, v String, batch_id String)"
        + " ENGINE = MergeTree() ORDER BY k");
    options = ClickHouseSinkOptions.defaults().withUrl(server.httpUrl()).withDatabase("it_commit")
        .withMaxCommitWait(Duration.ofSeconds(60));
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

  private ClickHouseCommitter committer() {
    return new ClickHouseCommitter(() -> ClickHouseConnection.builder(server.httpUrl()).build(),
        options);
  }

  private static ClickHouseBatch batch(String id, int from, int n) {
    List<String> rows = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      rows.add(JsonRow.create().put("k", i).put("v", "row " + i).toString());
    }
    return new ClickHouseBatch(id, "it_commit.rows", rows);
  }

  private static long count(String batchId) throws Exception {
    return Long.parseLong(ch.queryValue("SELECT count() FROM it_commit.rows WHERE batch_id = '"
        + batchId + "'"));
  }

  @Test
  void aBatchCommittedTwiceIsWrittenOnce() throws Exception {
    try (ClickHouseCommitter c = committer()) {
      RecordingRequest first = new RecordingRequest(batch("twice", 0, 500));
      c.commit(List.of(first));
      RecordingRequest replay = new RecordingRequest(batch("twice", 0, 500));
      c.commit(List.of(replay));
      assertThat(first.outcome).isEqualTo("committed");
      assertThat(replay.outcome).isEqualTo("already-committed");
    }
    assertThat(count("twice")).isEqualTo(500);
  }

  @Test
  void anInterruptedCommitIsCompletedWithoutDuplicates() throws Exception {
    // an attempt that recorded its intent and inserted, then died before recording done
    ClickHouseBatch batch = batch("half", 1000, 50);
    ch.execute("INSERT INTO it_commit.sink_commits (table_name, batch_id, state, rows,"
        + " committed_at) VALUES ('it_commit.rows', 'half', 'intent', 50, now())");
    ch.insertJsonEachRow("it_commit.rows", batch.rowsWithBatchId());
    // and one that died after the intent but before its insert
    ch.execute("INSERT INTO it_commit.sink_commits (table_name, batch_id, state, rows,"
        + " committed_at) VALUES ('it_commit.rows', 'none', 'intent', 7, now())");
    try (ClickHouseCommitter c = committer()) {
      RecordingRequest half = new RecordingRequest(batch);
      RecordingRequest none = new RecordingRequest(batch("none", 2000, 7));
      c.commit(List.of(half, none));
      assertThat(half.outcome).isEqualTo("already-committed");
      assertThat(none.outcome).isEqualTo("committed");
    }
    assertThat(count("half")).isEqualTo(50);
    assertThat(count("none")).isEqualTo(7);
  }

  @Test
  void anOutageHoldsTheCommitUntilClickHouseIsBack() throws Exception {
    server.stop();
    long stoppedAt = System.nanoTime();
    CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(4_000);
        server.start();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    RecordingRequest request = new RecordingRequest(batch("outage", 5000, 20));
    try (ClickHouseCommitter c = committer()) {
      c.commit(List.of(request));
    }
    restart.get(60, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isGreaterThan(Duration.ofSeconds(3));
    assertThat(request.outcome).isEqualTo("committed");
    assertThat(count("outage")).isEqualTo(20);
  }

  @Test
  void rowsTheServerRefusesAreKeptInSinkRejectsAndTheCommitReturns() throws Exception {
    ClickHouseBatch bad = new ClickHouseBatch("bad", "it_commit.rows",
        List.of("{\"k\":\"not a number\",\"v\":\"x\"}", "{\"k\":1,\"v\":\"fine\"}"));
    RecordingRequest request = new RecordingRequest(bad);
    try (ClickHouseCommitter c = committer()) {
      c.commit(List.of(request));
    }
    assertThat(request.outcome).isEqualTo("committed");
    assertThat(count("bad")).isZero();
    assertThat(ch.queryValue("SELECT count() FROM it_commit.sink_rejects WHERE batch_id = 'bad'"))
        .isEqualTo("2");
    assertThat(ch.queryValue("SELECT any(reason) FROM it_commit.sink_rejects")).contains("Code:");
    // a replay of the same batch is recognised as done, not rejected again
    RecordingRequest replay = new RecordingRequest(bad);
    try (ClickHouseCommitter c = committer()) {
      c.commit(List.of(replay));
    }
    assertThat(replay.outcome).isEqualTo("already-committed");
    assertThat(ch.queryValue("SELECT count() FROM it_commit.sink_rejects")).isEqualTo("2");
  }

  /** Records how the committer answered, as Flink's committer operator would see it. */
  static final class RecordingRequest implements CommitRequest<ClickHouseBatch> {
    private final ClickHouseBatch batch;
    String outcome = "committed";

    RecordingRequest(ClickHouseBatch batch) {
      this.batch = batch;
    }

    @Override
    public ClickHouseBatch getCommittable() {
      return batch;
    }

    @Override
    public int getNumberOfRetries() {
      return 0;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
      outcome = "failed: " + t;
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
      outcome = "failed: " + t;
    }

    @Override
    public void retryLater() {
      outcome = "retry-later";
    }

    @Override
    public void updateAndRetryLater(ClickHouseBatch committable) {
      outcome = "retry-later";
    }

    @Override
    public void signalAlreadyCommitted() {
      outcome = "already-committed";
    }
  }
}
