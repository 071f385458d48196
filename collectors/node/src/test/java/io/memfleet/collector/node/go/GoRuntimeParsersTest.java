package io.memfleet.collector.node.go;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.collector.node.Golden;
import java.util.List;
import org.junit.jupiter.api.Test;

/** expvar and goroutine-profile pages captured from the Go demo on this machine. */
class GoRuntimeParsersTest {

  @Test
  void expvarMemstatsOfTheDemo() {
    ExpvarMemStats m = ExpvarMemStats.parse(Golden.read("go/expvar-demo.json"));
    assertThat(m.heapAlloc()).isEqualTo(11445648L);
    assertThat(m.heapInuse()).isEqualTo(12140544L);
    assertThat(m.heapSys()).isEqualTo(16187392L);
    assertThat(m.nextGc()).isEqualTo(12131872L);
    assertThat(m.heapObjects()).isEqualTo(1742L);
    assertThat(m.numGc()).isEqualTo(10L);
    assertThat(m.numForcedGc()).isEqualTo(2L);
    assertThat(m.pauseTotalNs()).isEqualTo(548839L);
    assertThat(m.gcCpuFraction()).isEqualTo(0.0010018008077038586);
    assertThat(m.pauseNs()).hasSize(256);
  }

  @Test
  void pausesSinceAPreviousScrape() {
    ExpvarMemStats m = ExpvarMemStats.parse(Golden.read("go/expvar-demo.json"));
    List<ExpvarMemStats.Pause> all = m.pausesAfter(0);
    assertThat(all).hasSize(10);
    assertThat(all).extracting(ExpvarMemStats.Pause::durationNs).first().isEqualTo(31517L);
    // the pause durations add up to PauseTotalNs
    assertThat(all.stream().mapToLong(ExpvarMemStats.Pause::durationNs).sum())
        .isEqualTo(m.pauseTotalNs());
    List<ExpvarMemStats.Pause> recent = m.pausesAfter(8);
    assertThat(recent).extracting(ExpvarMemStats.Pause::gcNumber).containsExactly(9L, 10L);
    assertThat(recent.get(0).durationNs()).isEqualTo(292586L);
    assertThat(recent.get(1).startEpochNs()).isEqualTo(1795784166862397405L - 19750L);
    assertThat(m.pausesAfter(10)).isEmpty();
  }

  @Test
  void notAnExpvarPage() {
    assertThatThrownBy(() -> ExpvarMemStats.parse("<html>404</html>"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> ExpvarMemStats.parse("{\"cmdline\":[]}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memstats");
  }

  @Test
  void goroutineTotalOfTheDemo() {
    assertThat(GoroutineProfile.total(Golden.read("go/goroutine-debug1-demo.txt")))
        .hasValue(139);
    assertThat(GoroutineProfile.total("404 page not found\n")).isEmpty();
  }

  // found by GoRuntimeParsersFuzzTest: NumberFormatException out of a parser that never throws
  @Test
  void aGoroutineTotalBeyondALongIsNoTotal() {
    assertThat(GoroutineProfile.total("goroutine profile: total 9999999999999999999999139\n"))
        .isEmpty();
    assertThat(GoroutineProfile.total("goroutine profile: total 999999999999999999\n"))
        .hasValue(999_999_999_999_999_999L);
  }

  // found in review while writing the fuzz test: "n <= numGc; n++" never ended at Long.MAX_VALUE
  @Test
  void pausesAfterEndsForTheLargestGcNumber() {
    String page = "{\"memstats\": {\"Alloc\": 1, \"TotalAlloc\": 1, \"Sys\": 1,"
        + " \"HeapAlloc\": 1, \"HeapSys\": 1, \"HeapIdle\": 1, \"HeapInuse\": 1,"
        + " \"HeapReleased\": 1, \"HeapObjects\": 1, \"StackInuse\": 1, \"NextGC\": 1,"
        + " \"LastGC\": 1, \"PauseTotalNs\": 1, \"NumGC\": 9223372036854775807,"
        + " \"PauseNs\": [10, 20, 30], \"PauseEnd\": [110, 120, 130]}}";
    ExpvarMemStats stats = ExpvarMemStats.parse(page);
    assertThat(stats.pausesAfter(0)).extracting(ExpvarMemStats.Pause::gcNumber)
        .containsExactly(Long.MAX_VALUE - 2, Long.MAX_VALUE - 1, Long.MAX_VALUE);
    assertThat(stats.pausesAfter(Long.MAX_VALUE - 1)).hasSize(1);
    assertThat(stats.pausesAfter(Long.MAX_VALUE)).isEmpty();
    assertThat(stats.pausesAfter(Long.MIN_VALUE)).hasSize(3);
  }
}
