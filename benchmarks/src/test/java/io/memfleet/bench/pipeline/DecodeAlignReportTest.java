package io.memfleet.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DecodeAlignReportTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void medianOfOddAndEvenCountsAndNothing() {
    assertThat(DecodeAlignReport.median(new double[] {5, 1, 3})).isEqualTo(3);
    assertThat(DecodeAlignReport.median(new double[] {4, 1, 3, 10})).isEqualTo(3.5);
    assertThat(DecodeAlignReport.median(new double[0])).isNaN();
  }

  @Test
  void ratioIsTheVariantsMedianOverTheBaselinesMedian() {
    DecodeAlignReport report = new DecodeAlignReport();
    // baseline: 1000 records in 1 s, 2 s, 4 s -> median 500 records/s
    report.add(new Throughput("baseline", 1000, 1000, SECOND, 2 * SECOND));
    report.add(new Throughput("baseline", 1000, 1000, 2 * SECOND, 3 * SECOND));
    report.add(new Throughput("baseline", 1000, 1000, 4 * SECOND, 5 * SECOND));
    // pipeline: 1000 records in 4 s, 5 s -> median (250 + 200) / 2 = 225 records/s
    report.add(new Throughput("ALIGN p=1", 1000, 1000, 4 * SECOND, 10 * SECOND));
    report.add(new Throughput("ALIGN p=1", 1000, 1000, 5 * SECOND, 10 * SECOND));

    assertThat(report.variants()).containsExactly("baseline", "ALIGN p=1");
    assertThat(report.medianRate("baseline")).isCloseTo(500, within(1e-9));
    assertThat(report.medianRate("ALIGN p=1")).isCloseTo(225, within(1e-9));
    assertThat(report.ratio("ALIGN p=1")).isCloseTo(0.45, within(1e-12));
    assertThat(report.ratio("baseline")).isEqualTo(1.0);
    // total: baseline median 1000/3 s, pipeline 100/s
    assertThat(report.ratioTotal("ALIGN p=1")).isCloseTo(0.3, within(1e-12));
    assertThat(report.ratio("JOB p=2")).as("a variant never measured").isNaN();
  }

  @Test
  void aPassWithoutADurationHasNoRate() {
    assertThat(new Throughput("x", 10, 10, 0, 0).recordsPerSecond()).isNaN();
  }

  @Test
  void printShowsEveryPassTheMediansAndTheNotes() {
    DecodeAlignReport report = new DecodeAlignReport();
    report.describe("workload: test");
    report.add(new Throughput("baseline", 2000, 2000, SECOND, SECOND));
    report.add(new Throughput("JOB p=2", 2000, 2000, 4 * SECOND, 8 * SECOND));
    report.note("JOB p=2", "round 1: 2000 events");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);

    assertThat(text).contains("workload: test")
        .containsPattern("JOB p=2 +1 +500 +0\\.250 +250 +0\\.125")
        .containsPattern("JOB p=2 +round 1: 2000 events");
  }
}
