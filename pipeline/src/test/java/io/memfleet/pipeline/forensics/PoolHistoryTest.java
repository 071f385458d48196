package io.memfleet.pipeline.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.EventHeader;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolHistoryTest {
  private static final double MB = 1 << 20;
  private static final long S = 1_000_000_000L;

  private static OomKill kernelKill() {
    return OomKill.newBuilder().setHeader(EventHeader.newBuilder().setProcess(
            io.memfleet.event.ProcessIdentity.newBuilder().setCluster("c").setNode("n")
                .setBootId("b").setPid(1).setProcessStartTimeMs(1).setComm("x")
                .setRuntime(io.memfleet.event.Runtime.GO).build())
            .setSource(io.memfleet.event.Source.PROCFS)
            .setClockDomain(io.memfleet.event.ClockDomain.REALTIME).setRawTimestamp(0)
            .setCollector("t").setSequence(0).build())
        .setDetectedBy(OomDetection.CGROUP_COUNTER).setVictimComm("x")
        .setCgroupLimitBytes(128L << 20).build();
  }

  @Test
  void theVerdictNamesThePoolThatGrewMostInTheLastMinute() throws Exception {
    PoolHistory h = PoolHistory.inMemory();
    for (int t = 0; t <= 90; t++) {
      h.add("HEAP", t * S, 20 * MB + t * MB); // 1 MiB/s
      h.add("GOROUTINE_STACKS", t * S, 1 * MB + t * 1024);
      h.add(PoolHistory.WORKING_SET, t * S, 30 * MB + t * MB);
    }
    PoolHistory.Verdict v = h.verdict(kernelKill(), 90 * S);
    assertThat(v.pool()).isEqualTo(MemoryPool.HEAP);
    // samples are kept one per 2 s, the latest of each step: the minute starts at 31 s
    assertThat(v.text()).isEqualTo("heap grew 59.0 MiB in the last 60 s (to 110.0 MiB of a"
        + " 128.0 MiB limit)");
    assertThat(v.growth().get("HEAP")).isEqualTo(59 * MB);
  }

  /**
   * A Go heap under GOGC=100 takes about twice its live objects: HeapAlloc grows half as fast as
   * the working set, the heap's spans (HeapSys − HeapReleased) as fast; HeapSys alone is address
   * space reserved in 64 MiB arenas, not memory.
   */
  @Test
  void aGoHeapIsJudgedByWhatItHoldsFromTheOs() throws Exception {
    PoolHistory h = PoolHistory.inMemory();
    for (int t = 0; t <= 60; t += 2) {
      io.memfleet.event.HeapSummary summary = io.memfleet.event.HeapSummary.newBuilder()
          .setHeader(kernelKill().getHeader()).setPhase(io.memfleet.event.HeapPhase.PERIODIC)
          .setGcId(null).setUsedBytes((long) (10 * MB + t * MB / 2))
          .setCommittedBytes(128L << 20).setMaxBytes(null).setNextGcBytes(null)
          .setObjects(null).build();
      io.memfleet.event.MemoryPools pools = io.memfleet.event.MemoryPools.newBuilder()
          .setHeader(kernelKill().getHeader()).setPools(List.of(
              usage(MemoryPool.HEAP, 10 * MB + t * MB / 2, 128 * MB),
              usage(MemoryPool.HEAP_RELEASED, 108 * MB - t * MB, null)))
          .build();
      for (var r : List.of(summary, pools)) {
        for (var v : PoolHistory.valuesOf(r).entrySet()) {
          h.add(v.getKey(), t * S, v.getValue());
        }
      }
      h.add("NATIVE", t * S, 25 * MB + t * MB / 2); // RSS − HeapAlloc: the heap's garbage
      h.add(PoolHistory.WORKING_SET, t * S, 35 * MB + t * MB);
    }
    PoolHistory.Verdict v = h.verdict(kernelKill(), 60 * S);
    assertThat(v.pool()).isEqualTo(MemoryPool.HEAP);
    assertThat(v.growth().get("HEAP")).isEqualTo(60 * MB);
  }

  private static io.memfleet.event.PoolUsage usage(MemoryPool pool, double used,
      Double committed) {
    return io.memfleet.event.PoolUsage.newBuilder().setPool(pool).setUsedBytes((long) used)
        .setCommittedBytes(committed == null ? null : (long) (double) committed)
        .setLimitBytes(null).setCount(null).build();
  }

  @Test
  void theHeapAfterCollectionsStandsInWhenNoSummaryCame() throws Exception {
    PoolHistory h = PoolHistory.inMemory();
    for (int t = 0; t <= 60; t += 2) {
      h.add(PoolHistory.HEAP_AFTER_GC, t * S, 10 * MB + t * MB);
      h.add(PoolHistory.RSS, t * S, 40 * MB + t * MB);
    }
    PoolHistory.Verdict v = h.verdict(kernelKill(), 60 * S);
    assertThat(v.pool()).isEqualTo(MemoryPool.HEAP);
    assertThat(v.text()).isEqualTo("heap grew 60.0 MiB in the last 60 s (to 70.0 MiB of a"
        + " 128.0 MiB limit)");
    assertThat(v.growth()).containsOnlyKeys("HEAP", PoolHistory.RSS);
  }

  @Test
  void growthNoPoolExplainsIsNativeMemory() throws Exception {
    PoolHistory h = PoolHistory.inMemory();
    for (int t = 0; t <= 60; t += 2) {
      h.add("HEAP", t * S, 20 * MB);
      h.add(PoolHistory.RSS, t * S, 40 * MB + t * 2 * MB);
    }
    PoolHistory.Verdict v = h.verdict(kernelKill(), 60 * S);
    assertThat(v.pool()).isEqualTo(MemoryPool.NATIVE);
    assertThat(v.text()).startsWith("native memory grew 120.0 MiB in the last 60 s");
  }

  @Test
  void aJavaOutOfMemoryErrorIsBlamedOnThePoolItNames() throws Exception {
    PoolHistory h = PoolHistory.inMemory();
    for (int t = 0; t <= 60; t += 5) {
      h.add("HEAP", t * S, 100 * MB + t * MB / 2);
    }
    OomKill oome = OomKill.newBuilder(kernelKill()).setDetectedBy(OomDetection.JAVA_OUT_OF_MEMORY)
        .setPool(MemoryPool.HEAP).setErrorMessage("Java heap space (inferred)")
        .setCgroupLimitBytes(null).build();
    PoolHistory.Verdict v = h.verdict(oome, 60 * S);
    assertThat(v.pool()).isEqualTo(MemoryPool.HEAP);
    assertThat(v.text()).isEqualTo("heap exhausted (Java heap space (inferred)): grew 30.0 MiB"
        + " in the last 60 s to 130.0 MiB");
  }

  @Test
  void samplesAreThinnedAndOldOnesDropped() throws Exception {
    PoolHistory h = PoolHistory.inMemory();
    for (int t = 0; t <= 300_000; t += 100) { // every 100 ms for 300 s
      h.add("HEAP", t * 1_000_000L, t);
    }
    // one sample per 2 s over the last 70 s at most
    assertThat(h.growthBefore(300 * S).get("HEAP")).isCloseTo(60_000, org.assertj.core.api
        .Assertions.within(2_100.0));
    assertThat(h.verdict(kernelKill(), 300 * S).pool()).isEqualTo(MemoryPool.HEAP);
  }
}
