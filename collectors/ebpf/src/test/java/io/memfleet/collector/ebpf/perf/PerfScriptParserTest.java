package io.memfleet.collector.ebpf.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.ebpf.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** perf script output captured on this machine from the leaky demo. */
class PerfScriptParserTest {

  @Test
  void pageFaultRecordingParsesAndFolds() throws Exception {
    List<PerfSample> samples = new ArrayList<>();
    FoldedStacks folded = new FoldedStacks();
    PerfScriptParser parser = new PerfScriptParser(s -> {
      samples.add(s);
      folded.add(s);
    });
    parser.parse(Golden.reader("perf-script-page-faults-leaky.txt"));
    assertThat(parser.malformedLines()).isZero();
    assertThat(samples).hasSize(105);
    PerfSample first = samples.get(0);
    assertThat(first.comm()).isEqualTo("leaky");
    assertThat(first.tid()).isEqualTo(18088);
    assertThat(first.cpu()).isEqualTo(-1);
    assertThat(first.timestampNs()).isEqualTo(1064_025234844L);
    assertThat(first.period()).isEqualTo(10);
    assertThat(first.event()).isEqualTo("page-faults");
    assertThat(first.frames()).extracting(f -> f.symbol()).containsExactly(
        "__memset_avx512_unaligned_erms", "run_loop", "main", "__libc_start_call_main");
    assertThat(first.frames().get(1).address()).isEqualTo(0x132d);
    assertThat(samples).allSatisfy(s -> assertThat(s.period()).isEqualTo(10));
    assertThat(folded.weights().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(1050);
    assertThat(folded.weights()).containsKey(
        "__libc_start_call_main;main;run_loop;__memset_avx512_unaligned_erms");
    // an unknown frame folds as module+offset
    assertThat(folded.weights().keySet()).anyMatch(k -> k.startsWith("[unknown]+0x0;"));
  }

  @Test
  void mallocProbeRecordingCarriesSizeAndCpu() throws Exception {
    List<PerfSample> samples = new ArrayList<>();
    PerfScriptParser parser = new PerfScriptParser(samples::add);
    parser.parse(Golden.reader("perf-script-malloc-probe-leaky.txt"));
    assertThat(parser.malformedLines()).isZero();
    assertThat(samples).hasSize(50);
    assertThat(samples).allSatisfy(s -> {
      assertThat(s.event()).isEqualTo("probe_libc:malloc");
      assertThat(s.arguments()).containsEntry("size", "4096");
      assertThat(s.cpu()).isBetween(0, 1);
      assertThat(s.frames().get(0).symbol()).isEqualTo("malloc");
    });
  }

  @Test
  void microsecondTimestampsAndPidTidHeaders() {
    List<PerfSample> samples = new ArrayList<>();
    PerfScriptParser parser = new PerfScriptParser(samples::add);
    parser.accept("my app 18088/18090  978.478462:          1 page-faults: ");
    parser.accept("\t           96c98 sysmalloc+0x178 (/usr/lib/x86_64-linux-gnu/libc.so.6)");
    parser.accept("not a perf line");
    parser.finish();
    assertThat(samples).singleElement().satisfies(s -> {
      assertThat(s.comm()).isEqualTo("my app");
      assertThat(s.tid()).isEqualTo(18090);
      assertThat(s.timestampNs()).isEqualTo(978_478462000L);
    });
    assertThat(parser.malformedLines()).isEqualTo(1);
  }

  // found by PerfScriptParserFuzzTest: NumberFormatException out of a parser that counts bad lines
  @Test
  void numbersPastTheirTypeAreMalformedLinesNotErrors() {
    List<PerfSample> samples = new ArrayList<>();
    PerfScriptParser parser = new PerfScriptParser(samples::add);
    parser.accept("leaky 18088  1064.025234844:         10 page-faults: ");
    parser.accept("\t 99999999999999999999992724 run_loop+0x63 (/tmp/ebpfx/leaky)");
    parser.accept("leaky 99999999999 1064.025234844: 10 page-faults: ");
    parser.accept("leaky 18088 99999999999999999999.025234844: 10 page-faults: ");
    parser.accept("leaky 18088 9999999999.025234844: 10 page-faults: ");
    parser.accept("leaky 18088 [99999999999] 1.0: 10 page-faults: ");
    parser.accept("leaky 18088 1.0: 99999999999999999999 page-faults: ");
    parser.finish();
    assertThat(parser.malformedLines()).isEqualTo(6);
    assertThat(samples).singleElement().satisfies(s -> assertThat(s.frames()).isEmpty());
  }
}
