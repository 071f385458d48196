package io.memfleet.pipeline.clickhouse;

import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseException;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Supplier;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each {@link ClickHouseBatch} exactly once.
 *
 * <p>Protocol, per batch, with the {@code sink_commits} log of the same database:
 * <ol>
 *   <li>a {@code done} entry for the batch → it was written before (a replay): skip;
 *   <li>an {@code intent} entry without {@code done} → an earlier attempt died mid-commit: if the
 *       table holds rows with this {@code batch_id} (one INSERT is one block: all or none), record
 *       {@code done} and skip, else insert;
 *   <li>otherwise record {@code intent}, INSERT all rows in one statement, record {@code done}.
 * </ol>
 * While ClickHouse is unreachable the commit retries with exponential back-off and holds the
 * task: upstream operators see backpressure and nothing is dropped. After
 * {@link ClickHouseSinkOptions#maxCommitWait()} the commit fails, the job fails over and the batch
 * is committed again from the restored checkpoint.
 */
final class ClickHouseCommitter implements Committer<ClickHouseBatch> {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseCommitter.class);

  private final Supplier<ClickHouseConnection> connect;
  private final ClickHouseSinkOptions options;
  private ClickHouseConnection ch;

  ClickHouseCommitter(Supplier<ClickHouseConnection> connect, ClickHouseSinkOptions options) {
    this.connect = connect;
    this.options = options;
  }

  @Override
  public void commit(Collection<CommitRequest<ClickHouseBatch>> requests)
      throws InterruptedException {
    for (CommitRequest<ClickHouseBatch> request : requests) {
      commitWithRetries(request);
    }
  }

  private void commitWithRetries(CommitRequest<ClickHouseBatch> request)
      throws InterruptedException {
    ClickHouseBatch batch = request.getCommittable();
    long deadline = System.nanoTime() + options.maxCommitWait().toNanos();
    Duration backoff = options.retryInitial();
    int attempt = 0;
    while (true) {
      try {
        if (commitOnce(batch)) {
          request.signalAlreadyCommitted();
        }
        return;
      } catch (ClickHouseException e) {
        attempt++;
        if (System.nanoTime() > deadline) {
          request.signalFailedWithUnknownReason(new ClickHouseException("batch " + batch.batchId()
              + " not committed after " + attempt + " attempts within " + options.maxCommitWait()
              + ": " + e.getMessage(), e));
          return;
        }
        if (attempt == 1 || attempt % 10 == 0) {
          LOG.warn("ClickHouse commit of batch {} ({} rows into {}) failed (attempt {}), retrying"
              + " in {} ms: {}", batch.batchId(), batch.rows().size(), batch.table(), attempt,
              backoff.toMillis(), e.getMessage());
        }
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2).compareTo(options.retryMax()) > 0 ? options.retryMax()
            : backoff.multipliedBy(2);
      }
    }
  }

  /** Returns true when the batch had been committed before (nothing written now). */
  boolean commitOnce(ClickHouseBatch batch) throws ClickHouseException {
    ClickHouseConnection c = connection();
    String log = options.database() + ".sink_commits";
    String where = " WHERE table_name = " + literal(batch.table()) + " AND batch_id = "
        + literal(batch.batchId());
    String states = c.queryValue("SELECT concat(',', arrayStringConcat(groupUniqArray(state), ','),"
        + " ',') FROM " + log + where);
    if (states.contains(",done,")) {
      return true;
    }
    if (states.contains(",intent,")) {
      String already = c.queryValue("SELECT count() FROM " + batch.table() + " WHERE batch_id = "
          + literal(batch.batchId()));
      if (!"0".equals(already)) {
        record(c, log, batch, "done", Long.parseLong(already));
        return true;
      }
    } else {
      record(c, log, batch, "intent", batch.rows().size());
    }
    c.insertJsonEachRow(batch.table(), batch.rowsWithBatchId());
    record(c, log, batch, "done", batch.rows().size());
    return false;
  }

  private static void record(ClickHouseConnection c, String log, ClickHouseBatch batch,
      String state, long rows) throws ClickHouseException {
    c.execute("INSERT INTO " + log + " (table_name, batch_id, state, rows, committed_at) VALUES ("
        + literal(batch.table()) + ", " + literal(batch.batchId()) + ", '" + state + "', " + rows
        + ", now())");
  }

  /** Table names and batch ids are produced by the sink itself; escaping keeps them literal. */
  static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private ClickHouseConnection connection() {
    if (ch == null) {
      ch = connect.get();
    }
    return ch;
  }

  @Override
  public void close() {
    if (ch != null) {
      ch.close();
    }
  }
}
