package io.memfleet.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The benchmark end to end at a tiny size, so it keeps working: a real broker started through the
 * main-code API, the workload written, the bare consumer and the pipeline (decode + align, and the
 * whole job) at parallelism 2 on a MiniCluster (keyed exchanges between subtasks; parallelism 1
 * runs the same code and would only double the time). Functional facts only — every record read,
 * every event counted, calibrated and none dead-lettered, ratios finite — never a timing
 * threshold: this machine's speed is not a test result. The whole job runs once more on a real
 * local Flink cluster (a JobManager and two TaskManagers of one slot, separate JVMs, the job jar
 * built from the pipeline's shaded jar and submitted over REST): it counts every event, writes
 * the MiniCluster's rows, and leaves no process behind. Needs the pipeline's job jar
 * ({@code mvn -pl pipeline install}).
 */
@Execution(ExecutionMode.CONCURRENT)
class DecodeAlignBenchmarkIT {
  private static final int EVENTS = 3_000;
  private static final String CLUSTER = "JOB cluster p=2";

  @TempDir Path dir;

  @Test
  void bothPathsCountEveryEventAndTheRatiosArePositiveAndFinite() throws Exception {
    DecodeAlignOptions options = DecodeAlignOptions.parse("--events", String.valueOf(EVENTS),
        "--hosts", "2", "--processes", "3", "--partitions", "2", "--repetitions", "1",
        "--parallelism", "2", "--stages", "ALIGN,JOB", "--clock-sync-interval", "2s",
        "--broker-heap", "384m", "--work-dir", dir.toString(), "--cluster");
    ByteArrayOutputStream progressBytes = new ByteArrayOutputStream();
    DecodeAlignBenchmark.Outcome outcome = DecodeAlignBenchmark.run(options,
        new PrintStream(progressBytes, true, StandardCharsets.UTF_8));
    DecodeAlignReport report = outcome.report();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
    System.out.println(progressBytes.toString(StandardCharsets.UTF_8));
    System.out.println(printed.toString(StandardCharsets.UTF_8));

    assertThat(outcome.failedChecks()).as("functional checks of every pass").isEmpty();
    assertThat(report.variants())
        .containsExactly("baseline", "ALIGN p=2", "JOB p=2", CLUSTER);

    List<Throughput> baseline = report.passes(DecodeAlignReport.BASELINE);
    assertThat(baseline).singleElement().satisfies(t -> {
      assertThat(t.records()).as("events plus the ClockSync samples").isGreaterThan(EVENTS);
      assertThat(t.delivered()).isEqualTo(t.records());
    });
    long records = baseline.get(0).records();
    for (String variant : report.variants()) {
      assertThat(report.passes(variant)).singleElement().satisfies(t -> {
        assertThat(t.records()).isEqualTo(records);
        assertThat(t.steadyNs()).isPositive();
        assertThat(t.totalNs()).isGreaterThanOrEqualTo(t.steadyNs());
      });
      if (!variant.equals(DecodeAlignReport.BASELINE)) {
        assertThat(report.passes(variant).get(0).delivered()).as(variant).isEqualTo(EVENTS);
      }
      assertThat(report.ratio(variant)).as(variant).isPositive().isFinite();
      assertThat(report.ratioTotal(variant)).as(variant).isPositive().isFinite();
    }
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("medians and ratio to the baseline").contains("by clock domain: {")
        .contains("MONOTONIC=")
        // the whole job ran: every event became an events_raw row, encoded for ClickHouse
        .containsPattern("JOB p=2 +round 1 outputs: \\{.*\\bevents_raw=" + EVENTS + "\\b")
        // and on the cluster, in the TaskManagers, counted through Flink metrics over REST
        .containsPattern(CLUSTER + " +round 1 outputs: \\{.*\\bevents_raw=" + EVENTS + "\\b");
    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(outputs(text, CLUSTER, "gc_pauses")).as("GC pause rows on the cluster")
        .isPositive().isEqualTo(outputs(text, "JOB p=2", "gc_pauses"));
    List<String> leftOver = ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList();
    assertThat(leftOver).as("processes of the run still alive").isEmpty();
  }

  /** A count from a variant's "round 1 outputs: {...}" note. */
  private static long outputs(String report, String variant, String output) {
    Matcher m = Pattern.compile(Pattern.quote(variant) + " +round 1 outputs: \\{.*?\\b" + output
        + "=(\\d+)").matcher(report);
    assertThat(m.find()).as(variant + " " + output).isTrue();
    return Long.parseLong(m.group(1));
  }
}
