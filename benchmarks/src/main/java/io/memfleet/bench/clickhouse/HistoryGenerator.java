package io.memfleet.bench.clickhouse;

import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.SqlEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fills a migrated database with a fleet's history, server-side: {@code days} of 1-minute
 * aggregates for every process (the materialized views keep the hourly and daily rollups, as in
 * production), the most recent days at 10 s resolution, GC pauses, allocation stacks, OOM
 * snapshots and alert versions — one {@code INSERT … SELECT} per table and day (see
 * {@link HistoryShape}). The history ends at the minute before {@code endSec}, so the planner
 * queries' default windows ({@code now-1d}, {@code now-7d}, …) find it.
 *
 * <pre>{@code
 * HistoryGenerator.Load load =
 *     new HistoryGenerator(ch, "bench_history", options, System.out::println)
 *         .generate(System.currentTimeMillis() / 1000);
 * }</pre>
 */
final class HistoryGenerator {
  /** Rows written into one table and how long it took. */
  record TableLoad(String table, long rows, double seconds) {
    double rowsPerSecond() {
      return seconds > 0 ? rows / seconds : 0;
    }
  }

  /** The generated period (epoch seconds, end exclusive) and what each table received. */
  record Load(long startSec, long endSec, List<TableLoad> tables) {
    long rows(String table) {
      return tables.stream().filter(t -> t.table().equals(table)).mapToLong(TableLoad::rows)
          .sum();
    }
  }

  private final SqlEndpoint ch;
  private final String database;
  private final ClickHouseBenchmarkOptions options;
  private final Consumer<String> progress;

  HistoryGenerator(SqlEndpoint ch, String database, ClickHouseBenchmarkOptions options,
      Consumer<String> progress) {
    this.ch = ch;
    this.database = database;
    this.options = options;
    this.progress = progress;
  }

  /** Generates the history ending at {@code nowSec} (rounded down to the minute). */
  Load generate(long nowSec) throws ClickHouseException {
    int days = options.days;
    long endSec = nowSec / 60 * 60;
    long startSec = endSec - days * 86_400L;
    HistoryShape shape = new HistoryShape(database, startSec, options.processes,
        options.services(), options.clusters);
    List<TableLoad> loads = new ArrayList<>();
    loads.add(perDay("process_memory_1m", days, days, day ->
        shape.processWindows("process_memory_1m", 60, day * 1440L, 1440)));
    int detail = Math.min(days, options.detailDays);
    loads.add(perDay("process_memory_10s", days, detail, day ->
        shape.processWindows("process_memory_10s", 10, day * 8640L, 8640)));
    int gcDays = Math.min(days, options.gcDays);
    loads.add(perDay("gc_pauses", days, gcDays, day ->
        shape.gcPauses(options.gcPausesPerMinute, day * 1440L, 1440)));
    int allocationDays = Math.min(days, options.allocationDays);
    loads.add(perDay("allocations_1m", days, allocationDays, day ->
        shape.allocations(options.allocationStacksPerMinute, day * 1440L, 1440)));
    loads.add(once("allocation_stacks", shape.allocationStacks(endSec)));
    loads.add(once("oom_snapshots", shape.oomSnapshots(days)));
    loads.add(once("alerts", shape.alerts(days, options.alertVersions)));
    return new Load(startSec, endSec, loads);
  }

  private interface DaySql {
    String forDay(int day);
  }

  /** Inserts the last {@code count} of {@code days} days, one statement per day. */
  private TableLoad perDay(String table, int days, int count, DaySql sql)
      throws ClickHouseException {
    long before = count(table);
    long started = System.nanoTime();
    int step = Math.max(1, count / 5);
    for (int i = 0; i < count; i++) {
      int day = days - count + i;
      ch.execute(sql.forDay(day));
      if ((i + 1) % step == 0 && i + 1 < count) {
        progress.accept("    " + table + ": " + (i + 1) + " of " + count + " days");
      }
    }
    return finish(table, before, started);
  }

  private TableLoad once(String table, String sql) throws ClickHouseException {
    long before = count(table);
    long started = System.nanoTime();
    ch.execute(sql);
    return finish(table, before, started);
  }

  private TableLoad finish(String table, long before, long startedNanos)
      throws ClickHouseException {
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    TableLoad load = new TableLoad(table, count(table) - before, seconds);
    progress.accept(String.format("  %-20s %,14d rows in %6.1f s", table, load.rows(), seconds));
    return load;
  }

  private long count(String table) throws ClickHouseException {
    return Long.parseLong(ch.queryValue("SELECT count() FROM " + database + "." + table));
  }
}
