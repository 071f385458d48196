package io.memfleet.collector.ebpf.escalate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which heaps are worth probing, fed one report interval (10 s) at a time. */
class HeapGrowthTriggerTest {
  private static final long MIB = 1 << 20;
  private static final HeapGrowthTrigger.Key LEAK = new HeapGrowthTrigger.Key(100, 1);
  private static final HeapGrowthTrigger.Key WARMUP = new HeapGrowthTrigger.Key(200, 1);
  private static final HeapGrowthTrigger.Key CACHE = new HeapGrowthTrigger.Key(300, 1);

  @Test
  void aLeakOfOneMibPerSecondQualifiesAfterThreeRisingIntervals() {
    HeapGrowthTrigger t = new HeapGrowthTrigger(3, 256 << 10);
    assertThat(t.observe(Map.of(LEAK, 0L))).isEmpty();
    assertThat(t.observe(Map.of(LEAK, 10 * MIB))).isEmpty();
    assertThat(t.observe(Map.of(LEAK, 20 * MIB))).isEmpty();
    assertThat(t.observe(Map.of(LEAK, 30 * MIB))).singleElement()
        .isEqualTo(new HeapGrowthTrigger.Candidate(LEAK, 30 * MIB));
    assertThat(t.observe(Map.of(LEAK, 40 * MIB))).hasSize(1);
  }

  @Test
  void aWarmUpOrACacheThatStopsFillingDoesNot() {
    HeapGrowthTrigger t = new HeapGrowthTrigger(3, 256 << 10);
    // warm-up: 40 MiB in its first two intervals, then flat; the cache fills for two more
    long[] warmup = {0, 30 * MIB, 40 * MIB, 40 * MIB, 40 * MIB, 40 * MIB, 40 * MIB};
    long[] cache = {0, 8 * MIB, 16 * MIB, 16 * MIB, 24 * MIB, 32 * MIB, 32 * MIB};
    for (int i = 0; i < warmup.length; i++) {
      assertThat(t.observe(Map.of(WARMUP, warmup[i], CACHE, cache[i]))).isEmpty();
    }
  }

  @Test
  void smallRisesAFallAndResetStartOver() {
    HeapGrowthTrigger t = new HeapGrowthTrigger(3, 256 << 10);
    long[] creep = {0, 132 << 10, 264 << 10, 396 << 10, 528 << 10};
    for (long level : creep) {
      assertThat(t.observe(Map.of(LEAK, level))).as("132 KiB per interval").isEmpty();
    }
    t = new HeapGrowthTrigger(3, 256 << 10);
    long[] trimmed = {0, 4 * MIB, 8 * MIB, 2 * MIB, 6 * MIB, 10 * MIB};
    for (long level : trimmed) {
      assertThat(t.observe(Map.of(LEAK, level))).as("fell, then only two rises").isEmpty();
    }
    assertThat(t.observe(Map.of(LEAK, 14 * MIB))).hasSize(1);
    t.reset(LEAK);
    assertThat(t.observe(Map.of(LEAK, 18 * MIB))).isEmpty();
  }

  @Test
  void mostGrowthFirstAndProcessesGoneAreForgotten() {
    HeapGrowthTrigger t = new HeapGrowthTrigger(1, 1);
    t.observe(Map.of(LEAK, 0L, CACHE, 0L));
    List<HeapGrowthTrigger.Candidate> due = t.observe(Map.of(LEAK, 5 * MIB, CACHE, 9 * MIB));
    assertThat(due).extracting(HeapGrowthTrigger.Candidate::process)
        .containsExactly(CACHE, LEAK);
    t.observe(Map.of(LEAK, 6 * MIB)); // the cache's process exited
    assertThat(t.observe(Map.of(LEAK, 7 * MIB, CACHE, 20 * MIB))).extracting(
        HeapGrowthTrigger.Candidate::process).containsExactly(LEAK);
  }
}
