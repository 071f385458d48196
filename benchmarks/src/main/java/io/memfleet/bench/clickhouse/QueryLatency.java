package io.memfleet.bench.clickhouse;

import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.query.ParameterType;
import io.memfleet.sql.query.PlannerQuery;
import io.memfleet.sql.query.QueryCatalog;
import io.memfleet.sql.query.QueryParameter;
import io.memfleet.sql.query.QueryRunner;
import io.memfleet.sql.query.ResultTable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Latency of every planner query ({@code sql/queries}) as {@code memfleet query} runs it: bound
 * parameters through {@link QueryRunner}, the answer read as TabSeparatedWithNames and parsed.
 * Each query runs in two windows — its declared defaults (the planner's everyday question, e.g.
 * the last day or week) and the whole generated history ({@code from} = the history's start) —
 * once to warm up, then {@code repeats} timed times.
 *
 * <pre>{@code
 * List<QueryLatency.Timing> t = new QueryLatency(runner, 5, System.out::println)
 *     .run(QueryCatalog.bundled(), historyStartEpochSec);
 * }</pre>
 */
final class QueryLatency {
  static final String DEFAULTS = "defaults";
  static final String HISTORY = "whole history";

  /** One query in one window: rows returned and the timed runs in milliseconds. */
  record Timing(String query, String window, Map<String, String> params, int rows,
      double firstMs, List<Double> millis) {
    double medianMs() {
      List<Double> sorted = new ArrayList<>(millis);
      sorted.sort(Double::compare);
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double maxMs() {
      return millis.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
  }

  private final QueryRunner runner;
  private final int repeats;
  private final Consumer<String> progress;

  QueryLatency(QueryRunner runner, int repeats, Consumer<String> progress) {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be positive: " + repeats);
    }
    this.runner = runner;
    this.repeats = repeats;
    this.progress = progress;
  }

  List<Timing> run(QueryCatalog catalog, long historyStartSec) throws ClickHouseException {
    List<Timing> timings = new ArrayList<>();
    for (PlannerQuery q : catalog.all()) {
      timings.add(time(q, DEFAULTS, Map.of()));
      Map<String, String> whole = wholeHistory(q, historyStartSec);
      if (!whole.isEmpty()) {
        timings.add(time(q, HISTORY, whole));
      }
    }
    return timings;
  }

  /** {@code from} set to the history's start, in the parameter's type; empty if none. */
  static Map<String, String> wholeHistory(PlannerQuery q, long startSec) {
    Map<String, String> params = new HashMap<>();
    q.parameter("from").ifPresent(p -> params.put("from", value(p, startSec)));
    return params;
  }

  private static String value(QueryParameter p, long epochSec) {
    if (p.type() == ParameterType.DATE) {
      return Instant.ofEpochSecond(epochSec).atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }
    if (p.type() == ParameterType.DATETIME) {
      return Long.toString(epochSec);
    }
    throw new IllegalArgumentException(p.name() + " is " + p.type() + ", not a date or time");
  }

  private Timing time(PlannerQuery q, String window, Map<String, String> params)
      throws ClickHouseException {
    long t0 = System.nanoTime();
    ResultTable first = runner.run(q, params);
    double firstMs = (System.nanoTime() - t0) / 1e6;
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < repeats; i++) {
      long t = System.nanoTime();
      runner.run(q, params);
      millis.add((System.nanoTime() - t) / 1e6);
    }
    Timing timing = new Timing(q.name(), window, params, first.rows().size(), firstMs, millis);
    progress.accept(String.format("  %-34s %-13s %6d rows  median %8.1f ms  max %8.1f ms",
        q.name(), window, timing.rows(), timing.medianMs(), timing.maxMs()));
    return timing;
  }
}
