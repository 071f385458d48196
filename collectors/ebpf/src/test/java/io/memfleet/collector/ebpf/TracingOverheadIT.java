package io.memfleet.collector.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.ebpf.overhead.MallocBench;
import io.memfleet.collector.ebpf.overhead.OverheadHarness;
import io.memfleet.collector.ebpf.overhead.OverheadHarness.Report;
import io.memfleet.collector.ebpf.overhead.OverheadHarness.Run;
import io.memfleet.collector.ebpf.overhead.TracingMode;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.localstack.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overhead harness at a tiny size (one round, half a second per workload, four modes), so
 * it keeps working: the gcc-built benchmark runs untraced, under the collector's defaults on it
 * alone and on the whole host, and with every allocator call traced, against a real broker.
 * The full measurement is
 * {@code src/test/scripts/measure-overhead.sh} (README, "Measured cost").
 */
class TracingOverheadIT {
  @TempDir Path dir;

  @Test
  void defaultsStayOffTheAllocatorWhileEveryCallTracingTrapsOnIt() throws Exception {
    Tracing.requireBpftrace();
    Capabilities.require(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc (apt-get install gcc)");
    List<TracingMode> modes = List.of(TracingMode.UNTRACED, TracingMode.DEFAULT,
        TracingMode.HOST_WIDE, TracingMode.EVERY_CALL);
    Report report;
    try (KafkaBroker kafka = TestServers.kafka(dir)) {
      OverheadHarness.createTopics(kafka);
      OverheadHarness harness = new OverheadHarness(kafka.bootstrapServers(), dir,
          MallocBench.compile(Path.of("target", "bench")), modes, Duration.ZERO, System.out);
      report = harness.run(1, 0.5, MallocBench.WORKLOADS);
    }
    System.out.println(report.table());

    assertThat(report.runs()).hasSize(4);
    for (Run run : report.runs()) {
      assertThat(run.results().keySet()).containsExactlyElementsOf(MallocBench.WORKLOADS);
      assertThat(run.results().values()).allSatisfy(r -> assertThat(r.ops()).isPositive());
    }
    Run defaults = only(report, TracingMode.DEFAULT);
    // the defaults run no allocator probes, but do see the benchmark's page faults
    assertThat(defaults.eventsByScript()).containsOnlyKeys("mmap", "faults", "oom");
    assertThat(defaults.eventsByScript().get("faults")).isPositive();
    Run host = only(report, TracingMode.HOST_WIDE);
    assertThat(host.eventsByScript()).containsOnlyKeys("mmap", "faults", "oom");
    assertThat(host.eventsByScript().get("faults")).isPositive();
    Run everyCall = only(report, TracingMode.EVERY_CALL);
    assertThat(everyCall.eventsByScript().get("malloc")).isPositive();

    if (report.runs().stream().noneMatch(Run::otherTracers)) {
      // a uprobe trap costs microseconds, the churn loop's malloc+free some nanoseconds: even
      // on a noisy machine the traced loop is far slower, the untraced-by-malloc default not
      double everyCallRatio = report.medianRatio("churn", TracingMode.EVERY_CALL);
      double defaultRatio = report.medianRatio("churn", TracingMode.DEFAULT);
      assertThat(everyCallRatio).as(report.table()).isLessThan(0.5);
      assertThat(defaultRatio).as(report.table()).isGreaterThan(5 * everyCallRatio);
    } else {
      System.out.println("other bpftrace processes ran on the host: their uprobes slow every "
          + "process down, so the ratios were not checked");
    }
  }

  private static Run only(Report report, TracingMode mode) {
    List<Run> runs = report.runs().stream().filter(r -> r.mode() == mode).toList();
    assertThat(runs).hasSize(1);
    return runs.get(0);
  }
}
