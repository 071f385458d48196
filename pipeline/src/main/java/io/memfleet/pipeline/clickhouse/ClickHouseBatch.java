package io.memfleet.pipeline.clickhouse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The rows one sink subtask collected between two checkpoints, for one table: the unit the
 * committer writes exactly once.
 *
 * <p>A batch is split into {@link Part}s, each written by one INSERT: the rows of one part lie in
 * one partition of the table and are few enough to form one block, so ClickHouse stores each part
 * as one data part — all of its rows or none. (One INSERT of rows from several partitions becomes
 * several data parts, and a failure between them leaves some.) Each part's rows carry their own
 * tag in {@code batch_id} ({@link #tag(int)}), which is how a retry finds out which parts landed.
 *
 * @param batchId unique and deterministic: the writer's lineage (kept in its checkpointed state),
 *     subtask, the checkpoint the batch follows and a sequence within it (see
 *     {@link ClickHouseSinkWriter}). A batch restored from a checkpoint keeps its id, so committing
 *     it again is recognised as already done.
 * @param table the target table, qualified with its database
 * @param parts the rows by partition, JSON objects in ClickHouse's JSONEachRow form without
 *     {@code batch_id}
 */
public record ClickHouseBatch(String batchId, String table, List<Part> parts) {
  public ClickHouseBatch {
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(table, "table");
    parts = List.copyOf(parts);
  }

  /** A batch of one part (a table without partitions, or rows known to share one). */
  public static ClickHouseBatch of(String batchId, String table, List<String> rows) {
    return new ClickHouseBatch(batchId, table, List.of(new Part("all", rows)));
  }

  /**
   * Rows of one partition, written in one INSERT.
   *
   * @param partition which partition slot the rows belong to (for logs; the split is the writer's)
   * @param rows JSONEachRow objects
   */
  public record Part(String partition, List<String> rows) {
    public Part {
      Objects.requireNonNull(partition, "partition");
      rows = List.copyOf(rows);
    }
  }

  /** Rows in all parts. */
  public int rowCount() {
    int n = 0;
    for (Part p : parts) {
      n += p.rows().size();
    }
    return n;
  }

  /** Every row, part after part. */
  public List<String> rows() {
    return parts.stream().flatMap(p -> p.rows().stream()).toList();
  }

  /** The {@code batch_id} value of the rows of part {@code index}. */
  public String tag(int index) {
    return batchId + "/" + index;
  }

  /** The same rows under another id (a batch whose id was taken by different rows). */
  ClickHouseBatch withId(String newId) {
    return new ClickHouseBatch(newId, table, parts);
  }

  /**
   * A digest of the table and every row in order: the commit log keeps it, so a batch id that
   * comes back with other rows (a job restored twice from one savepoint) is told from a replay.
   */
  public String checksum() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(table.getBytes(StandardCharsets.UTF_8));
      for (Part p : parts) {
        sha.update((byte) 0);
        sha.update(p.partition().getBytes(StandardCharsets.UTF_8));
        for (String row : p.rows()) {
          sha.update((byte) '\n');
          sha.update(row.getBytes(StandardCharsets.UTF_8));
        }
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  /** The rows of part {@code index} with its tag as {@code batch_id}, ready for JSONEachRow. */
  List<String> rowsWithBatchId(int index) {
    String field = "\"batch_id\":\"" + tag(index) + "\"}";
    return parts.get(index).rows().stream().map(row -> {
      int end = row.lastIndexOf('}');
      if (end < 0) {
        throw new IllegalArgumentException("not a JSON object row: " + row);
      }
      boolean empty = row.substring(row.indexOf('{') + 1, end).isBlank();
      return row.substring(0, end) + (empty ? "" : ",") + field;
    }).toList();
  }
}
