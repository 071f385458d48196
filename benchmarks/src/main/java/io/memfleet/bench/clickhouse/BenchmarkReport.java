package io.memfleet.bench.clickhouse;

import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.SqlEndpoint;
import io.memfleet.sql.query.ResultTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one benchmark run measured, and its text form: the machine, the sink against the
 * baseline per table, the generated history, table sizes, and the planner queries' latency.
 *
 * @param command the arguments the run was started with
 * @param machine cores, memory, CPU, JVM, load average at the start
 * @param clickHouse server version and where it ran
 * @param sink one result per table written through the sink (empty when skipped)
 * @param sinkSizes sizes of the sink's tables on disk (its database)
 * @param history the generated history (absent when skipped)
 * @param historySizes sizes of the history's tables, rollups included
 * @param queries every planner query in every window
 */
record BenchmarkReport(List<String> command, String machine, String clickHouse,
    List<SinkThroughput.Result> sink, List<TableSize> sinkSizes,
    Optional<HistoryGenerator.Load> history, List<TableSize> historySizes,
    List<QueryLatency.Timing> queries) {

  /** One table's active parts: rows and bytes as ClickHouse stores them. */
  record TableSize(String table, long parts, long rows, long compressedBytes,
      long uncompressedBytes) {
    double compressedBytesPerRow() {
      return rows == 0 ? 0 : (double) compressedBytes / rows;
    }

    /** Sizes of every table of {@code database} with rows. */
    static List<TableSize> of(SqlEndpoint ch, String database) throws ClickHouseException {
      List<TableSize> sizes = new ArrayList<>();
      for (List<String> r : ch.queryTsv("SELECT table, count(), sum(rows),"
          + " sum(data_compressed_bytes), sum(data_uncompressed_bytes) FROM system.parts"
          + " WHERE database = '" + database + "' AND active GROUP BY table ORDER BY table")) {
        sizes.add(new TableSize(r.get(0), Long.parseLong(r.get(1)), Long.parseLong(r.get(2)),
            Long.parseLong(r.get(3)), Long.parseLong(r.get(4))));
      }
      return sizes;
    }
  }

  static Optional<TableSize> size(List<TableSize> sizes, String table) {
    return sizes.stream().filter(s -> s.table().equals(table)).findFirst();
  }

  /** The report as aligned text tables. */
  String render() {
    StringBuilder out = new StringBuilder();
    out.append("\nmemfleet ClickHouse benchmark, ").append(Instant.now()).append('\n');
    out.append("command:    ClickHouseBenchmark ").append(String.join(" ", command)).append('\n');
    out.append("machine:    ").append(machine).append('\n');
    out.append("ClickHouse: ").append(clickHouse).append("\n");
    if (!sink.isEmpty()) {
      out.append("\nSink throughput: the Flink ClickHouseSink (exactly-once commits, checkpointing"
          + " on) vs a bare client-v2 insert of the same rows in the same batches\n");
      List<List<String>> rows = new ArrayList<>();
      for (SinkThroughput.Result r : sink) {
        Optional<TableSize> disk = size(sinkSizes, r.table());
        rows.add(List.of(r.table(), num(r.rows()), num(r.parallelism()),
            num(r.batches()), num(r.rowsPerBatch()), fixed(r.sinkSeconds(), 1),
            num(r.sinkRowsPerSecond()), num(r.sinkRowsPerSecond() / r.parallelism()),
            fixed(r.baselineSeconds(), 1), num(r.baselineRowsPerSecond()),
            fixed(r.sinkRowsPerSecond() / r.baselineRowsPerSecond(), 2),
            num((double) r.jsonBytes() / r.rows()),
            disk.map(s -> fixed(s.compressedBytesPerRow(), 1)).orElse("?"),
            r.sinkRowsInTable() + "/" + r.baselineRowsInTable()));
      }
      out.append(table(List.of("table", "rows", "subtasks", "batches", "rows/batch", "sink s",
          "sink rows/s", "per subtask", "base s", "base rows/s", "sink/base", "json B/row",
          "disk B/row", "in CH sink/base"), rows));
    }
    history.ifPresent(h -> {
      out.append("\nHistory: ").append(Instant.ofEpochSecond(h.startSec())).append(" .. ")
          .append(Instant.ofEpochSecond(h.endSec())).append(" (")
          .append((h.endSec() - h.startSec()) / 86_400).append(" days), generated server-side\n");
      List<List<String>> rows = new ArrayList<>();
      for (HistoryGenerator.TableLoad l : h.tables()) {
        rows.add(List.of(l.table(), num(l.rows()), fixed(l.seconds(), 1),
            num(l.rowsPerSecond())));
      }
      out.append(table(List.of("table", "rows inserted", "seconds", "rows/s"), rows));
    });
    if (!historySizes.isEmpty()) {
      out.append("\nTable sizes (active parts; rollups kept by the materialized views)\n");
      List<List<String>> rows = new ArrayList<>();
      for (TableSize s : historySizes) {
        rows.add(List.of(s.table(), num(s.parts()), num(s.rows()), mib(s.compressedBytes()),
            mib(s.uncompressedBytes()), fixed(s.compressedBytesPerRow(), 1),
            fixed(s.compressedBytes() == 0 ? 0 : (double) s.uncompressedBytes()
                / s.compressedBytes(), 1)));
      }
      out.append(table(List.of("table", "parts", "rows", "compressed MiB", "raw MiB",
          "bytes/row", "ratio"), rows));
    }
    if (!queries.isEmpty()) {
      out.append("\nPlanner queries (sql/queries, bound as `memfleet query` does; one warm-up run,"
          + " then ").append(queries.get(0).millis().size()).append(" timed)\n");
      List<List<String>> rows = new ArrayList<>();
      for (QueryLatency.Timing t : queries) {
        rows.add(List.of(t.query(), t.window(), params(t.params()), num(t.rows()),
            fixed(t.firstMs(), 1), fixed(t.medianMs(), 1), fixed(t.maxMs(), 1)));
      }
      out.append(table(List.of("query", "window", "params", "rows", "first ms", "median ms",
          "max ms"), rows));
    }
    return out.toString();
  }

  private static String params(Map<String, String> params) {
    if (params.isEmpty()) {
      return "-";
    }
    List<String> parts = new ArrayList<>();
    params.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(" ", parts);
  }

  private static String table(List<String> columns, List<List<String>> rows) {
    return new ResultTable(columns, rows).render();
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static String mib(long bytes) {
    return fixed(bytes / 1048576.0, 1);
  }
}
