package io.memfleet.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.bench.pipeline.CheckpointStateSizes.OperatorSizes;
import io.memfleet.bench.pipeline.StateSizeOptions.Backend;
import io.memfleet.bench.pipeline.StateSizeRun.Result;
import io.memfleet.pipeline.detect.Rules;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The keyed-state benchmark end to end at a tiny size, so it keeps working: a real broker, two
 * fleets written, the whole job on a MiniCluster with the heap and the RocksDB backend, a real
 * checkpoint (and, for RocksDB, a canonical savepoint) read back. Functional facts only — every
 * event arrived, every keyed operator of the job is in the checkpoint with state, the
 * per-process operators hold state for exactly the fleet's processes — never a size threshold:
 * sizes are what the benchmark measures, not what a build should judge.
 */
@Execution(ExecutionMode.CONCURRENT)
class StateSizeBenchmarkIT {
  /** Keyed operators of the job besides the rules (one per rule, named rule-...). */
  private static final List<String> KEYED = List.of("align-clocks", "join-per-process",
      "process_memory_10s", "process_memory_1m", "allocations_1m", "detect-observations",
      "alert-manager", "oom-forensics");

  @TempDir Path dir;

  @Test
  void everyKeyedOperatorHoldsStateAndEveryProcessIsTracked() throws Exception {
    StateSizeOptions options = StateSizeOptions.parse("--fleets", "2x4,2x2", "--rate", "2",
        "--duration", "20s", "--backends", "hashmap,rocksdb", "--partitions", "2",
        "--clock-sync-interval", "2s", "--managed-memory", "256m", "--broker-heap", "384m",
        "--work-dir", dir.toString());
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    StateSizeBenchmark.Outcome outcome = StateSizeBenchmark.run(options,
        new PrintStream(progress, true, StandardCharsets.UTF_8));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    outcome.report().print(new PrintStream(printed, true, StandardCharsets.UTF_8));
    System.out.println(progress.toString(StandardCharsets.UTF_8));
    System.out.println(printed.toString(StandardCharsets.UTF_8));

    assertThat(outcome.failedChecks()).as("functional checks of every run").isEmpty();
    List<Result> results = outcome.report().results();
    assertThat(results).extracting(r -> r.backend() + " " + r.fleet()).containsExactly(
        "HASHMAP 2x4", "ROCKSDB 2x4", "HASHMAP 2x2", "ROCKSDB 2x2");
    int rules = Rules.all(new Configuration()).size();
    for (Result r : results) {
      String run = r.backend() + " " + r.fleet();
      assertThat(r.counted()).as(run).isEqualTo(r.events()).isEqualTo(r.fleet().processes() * 40L);
      Map<String, OperatorSizes> keyed = r.sizes().operators().stream()
          .filter(o -> !o.keyedHandles().isEmpty())
          .collect(Collectors.toMap(OperatorSizes::name, o -> o));
      assertThat(keyed.keySet()).as(run).containsAll(KEYED);
      assertThat(keyed.keySet()).as(run).filteredOn(n -> n.startsWith("rule-")).hasSize(rules);
      assertThat(keyed.values()).as(run).allSatisfy(o ->
          assertThat(o.keyedBytes()).as(run + " " + o.name()).isPositive());
      for (String perProcess : StateSizeBenchmark.PER_PROCESS) {
        assertThat(r.breakdowns().get(perProcess).distinctKeys()).as(run + " " + perProcess)
            .isEqualTo(r.fleet().processes());
      }
      assertThat(r.breakdowns().keySet()).as(run).containsAll(keyed.keySet());
      assertThat(r.savepoint() != null).as(run + ": a savepoint for RocksDB only")
          .isEqualTo(r.backend() == Backend.ROCKSDB);
    }
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("keyed state per tracked process")
        .contains("hashmap: keyed bytes per process, and per additional process")
        .contains("rocksdb, 8 processes: keyed state by state");
  }
}
