package io.memfleet.collector.ebpf.perf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code perf stat -x,}: the first two lines as perf 6.1 printed them here for two uprobes on
 * ingest-proxy (0.5 s); the {@code <not counted>} line is written after perf's format.
 */
class PerfStatTest {

  @Test
  void countsPerEvent() {
    String out = """
        2556,,memfleet_77:malloc_77,31073936,100.00,,
        2524,,memfleet_77:free_77,31073936,100.00,,
        <not counted>,,memfleet_77:calloc_77,0,0.00,,
        """;
    assertThat(PerfStat.parse(out)).containsExactly(
        java.util.Map.entry("memfleet_77:malloc_77", 2556L),
        java.util.Map.entry("memfleet_77:free_77", 2524L));
  }
}
