package io.memfleet.pipeline.clickhouse;

import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.connector.sink2.Committer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each {@link ClickHouseBatch} exactly once, on any ClickHouse from 18.16 on (no
 * {@code insert_deduplication_token}, no replicated block deduplication without ZooKeeper).
 *
 * <p>Protocol, per batch, with the {@code sink_commits} log of the same database (keyed by table
 * and batch id, with the batch's checksum):
 * <ol>
 *   <li>a {@code done} entry with this checksum → it was written before (a replay): skip. An
 *       entry with another checksum means the id came back with other rows (a job restored twice
 *       from one savepoint): the batch is written under its id plus checksum;
 *   <li>no entry → record {@code intent}, then INSERT each part (rows of one partition, one
 *       block: one data part, all or nothing), each with its own tag in {@code batch_id} and a
 *       query id derived from it, then record {@code done};
 *   <li>an {@code intent} without {@code done} → an earlier attempt died or timed out mid-commit.
 *       First wait until none of the batch's INSERTs still runs on the server (a client timeout
 *       does not stop the server; after a while they are killed), then count each part's tag:
 *       parts present in full are kept, missing parts inserted, then {@code done}.
 * </ol>
 * While ClickHouse is unreachable the commit retries with exponential back-off and holds the
 * task: upstream operators see backpressure and nothing is dropped. When the server answers but
 * refuses the rows ({@link #REJECT_AFTER} times in a row — a row that does not fit its table), the
 * parts not yet written go to {@code sink_rejects} with the server's reason, so one bad batch
 * cannot stall the job. After {@link ClickHouseSinkOptions#maxCommitWait()} the commit fails, the
 * job fails over and the batch is committed again from the restored checkpoint.
 *
 * <p>Known limit: a table with materialized views (process_memory_1m feeds the hourly and daily
 * rollups) gets its rows and then the views' rows in one INSERT; a server crash between the two
 * leaves the part in the table without its rollup rows, and the retry sees the part and keeps it.
 */
final class ClickHouseCommitter implements Committer<ClickHouseBatch> {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseCommitter.class);
  /** Consecutive refusals by a reachable server after which a batch counts as rejected. */
  static final int REJECT_AFTER = 3;
  /** How long a retry lets an earlier attempt's INSERT finish before killing it. */
  static final Duration INSERT_SETTLE = Duration.ofSeconds(30);

  private final Supplier<ClickHouseConnection> connect;
  private final ClickHouseSinkOptions options;
  private final Duration insertSettle;
  private ClickHouseConnection ch;

  ClickHouseCommitter(Supplier<ClickHouseConnection> connect, ClickHouseSinkOptions options) {
    this(connect, options, INSERT_SETTLE);
  }

  /** With another wait for an earlier attempt's INSERT (tests). */
  ClickHouseCommitter(Supplier<ClickHouseConnection> connect, ClickHouseSinkOptions options,
      Duration insertSettle) {
    this.connect = connect;
    this.options = options;
    this.insertSettle = insertSettle;
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
              + " in {} ms: {}", batch.batchId(), batch.rowCount(), batch.table(), attempt,
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
  private static final Set<Integer> DATA_ERRORS = Set.of(
      6, 16, 26, 27, 38, 41, 53, 60, 69, 70, 72, 117, 130, 131);
  private static final Pattern CODE = Pattern.compile("Code: (\\d+)");

  /** The server refused the rows themselves (bad data), as opposed to being unavailable. */
  static boolean refusedByServer(ClickHouseException e) {
    Matcher m = CODE.matcher(String.valueOf(e.getMessage()));
    return m.find() && DATA_ERRORS.contains(Integer.parseInt(m.group(1)));
  }

  /** Keeps a refused batch's unwritten parts in sink_rejects; false if that fails (retry). */
  private boolean reject(ClickHouseBatch batch, ClickHouseException reason) {
    String reasonText = String.valueOf(reason.getMessage());
    try {
      ClickHouseConnection c = connection();
      awaitNoRunningInserts(c, batch);
      Map<String, Long> present = presentTags(c, batch.table(), batch);
      Map<String, Long> rejected = presentTags(c, options.database() + ".sink_rejects", batch);
      int rejectedRows = 0;
      for (int i = 0; i < batch.parts().size(); i++) {
        String tag = batch.tag(i);
        if (present.getOrDefault(tag, 0L) > 0 || rejected.getOrDefault(tag, 0L) > 0) {
          continue;
        }
        List<String> rows = new ArrayList<>();
        for (String row : batch.parts().get(i).rows()) {
          rows.add(JsonRow.create().putDateTime("rejected_at", System.currentTimeMillis())
              .put("table_name", batch.table()).put("batch_id", tag)
              .put("reason", reasonText.length() > 2000 ? reasonText.substring(0, 2000)
                  : reasonText)
              .put("row", row).toString());
        }
        c.insertJsonEachRow(options.database() + ".sink_rejects", rows, queryId("r", tag));
        rejectedRows += rows.size();
      }
      record(c, batch, "done", 0);
      LOG.error("ClickHouse refused batch {} ({} rows for {}); {} rows kept in {}.sink_rejects: {}",
          batch.batchId(), batch.rowCount(), batch.table(), rejectedRows, options.database(),
          reasonText);
      return true;
    } catch (ClickHouseException e) {
      LOG.warn("could not keep refused batch {} in sink_rejects: {}", batch.batchId(),
          e.getMessage());
      return false;
    }
  }

  /** Returns true when the batch had been written before (nothing written now). */
  boolean commitOnce(ClickHouseBatch batch) throws ClickHouseException {
    ClickHouseConnection c = connection();
    String checksum = batch.checksum();
    List<List<String>> entries = c.queryTsv("SELECT state, checksum FROM " + log()
        + " WHERE table_name = " + literal(batch.table()) + " AND batch_id = "
        + literal(batch.batchId()));
    boolean intent = false;
    boolean otherRows = false;
    for (List<String> entry : entries) {
      // entries written before checksums existed have none: they are taken as these rows
      boolean sameRows = entry.size() < 2 || entry.get(1).isEmpty()
          || entry.get(1).equals(checksum);
      if (sameRows && "done".equals(entry.get(0))) {
        return true;
      }
      intent |= sameRows && "intent".equals(entry.get(0));
      otherRows |= !sameRows;
    }
    if (otherRows && !intent) {
      LOG.error("batch id {} of {} was used before for other rows (a job restored twice from one"
          + " savepoint or checkpoint?); writing these rows as {}", batch.batchId(),
          batch.table(), batch.batchId() + "~" + checksum);
      return commitOnce(batch.withId(batch.batchId() + "~" + checksum));
    }
    Map<String, Long> present = Map.of();
    if (intent) {
      awaitNoRunningInserts(c, batch);
      present = presentTags(c, batch.table(), batch);
    } else {
      record(c, batch, "intent", batch.rowCount());
    }
    int inserted = 0;
    for (int i = 0; i < batch.parts().size(); i++) {
      String tag = batch.tag(i);
      long there = present.getOrDefault(tag, 0L);
      int expected = batch.parts().get(i).rows().size();
      if (there == expected) {
        continue;
      }
      if (there != 0) {
        // one part is one block, so this means the server split a block or two INSERTs of the
        // part both landed; another INSERT cannot repair it and a failure would only restart the
        // job into the same state: report it loudly and leave the part as it is
        LOG.error("part {} of batch {} in {} holds {} rows, not {}: left as it is", tag,
            batch.batchId(), batch.table(), there, expected);
        continue;
      }
      c.insertJsonEachRow(batch.table(), batch.rowsWithBatchId(i), queryId("i", tag));
      inserted++;
    }
    record(c, batch, "done", batch.rowCount());
    // an earlier attempt had written every part and died before recording it
    return intent && inserted == 0;
  }

  /** Rows per part tag of {@code batch} in {@code table}; one scan for all parts. */
  private static Map<String, Long> presentTags(ClickHouseConnection c, String table,
      ClickHouseBatch batch) throws ClickHouseException {
    String prefix = batch.batchId() + "/";
    Map<String, Long> counts = new HashMap<>();
    for (List<String> row : c.queryTsv("SELECT batch_id, count() FROM " + table
        + " WHERE substring(batch_id, 1, " + prefix.getBytes(StandardCharsets.UTF_8).length
        + ") = " + literal(prefix) + " GROUP BY batch_id")) {
      counts.put(row.get(0), Long.parseLong(row.get(1)));
    }
    return counts;
  }

  /**
   * Waits until no INSERT of {@code batch} from an earlier attempt runs on the server any more
   * (a client that timed out leaves the server inserting); kills them after
   * {@link #INSERT_SETTLE} (KILL QUERY … SYNC, which returns once it ended). Only then do the tags
   * counted afterwards tell what landed.
   */
  private void awaitNoRunningInserts(ClickHouseConnection c, ClickHouseBatch batch)
      throws ClickHouseException {
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < batch.parts().size(); i++) {
      ids.append(i == 0 ? "" : ", ").append(literal(queryId("i", batch.tag(i))))
          .append(", ").append(literal(queryId("r", batch.tag(i))));
    }
    String where = " WHERE query_id IN (" + ids + ")";
    long deadline = System.nanoTime() + insertSettle.toNanos();
    while (!"0".equals(c.queryValue("SELECT count() FROM system.processes" + where))) {
      if (System.nanoTime() > deadline) {
        LOG.warn("an earlier INSERT of batch {} still runs after {}; killing it", batch.batchId(),
            insertSettle);
        c.execute("KILL QUERY" + where + " SYNC");
        return;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClickHouseException("interrupted while waiting for an earlier INSERT of "
            + batch.batchId(), e);
      }
    }
  }

  /** The query id of an INSERT of one part: fixed, so a retry can find the earlier attempt. */
  static String queryId(String kind, String tag) {
    return "memfleet-sink-" + kind + "-" + tag;
  }

  private String log() {
    return options.database() + ".sink_commits";
  }

  private void record(ClickHouseConnection c, ClickHouseBatch batch, String state, long rows)
      throws ClickHouseException {
    c.execute("INSERT INTO " + log() + " (table_name, batch_id, state, rows, committed_at,"
        + " checksum) VALUES (" + literal(batch.table()) + ", " + literal(batch.batchId()) + ", '"
        + state + "', " + rows + ", now(), " + literal(batch.checksum()) + ")");
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
