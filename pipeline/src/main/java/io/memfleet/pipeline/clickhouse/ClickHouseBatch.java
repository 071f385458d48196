package io.memfleet.pipeline.clickhouse;

import java.util.List;
import java.util.Objects;

/**
 * The rows one sink subtask collected between two checkpoints, for one table: the unit the
 * committer writes in a single INSERT, exactly once.
 *
 * @param batchId unique and deterministic for these rows: job id, subtask, attempt and the
 *     writer's checkpoint counter. A batch restored from a checkpoint keeps its id, so committing
 *     it again is recognised as already done.
 * @param table the target table, qualified with its database
 * @param rows JSON objects in ClickHouse's JSONEachRow form, without {@code batch_id}
 */
public record ClickHouseBatch(String batchId, String table, List<String> rows) {
  public ClickHouseBatch {
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(table, "table");
    rows = List.copyOf(rows);
  }

  /** The rows with {@code batch_id} added, ready for {@code INSERT … FORMAT JSONEachRow}. */
  List<String> rowsWithBatchId() {
    String field = "\"batch_id\":\"" + batchId + "\"}";
    return rows.stream().map(row -> {
      int end = row.lastIndexOf('}');
      if (end < 0) {
        throw new IllegalArgumentException("not a JSON object row: " + row);
      }
      boolean empty = row.substring(row.indexOf('{') + 1, end).isBlank();
      return row.substring(0, end) + (empty ? "" : ",") + field;
    }).toList();
  }
}
