package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseException;
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
    ch.execute("CREATE TABLE it_commit.daily (day Date, k UInt32, batch_id String)"
        + " ENGINE = MergeTree() PARTITION BY day ORDER BY k");
    options = ClickHouseSinkOptions.defaults().withUrl(server.httpUrl()).withDatabase("it_commit")
        .withMaxCommitWait(Duration.ofSeconds(60));
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

  private ClickHouseCommitter committer() {
    return new ClickHouseCommitter(() -> ClickHouseConnection.builder(server.httpUrl()).build(),
        options);
  }

  private static ClickHouseBatch batch(String id, int from, int n) {
    List<String> rows = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      rows.add(JsonRow.create().put("k", i).put("v", "row " + i).toString());
    }
    return ClickHouseBatch.of(id, "it_commit.rows", rows);
  }

  private static long count(String batchId) throws Exception {
    return Long.parseLong(ch.queryValue("SELECT count() FROM it_commit.rows WHERE batch_id LIKE '"
        + batchId + "/%'"));
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
    ch.insertJsonEachRow("it_commit.rows", batch.rowsWithBatchId(0));
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
    stopServer();
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
    assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt))
        .isGreaterThan(Duration.ofSeconds(3));
    assertThat(request.outcome).isEqualTo("committed");
    assertThat(count("outage")).isEqualTo(20);
  }

  @Test
  void rowsTheServerRefusesAreKeptInSinkRejectsAndTheCommitReturns() throws Exception {
    ClickHouseBatch bad = ClickHouseBatch.of("bad", "it_commit.rows",
        List.of("{\"k\":\"not a number\",\"v\":\"x\"}", "{\"k\":1,\"v\":\"fine\"}"));
    RecordingRequest request = new RecordingRequest(bad);
    try (ClickHouseCommitter c = committer()) {
      c.commit(List.of(request));
    }
    assertThat(request.outcome).isEqualTo("committed");
    assertThat(count("bad")).isZero();
    assertThat(ch.queryValue("SELECT count() FROM it_commit.sink_rejects WHERE batch_id = 'bad/0'"))
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

  private static ClickHouseBatch daily(String id, int days, int perDay) {
    List<ClickHouseBatch.Part> parts = new ArrayList<>();
    for (int d = 0; d < days; d++) {
      List<String> rows = new ArrayList<>();
      for (int i = 0; i < perDay; i++) {
        rows.add(JsonRow.create().put("day", "2026-03-0" + (d + 1)).put("k", d * 1000 + i)
            .toString());
      }
      parts.add(new ClickHouseBatch.Part("2026-03-0" + (d + 1), rows));
    }
    return new ClickHouseBatch(id, "it_commit.daily", parts);
  }

  private static long dailyCount(String where) throws Exception {
    return Long.parseLong(ch.queryValue("SELECT count() FROM it_commit.daily WHERE " + where));
  }

  @Test
  void aBatchSpanningPartitionsThatDiedHalfWayIsCompletedWithoutDuplicates() throws Exception {
    // three days = three partitions; an attempt recorded its intent, wrote the first day's part,
    // and died: with one INSERT for all three, ClickHouse would have kept whichever data parts
    // it had written, and the old count check saw "some rows" and called the batch done
    ClickHouseBatch batch = daily("spans", 3, 40);
    ch.execute("INSERT INTO it_commit.sink_commits (table_name, batch_id, state, rows,"
        + " committed_at, checksum) VALUES ('it_commit.daily', 'spans', 'intent', 120, now(), '"
        + batch.checksum() + "')");
    ch.insertJsonEachRow("it_commit.daily", batch.rowsWithBatchId(0));
    RecordingRequest request = new RecordingRequest(batch);
    try (ClickHouseCommitter c = committer()) {
      c.commit(List.of(request));
      c.commit(List.of(new RecordingRequest(batch))); // and a replay after a restore
    }
    assertThat(request.outcome).isEqualTo("committed");
    assertThat(dailyCount("batch_id LIKE 'spans/%'")).isEqualTo(120);
    for (int d = 0; d < 3; d++) {
      assertThat(dailyCount("batch_id = 'spans/" + d + "'")).isEqualTo(40);
    }
    assertThat(ch.queryValue("SELECT uniqExact(_part) FROM it_commit.daily"
        + " WHERE batch_id LIKE 'spans/%'")).isEqualTo("3");
  }

  @Test
  void anInsertTheClientGaveUpOnButTheServerCompletedIsNotInsertedTwice() throws Exception {
    // every INSERT into this table takes 5 s on the server (its MATERIALIZED columns sleep once
    // per block); the committer's client below gives up after 1 s
    ch.execute("CREATE TABLE it_commit.slow (day Date, k UInt32, batch_id String,"
        + " slept1 UInt8 MATERIALIZED sleep(3), slept2 UInt8 MATERIALIZED sleep(2))"
        + " ENGINE = MergeTree() PARTITION BY day ORDER BY k");
    long t0 = System.nanoTime();
    ch.insertJsonEachRow("it_commit.slow",
        List.of("{\"day\":\"2026-03-01\",\"k\":0,\"batch_id\":\"patient\"}"));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("one INSERT")
        .isGreaterThan(Duration.ofMillis(4900));
    // first, that this is what happens: the client times out, the server inserts all the same
    try (ClickHouseConnection impatient = ClickHouseConnection.builder(server.httpUrl())
        .timeoutSeconds(1).build()) {
      assertThatThrownBy(() -> impatient.insertJsonEachRow("it_commit.slow",
          List.of("{\"day\":\"2026-03-01\",\"k\":1,\"batch_id\":\"probe\"}")))
          .isInstanceOf(ClickHouseException.class);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (slowCount("batch_id = 'probe'") == 0) {
      assertThat(System.nanoTime()).as("the abandoned INSERT lands").isLessThan(deadline);
      Thread.sleep(100);
    }

    List<String> rows = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      rows.add(JsonRow.create().put("day", "2026-03-02").put("k", i).toString());
    }
    ClickHouseBatch batch = new ClickHouseBatch("timeout", "it_commit.slow",
        List.of(new ClickHouseBatch.Part("2026-03-02", rows)));
    RecordingRequest request = new RecordingRequest(batch);
    long started = System.nanoTime();
    try (ClickHouseCommitter c = new ClickHouseCommitter(
        () -> ClickHouseConnection.builder(server.httpUrl()).timeoutSeconds(1).build(), options)) {
      c.commit(List.of(request));
    }
    // the first INSERT timed out on the client, and the server completed it: the retry found
    // the part in place (after waiting for it to finish) and wrote nothing itself
    assertThat(request.outcome).isEqualTo("already-committed");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(4));
    // count only once no INSERT into the table runs any more (a second one would land late)
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!"0".equals(ch.queryValue("SELECT count() FROM system.processes"
        + " WHERE query LIKE 'INSERT INTO it_commit.slow%'"))) {
      assertThat(System.nanoTime()).as("INSERTs end").isLessThan(deadline);
      Thread.sleep(100);
    }
    assertThat(slowCount("batch_id = 'timeout/0'")).isEqualTo(7);
    assertThat(ch.queryValue("SELECT count() FROM it_commit.sink_commits"
        + " WHERE batch_id = 'timeout' AND state = 'done'")).isEqualTo("1");
  }

  @Test
  void anEarlierInsertThatRunsTooLongIsKilledAndTheBatchIsStillWrittenOnce() throws Exception {
    // an earlier attempt's INSERT of part 0 (under the committer's query id) that goes on for
    // over 5 s, longer than this committer waits (2 s): it is killed, then the parts counted
    ClickHouseBatch batch = daily("killed", 1, 7);
    ch.execute("INSERT INTO it_commit.sink_commits (table_name, batch_id, state, rows,"
        + " committed_at, checksum) VALUES ('it_commit.daily', 'killed', 'intent', 7, now(), '"
        + batch.checksum() + "')");
    String queryId = ClickHouseCommitter.queryId("i", batch.tag(0));
    CompletableFuture<?> earlier = CompletableFuture.runAsync(() -> {
      try (var ignored = ch.client().query("INSERT INTO it_commit.daily"
          + " SELECT toDate('2026-03-01'), toUInt32(number), 'killed/0' FROM numbers(7)"
          + " WHERE sleep(3) = 0 AND sleep(2.5) = 0",
          new com.clickhouse.client.api.query.QuerySettings().setQueryId(queryId))
          .get(60, TimeUnit.SECONDS)) {
        // it may be killed: either way the committer decides from what it finds afterwards
      } catch (Exception killed) {
        // expected when the kill stops it
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ch.queryValue("SELECT count() FROM system.processes WHERE query_id = '" + queryId
        + "'").equals("0")) {
      assertThat(System.nanoTime()).as("the earlier INSERT started").isLessThan(deadline);
      Thread.sleep(20);
    }
    RecordingRequest request = new RecordingRequest(batch);
    try (ClickHouseCommitter c = new ClickHouseCommitter(
        () -> ClickHouseConnection.builder(server.httpUrl()).build(), options,
        Duration.ofSeconds(2))) {
      c.commit(List.of(request));
    }
    earlier.get(30, TimeUnit.SECONDS);
    assertThat(ch.queryValue("SELECT count() FROM system.processes WHERE query_id = '" + queryId
        + "'")).isEqualTo("0");
    assertThat(dailyCount("batch_id = 'killed/0'")).isEqualTo(7);
  }

  private static long slowCount(String where) throws Exception {
    return Long.parseLong(ch.queryValue("SELECT count() FROM it_commit.slow WHERE " + where));
  }

  @Test
  void anIdCommittedBeforeWithOtherRowsDoesNotSwallowTheseRows() throws Exception {
    // a job restored twice from one savepoint gives its first batches the same ids as the first
    // restore did, with rows that need not be the same
    try (ClickHouseCommitter c = committer()) {
      c.commit(List.of(new RecordingRequest(batch("reused", 9000, 3))));
      RecordingRequest other = new RecordingRequest(batch("reused", 9100, 4));
      c.commit(List.of(other));
      assertThat(other.outcome).isEqualTo("committed");
    }
    assertThat(count("reused")).isEqualTo(3);
    assertThat(ch.queryValue("SELECT count() FROM it_commit.rows WHERE batch_id LIKE 'reused~%'"))
        .isEqualTo("4");
  }

  @Test
  void anUnfinishedCommitOfOtherRowsUnderTheSameIdIsNeitherCompletedNorJoined() throws Exception {
    // another restore from the same savepoint began writing other rows under this id and died
    ClickHouseBatch theirs = batch("shared", 9500, 3);
    ch.execute("INSERT INTO it_commit.sink_commits (table_name, batch_id, state, rows,"
        + " committed_at, checksum) VALUES ('it_commit.rows', 'shared', 'intent', 3, now(), '"
        + theirs.checksum() + "')");
    ch.insertJsonEachRow("it_commit.rows", theirs.rowsWithBatchId(0));
    ClickHouseBatch ours = batch("shared", 9600, 5);
    RecordingRequest request = new RecordingRequest(ours);
    try (ClickHouseCommitter c = committer()) {
      c.commit(List.of(request));
    }
    assertThat(request.outcome).isEqualTo("committed");
    assertThat(count("shared")).isEqualTo(3);
    assertThat(ch.queryValue("SELECT count() FROM it_commit.rows WHERE batch_id = 'shared~"
        + ours.checksum() + "/0'")).isEqualTo("5");
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
