package io.memfleet.pipeline.clickhouse;

import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
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
 * task: upstream operators see backpressure and nothing is dropped. When the server answers but
 * refuses the rows ({@link #REJECT_AFTER} times in a row — a row that does not fit its table), the
 * rows go to {@code sink_rejects} with the server's reason, so one bad batch cannot stall the job. After
 * {@link ClickHouseSinkOptions#maxCommitWait()} the commit fails, the job fails over and the batch
 * is committed again from the restored checkpoint.
 */
final class ClickHouseCommitter implements Committer<ClickHouseBatch> {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseCommitter.class);
  /** Consecutive refusals by a reachable server after which a batch counts as rejected. */
  static final int REJECT_AFTER = 3;

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
    int refusals = 0;
    while (true) {
      try {
        if (commitOnce(batch)) {
          request.signalAlreadyCommitted();
        }
        return;
      } catch (ClickHouseException e) {
        attempt++;
        refusals = refusedByServer(e) ? refusals + 1 : 0;
        if (refusals >= REJECT_AFTER && reject(batch, e)) {
          return;
        }
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

  /**
   * ClickHouse error codes that mean "these rows do not fit the table" — retrying cannot help.
   * Everything else (unreachable, too many parts, memory limits) is retried.
   */
  private static final java.util.Set<Integer> DATA_ERRORS = java.util.Set.of(
      6, 16, 26, 27, 38, 41, 53, 60, 69, 70, 72, 117, 130, 131);
  private static final java.util.regex.Pattern CODE = java.util.regex.Pattern.compile("Code: (\\d+)");

  /** The server refused the rows themselves (bad data), as opposed to being unavailable. */
  static boolean refusedByServer(ClickHouseException e) {
    java.util.regex.Matcher m = CODE.matcher(String.valueOf(e.getMessage()));
    return m.find() && DATA_ERRORS.contains(Integer.parseInt(m.group(1)));
  }

  /** Keeps a refused batch's rows in sink_rejects; false if even that fails (then retry). */
  private boolean reject(ClickHouseBatch batch, ClickHouseException reason) {
    String reasonText = String.valueOf(reason.getMessage());
    List<String> rows = new java.util.ArrayList<>();
    for (String row : batch.rows()) {
      rows.add(JsonRow.create().putDateTime("rejected_at", System.currentTimeMillis())
          .put("table_name", batch.table()).put("batch_id", batch.batchId())
          .put("reason", reasonText.length() > 2000 ? reasonText.substring(0, 2000) : reasonText)
          .put("row", row).toString());
    }
    try {
      ClickHouseConnection c = connection();
      c.insertJsonEachRow(options.database() + ".sink_rejects", rows);
      record(c, options.database() + ".sink_commits", batch, "done", 0);
      LOG.error("ClickHouse refused batch {} ({} rows for {}); rows kept in {}.sink_rejects: {}",
          batch.batchId(), batch.rows().size(), batch.table(), options.database(), reasonText);
      return true;
    } catch (ClickHouseException e) {
      LOG.warn("could not keep refused batch {} in sink_rejects: {}", batch.batchId(),
          e.getMessage());
      return false;
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
