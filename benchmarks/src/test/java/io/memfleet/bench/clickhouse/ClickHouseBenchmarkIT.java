package io.memfleet.bench.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.sql.query.QueryCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole benchmark at a tiny size, end to end on a ClickHouse server the harness starts itself:
 * functional facts only (rows arrive by both paths, the history fills every table, every planner
 * query answers with rows), never a performance threshold.
 */
class ClickHouseBenchmarkIT {
  private static final int SINK_ROWS = 2_000;
  private static final int PROCESSES = 20;

  @Test
  void aTinyRunWritesEveryRowByBothPathsAndEveryQueryAnswers(@TempDir Path dir) throws Exception {
    Capabilities.require(ClickHouseServer.findBinary().isPresent(),
        "a ClickHouse server binary (apt-get install clickhouse-server)");
    String[] args = {"--work-dir", dir.toString(), "--sink-rows", String.valueOf(SINK_ROWS),
        "--checkpoint-interval", "300ms", "--days", "1", "--processes", String.valueOf(PROCESSES),
        "--repeats", "1", "--merge-wait", "5s", "--database-prefix", "it_bench"};
    ClickHouseBenchmarkOptions options = ClickHouseBenchmarkOptions.parse(args);
    options.clickHouseUrl = null; // the harness starts its own server, whatever the env says
    List<String> progress = new ArrayList<>();

    BenchmarkReport report = ClickHouseBenchmark.run(options, List.of(args), progress::add);

    assertThat(report.sink()).extracting(SinkThroughput.Result::table)
        .containsExactly("events_raw", "process_memory_10s", "process_memory_1m", "gc_pauses");
    for (SinkThroughput.Result r : report.sink()) {
      assertThat(r.sinkRowsInTable()).as(r.table() + " via the sink").isEqualTo(SINK_ROWS);
      assertThat(r.baselineRowsInTable()).as(r.table() + " via the baseline").isEqualTo(SINK_ROWS);
      assertThat(r.batches()).as(r.table() + " batches").isPositive();
      assertThat(r.jsonBytes()).isPositive();
    }
    assertThat(report.sinkSizes()).extracting(BenchmarkReport.TableSize::table)
        .contains("events_raw", "process_memory_1m", "sink_commits");

    HistoryGenerator.Load history = report.history().orElseThrow();
    assertThat(history.rows("process_memory_1m")).isEqualTo(PROCESSES * 1440L);
    assertThat(history.rows("process_memory_10s")).isEqualTo(PROCESSES * 8640L);
    assertThat(history.tables()).allSatisfy(t -> assertThat(t.rows()).as(t.table()).isPositive());
    // the materialized views kept the rollups the planner queries read
    assertThat(report.historySizes()).filteredOn(s -> s.table().equals("process_memory_1h")
        || s.table().equals("service_memory_1d")).hasSize(2)
        .allSatisfy(s -> assertThat(s.rows()).isPositive());

    List<String> names = QueryCatalog.bundled().names();
    assertThat(report.queries().stream().filter(t -> t.window().equals(QueryLatency.DEFAULTS))
        .map(QueryLatency.Timing::query).collect(Collectors.toList()))
        .containsExactlyElementsOf(names);
    assertThat(report.queries()).allSatisfy(t -> {
      assertThat(t.rows()).as(t.query() + " in " + t.window()).isPositive();
      assertThat(t.millis()).hasSize(1);
    });

    String text = report.render();
    assertThat(text).contains("Sink throughput", "process_memory_1h", "days_to_oom",
        "whole history");
    assertThat(dir.resolve("clickhouse")).as("the started server's data is removed").satisfies(
        p -> assertThat(Files.exists(p)).isFalse());
  }
}
