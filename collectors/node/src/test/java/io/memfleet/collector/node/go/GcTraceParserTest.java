package io.memfleet.collector.node.go;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.node.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GcTraceParserTest {
  private static final long MIB = 1024 * 1024;

  private static List<GcTraceLine> parseAll(GcTraceParser parser, String text) {
    List<GcTraceLine> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (parser.parse(line) instanceof GcTraceParser.Parsed p) {
        lines.add(p.line());
      }
    }
    return lines;
  }

  @Test
  void realGo119TraceFromTheDemo() {
    GcTraceParser parser = new GcTraceParser();
    List<GcTraceLine> lines = parseAll(parser, Golden.read("go/gctrace-go1.19-demo.txt"));
    assertThat(lines).hasSize(16);
    assertThat(parser.malformedLines()).isZero();
    assertThat(lines).extracting(GcTraceLine::gcNumber)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L);
    assertThat(lines).filteredOn(GcTraceLine::forced).extracting(GcTraceLine::gcNumber)
        .containsExactly(5L, 9L, 12L, 14L, 16L);

    // gc 1 @0.202s 0%: 0.028+0.27+0.002 ms clock, ..., 3->4->1 MB, 4 MB goal,
    //   0 MB stacks, 0 MB globals, 2 P
    GcTraceLine first = lines.get(0);
    assertThat(first.sinceStartNs()).isEqualTo(202_000_000L);
    assertThat(first.gcCpuPercent()).isZero();
    assertThat(first.sweepTerminationNs()).isEqualTo(28_000L);
    assertThat(first.concurrentMarkNs()).isEqualTo(270_000L);
    assertThat(first.markTerminationNs()).isEqualTo(2_000L);
    assertThat(first.durationNs()).isEqualTo(300_000L);
    assertThat(first.stopTheWorldNs()).isEqualTo(30_000L);
    assertThat(first.heapBeforeBytes()).isEqualTo(3 * MIB);
    assertThat(first.heapAfterBytes()).isEqualTo(4 * MIB);
    assertThat(first.liveBytes()).isEqualTo(1 * MIB);
    assertThat(first.goalBytes()).isEqualTo(4 * MIB);
    assertThat(first.stacksBytes()).isZero();
    assertThat(first.globalsBytes()).isZero();
    assertThat(first.procs()).isEqualTo(2);

    // gc 16 @3.502s ... 15->15->11 MB, 21 MB goal, ... (forced)
    GcTraceLine last = lines.get(15);
    assertThat(last.sinceStartNs()).isEqualTo(3_502_000_000L);
    assertThat(last.liveBytes()).isEqualTo(11 * MIB);
    assertThat(last.goalBytes()).isEqualTo(21 * MIB);
    assertThat(last.forced()).isTrue();
    // the heap leak shows as a growing live heap
    assertThat(last.liveBytes()).isGreaterThan(first.liveBytes());
  }

  @Test
  void olderFormatWithoutStacksAndGlobals() {
    GcTraceParser parser = new GcTraceParser();
    List<GcTraceLine> lines = parseAll(parser, Golden.read("go/gctrace-pre1.18-written.txt"));
    assertThat(lines).hasSize(4);
    assertThat(parser.malformedLines()).isZero();
    assertThat(lines.get(0).stacksBytes()).isEqualTo(-1);
    assertThat(lines.get(0).globalsBytes()).isEqualTo(-1);
    assertThat(lines.get(0).gcCpuPercent()).isEqualTo(3);
    assertThat(lines.get(0).procs()).isEqualTo(4);
    assertThat(lines.get(2).forced()).isTrue();
    assertThat(lines.get(2).sinceStartNs()).isEqualTo(1_503_000_000L);
    // the shipper prefix is ignored; large heaps and a 1-digit cpu figure ("12") parse
    GcTraceLine prefixed = lines.get(3);
    assertThat(prefixed.gcNumber()).isEqualTo(4);
    assertThat(prefixed.sinceStartNs()).isEqualTo(12_250_000_000L);
    assertThat(prefixed.heapBeforeBytes()).isEqualTo(1024 * MIB);
    assertThat(prefixed.liveBytes()).isEqualTo(512 * MIB);
    assertThat(prefixed.concurrentMarkNs()).isEqualTo(5_200_000L);
  }

  @Test
  void malformedLinesAreCountedAndOtherLinesSkipped() {
    GcTraceParser parser = new GcTraceParser();
    List<GcTraceParser.Result> results = new ArrayList<>();
    for (String line : Golden.read("go/gctrace-malformed-written.txt").split("\n")) {
      results.add(parser.parse(line));
    }
    assertThat(results).hasSize(8);
    assertThat(results.subList(0, 5)).allMatch(r -> r instanceof GcTraceParser.Malformed);
    assertThat(results.subList(5, 8)).allMatch(r -> r instanceof GcTraceParser.Skipped);
    assertThat(parser.malformedLines()).isEqualTo(5);
    assertThat(parser.skippedLines()).isEqualTo(3);
    assertThat(parser.parsedLines()).isZero();
  }

  @Test
  void subMicrosecondDigitsRound() {
    GcTraceParser.Result r = new GcTraceParser().parse("gc 3 @0.0000000005s 0%: "
        + "0.0000005+1+0 ms clock, 0+0/0/0+0 ms cpu, 1->1->0 MB, 4 MB goal, 1 P");
    assertThat(r).isInstanceOf(GcTraceParser.Parsed.class);
    GcTraceLine line = ((GcTraceParser.Parsed) r).line();
    assertThat(line.sinceStartNs()).isEqualTo(1);
    assertThat(line.sweepTerminationNs()).isEqualTo(1);
  }
}
