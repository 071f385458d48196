package io.memfleet.pipeline.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventCodec;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

class ProcessWindowAggregateTest {
  private static final long MIB = 1 << 20;
  private final EventCodec codec = EventCodec.fromClasspath();
  private final ProcessWindowAggregate aggregate = new ProcessWindowAggregate();

  private TimedEvent event(SpecificRecord record, long utcNs) {
    TimedEvent e = new TimedEvent();
    e.kind = record.getSchema().getName();
    e.payload = codec.encode(record);
    e.utcNs = utcNs;
    e.cluster = "c";
    e.node = "n";
    e.pid = 7;
    e.processStartTimeMs = 1;
    e.service = "checkout";
    return e;
  }

  private static ResidentMemory rss(long bytes, Long limit) {
    ResidentMemory r = SampleEvents.residentMemory();
    r.setRssBytes(bytes);
    r.setCgroupLimitBytes(limit);
    r.setCgroupUsageBytes(bytes + 1);
    return r;
  }

  private static GcPause pause(long ns) {
    GcPause p = SampleEvents.gcPause();
    p.setDurationNs(ns);
    return p;
  }

  @Test
  void foldsEveryMeasureOfAWindow() {
    ProcessWindowAccumulator acc = aggregate.createAccumulator();
    aggregate.add(event(rss(100, 1000L), 3), acc);
    aggregate.add(event(rss(300, 1000L), 1), acc); // older sample: max yes, last no
    HeapSummary after = SampleEvents.heapSummary();
    after.setPhase(HeapPhase.AFTER_GC);
    after.setUsedBytes(40);
    after.setCommittedBytes(80);
    after.setMaxBytes(500L);
    aggregate.add(event(after, 2), acc);
    for (long ns = 1; ns <= 100; ns++) {
      aggregate.add(event(pause(ns * 1000), 4), acc);
    }
    ThreadCount goroutines = SampleEvents.threadCount();
    goroutines.setKind(ThreadKind.GOROUTINES);
    goroutines.setCount(5000);
    aggregate.add(event(goroutines, 5), acc);
    TimedEvent nativeMem = new TimedEvent();
    nativeMem.kind = TimedEvent.NATIVE_MEMORY_KIND;
    nativeMem.nativeBytes = 60L;
    nativeMem.utcNs = 6;
    aggregate.add(nativeMem, acc);

    assertThat(acc.rssMax).isEqualTo(300);
    assertThat(acc.rssLast).isEqualTo(100);
    assertThat(acc.cgroupLimit).isEqualTo(1000);
    assertThat(acc.heapAfterGcMin).isEqualTo(40);
    assertThat(acc.managedLimit).isEqualTo(500);
    assertThat(acc.gcPauseTotalNs).isEqualTo(5050 * 1000);
    assertThat(acc.gcPauseMaxNs).isEqualTo(100_000);
    assertThat(acc.pausePercentile(0.5)).isEqualTo(50_000);
    assertThat(acc.pausePercentile(0.99)).isEqualTo(99_000);
    assertThat(acc.goroutinesMax).isEqualTo(5000);
    assertThat(acc.nativeLast).isEqualTo(60);
    assertThat(acc.service).isEqualTo("checkout");
    assertThat(acc.samples).isEqualTo(105);
  }

  @Test
  void pauseMemoryStaysBoundedWhileTotalsStayExact() {
    ProcessWindowAccumulator acc = aggregate.createAccumulator();
    for (int i = 1; i <= 10_000; i++) {
      acc.addPause(i);
    }
    assertThat(acc.pauses).hasSize(ProcessWindowAccumulator.MAX_PAUSES);
    assertThat(acc.gcPauseTotalNs).isEqualTo(10_000L * 10_001 / 2);
    assertThat(acc.gcPauseMaxNs).isEqualTo(10_000);
  }

  @Test
  void mergeCombinesTwoPartialWindows() {
    ProcessWindowAccumulator a = aggregate.createAccumulator();
    ProcessWindowAccumulator b = aggregate.createAccumulator();
    aggregate.add(event(rss(100, null), 10), a);
    aggregate.add(event(pause(7), 10), a);
    aggregate.add(event(rss(50, null), 20), b);
    aggregate.add(event(pause(9), 20), b);
    ProcessWindowAccumulator m = aggregate.merge(a, b);
    assertThat(m.rssMax).isEqualTo(100);
    assertThat(m.rssLast).isEqualTo(50);
    assertThat(m.rssSum).isEqualTo(150);
    assertThat(m.gcPauseTotalNs).isEqualTo(16);
    assertThat(m.pauseCount).isEqualTo(2);
    assertThat(m.samples).isEqualTo(4);
  }

  private static PoolUsage pool(MemoryPool pool, long used, Long committed, Long count) {
    return PoolUsage.newBuilder().setPool(pool).setUsedBytes(used).setCommittedBytes(committed)
        .setCount(count).build();
  }

  private static MemoryPools pools(Source source, PoolUsage... pools) {
    MemoryPools p = SampleEvents.memoryPools();
    p.getHeader().setSource(source);
    p.setPools(List.of(pools));
    return p;
  }

  private static GcCycle cycle(GcGeneration generation, long after, Long live) {
    GcCycle c = SampleEvents.gcCycle();
    c.setGeneration(generation);
    c.setHeapAfterBytes(after);
    c.setLiveBytes(live);
    return c;
  }

  @Test
  void jvmBreakdownKeepsEachPoolsLatestReadingWhicheverSourceGaveIt() {
    ProcessWindowAccumulator acc = aggregate.createAccumulator();
    // hsperfdata every scan: heap, metaspace, class space, threads, code cache
    aggregate.add(event(pools(Source.PROCFS, pool(MemoryPool.HEAP, 300 * MIB, 512 * MIB, null),
        pool(MemoryPool.METASPACE, 60 * MIB, 64 * MIB, null),
        pool(MemoryPool.CLASS_SPACE, 8 * MIB, 9 * MIB, null),
        pool(MemoryPool.THREAD_STACKS, 40 * MIB, null, 40L),
        pool(MemoryPool.CODE_CACHE, 20 * MIB, null, null)), 10), acc);
    // JFR after a GC, later: metaspace and class space again; then direct buffers
    aggregate.add(event(pools(Source.JFR, pool(MemoryPool.METASPACE, 62 * MIB, 64 * MIB, null),
        pool(MemoryPool.CLASS_SPACE, 9 * MIB, 9 * MIB, null)), 20), acc);
    aggregate.add(event(pools(Source.JFR,
        pool(MemoryPool.DIRECT_BUFFERS, 100 * MIB, 100 * MIB, 12L)), 25), acc);
    // an older hsperfdata reading arriving late changes nothing it has a newer value for
    aggregate.add(event(pools(Source.PROCFS, pool(MemoryPool.METASPACE, 1, 1L, null)), 5), acc);
    HeapSummary summary = SampleEvents.heapSummary();   // JFR, after the hsperfdata scan
    summary.setUsedBytes(280 * MIB);
    summary.setCommittedBytes(600 * MIB);
    aggregate.add(event(summary, 30), acc);
    aggregate.add(event(cycle(GcGeneration.YOUNG, 150 * MIB, null), 11), acc);
    aggregate.add(event(cycle(GcGeneration.FULL, 190 * MIB, null), 12), acc);
    aggregate.add(event(cycle(GcGeneration.MIXED, 170 * MIB, 180 * MIB), 13), acc);
    ResidentMemory rss = rss(1000 * MIB, 2048 * MIB);
    rss.setAnonBytes(900 * MIB);
    rss.setFileBytes(100 * MIB);
    rss.setShmemBytes(0L);
    rss.setSwapBytes(null);            // not read
    rss.setCgroupAnonBytes(950 * MIB);
    rss.setCgroupFileBytes(300 * MIB);
    rss.setCgroupShmemBytes(4 * MIB);
    rss.setCgroupSwapBytes(0L);
    rss.setCgroupWorkingSetBytes(1100 * MIB);
    aggregate.add(event(rss, 40), acc);
    ThreadCount threads = SampleEvents.threadCount();
    threads.setKind(ThreadKind.JAVA_THREADS);
    threads.setCount(41);
    aggregate.add(event(threads, 50), acc);

    ProcessWindow w = finish(acc);
    assertThat(w.breakdown(BreakdownMeasure.HEAP_USED)).isEqualTo(280 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.HEAP_COMMITTED)).isEqualTo(600 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.METASPACE)).isEqualTo(62 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.CLASS_SPACE)).isEqualTo(9 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.CODE_CACHE)).isEqualTo(20 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.DIRECT_BUFFERS)).isEqualTo(100 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.THREAD_STACKS)).isEqualTo(40 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.THREAD_COUNT)).isEqualTo(41);
    assertThat(w.breakdown(BreakdownMeasure.GOROUTINE_STACKS)).isZero();
    assertThat(w.breakdown(BreakdownMeasure.RSS_ANON)).isEqualTo(900 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.RSS_FILE)).isEqualTo(100 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.SWAP)).isZero();
    assertThat(w.breakdown(BreakdownMeasure.CGROUP_ANON)).isEqualTo(950 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.CGROUP_PAGE_CACHE)).isEqualTo(300 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.CGROUP_SHMEM)).isEqualTo(4 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.CGROUP_WORKING_SET)).isEqualTo(1100 * MIB);
    // the full collection's heap-after and the mixed one's marked live bytes; not the young one
    assertThat(w.liveSet).isEqualTo(180 * MIB);
    assertThat(w.heapAfterGcMin).isEqualTo(150 * MIB);
    // 1000 - (600 heap + 62 + 9 + 20 + 100 + 40)
    assertThat(w.nativeOther).isEqualTo(169 * MIB);
  }

  @Test
  void goBreakdownTakesReleasedHeapOutOfTheResidentHeap() {
    ProcessWindowAccumulator acc = aggregate.createAccumulator();
    aggregate.add(event(pools(Source.GO_EXPVAR, pool(MemoryPool.HEAP, 80 * MIB, 200 * MIB, null),
        pool(MemoryPool.HEAP_RELEASED, 90 * MIB, null, null),
        pool(MemoryPool.GOROUTINE_STACKS, 6 * MIB, 8 * MIB, 3000L),
        pool(MemoryPool.GC_METADATA, 5 * MIB, 6 * MIB, null),
        pool(MemoryPool.RUNTIME_OTHER, 3 * MIB, null, null)), 10), acc);
    aggregate.add(event(rss(150 * MIB, null), 12), acc);
    aggregate.add(event(cycle(GcGeneration.CONCURRENT, 70 * MIB, 60 * MIB), 11), acc);
    aggregate.add(event(cycle(GcGeneration.CONCURRENT, 75 * MIB, 64 * MIB), 12), acc);
    ThreadCount goroutines = SampleEvents.threadCount();
    goroutines.setKind(ThreadKind.GOROUTINES);
    goroutines.setCount(3100);
    aggregate.add(event(goroutines, 14), acc);

    ProcessWindow w = finish(acc);
    assertThat(w.breakdown(BreakdownMeasure.HEAP_RELEASED)).isEqualTo(90 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.GOROUTINE_STACKS)).isEqualTo(6 * MIB);
    assertThat(w.breakdown(BreakdownMeasure.GOROUTINE_COUNT)).isEqualTo(3100);
    assertThat(w.liveSet).isEqualTo(60 * MIB);
    // 150 - ((200 - 90) heap + 6 + 5 + 3)
    assertThat(w.nativeOther).isEqualTo(26 * MIB);
  }

  /** JDK 17's ZGC maps its heap three times: RSS holds it three times, native memory does not. */
  @Test
  void aZgcHeapMappedThreeTimesIsTakenFromTheResidentSetThreeTimes() {
    for (String gc : List.of("Z/Z", "ZGC Minor/ZGC Major", "G1New/G1Old")) {
      ProcessWindowAccumulator acc = aggregate.createAccumulator();
      MemoryPools p = pools(Source.JFR, pool(MemoryPool.HEAP, 90 * MIB, 100 * MIB, null));
      p.setSettings(java.util.Map.of("gc", gc));
      aggregate.add(event(p, 10), acc);
      aggregate.add(event(rss(350 * MIB, null), 12), acc);
      long expected = gc.equals("Z/Z") ? 50 * MIB : 250 * MIB;
      assertThat(finish(aggregate.merge(aggregate.createAccumulator(), acc)).nativeOther)
          .as(gc).isEqualTo(expected);
    }
  }

  @Test
  void nativeOtherIsTheWholeRssOfANativeProcessFlooredAtZeroAndZeroWithoutRss() {
    ProcessWindowAccumulator nativeProcess = aggregate.createAccumulator();
    aggregate.add(event(rss(700 * MIB, null), 1), nativeProcess);
    assertThat(finish(nativeProcess).nativeOther).isEqualTo(700 * MIB);

    ProcessWindowAccumulator overcounted = aggregate.createAccumulator();
    aggregate.add(event(rss(100 * MIB, null), 1), overcounted);
    // 200 threads x 1 MiB: hsperfdata's stack estimate is an upper bound and can exceed RSS
    aggregate.add(event(pools(Source.PROCFS, pool(MemoryPool.THREAD_STACKS, 200 * MIB, null,
        200L)), 2), overcounted);
    assertThat(finish(overcounted).nativeOther).isZero();

    ProcessWindowAccumulator noRss = aggregate.createAccumulator();
    aggregate.add(event(pools(Source.JFR, pool(MemoryPool.METASPACE, MIB, null, null)), 1), noRss);
    ProcessWindow w = finish(noRss);
    assertThat(w.nativeOther).isZero();
    assertThat(w.liveSet).isZero();
    assertThat(w.breakdown(BreakdownMeasure.METASPACE)).isEqualTo(MIB);
  }

  @Test
  void cgroupWorkingSetFallsBackToUsageMinusInactiveFile() {
    ProcessWindowAccumulator acc = aggregate.createAccumulator();
    ResidentMemory r = rss(100, null);
    r.setCgroupWorkingSetBytes(null);
    r.setCgroupUsageBytes(500L);
    r.setCgroupInactiveFileBytes(120L);
    aggregate.add(event(r, 1), acc);
    assertThat(finish(acc).breakdown(BreakdownMeasure.CGROUP_WORKING_SET)).isEqualTo(380);
  }

  @Test
  void mergeKeepsTheLaterReadingOfEachMeasureAndTheLowestLiveSet() {
    ProcessWindowAccumulator a = aggregate.createAccumulator();
    ProcessWindowAccumulator b = aggregate.createAccumulator();
    aggregate.add(event(pools(Source.JFR, pool(MemoryPool.METASPACE, 10, null, null),
        pool(MemoryPool.CODE_CACHE, 7, null, null)), 30), a);
    aggregate.add(event(cycle(GcGeneration.FULL, 50, null), 30), a);
    aggregate.add(event(pools(Source.PROCFS, pool(MemoryPool.METASPACE, 11, null, null)), 20), b);
    aggregate.add(event(cycle(GcGeneration.FULL, 40, null), 20), b);
    aggregate.add(event(rss(100, null), 25), b);
    ProcessWindowAccumulator m = aggregate.merge(a, b);
    ProcessWindow w = finish(m);
    assertThat(w.breakdown(BreakdownMeasure.METASPACE)).isEqualTo(10);
    assertThat(w.breakdown(BreakdownMeasure.CODE_CACHE)).isEqualTo(7);
    assertThat(w.liveSet).isEqualTo(40);
    assertThat(w.nativeOther).isEqualTo(100 - 10 - 7);
    assertThat(finish(aggregate.merge(b, a)).breakdown(BreakdownMeasure.METASPACE)).isEqualTo(10);
  }

  @Test
  void theFinisherWritesTheProcessKeyAndWindowIntoTheRow() throws Exception {
    ProcessWindowAccumulator acc = aggregate.createAccumulator();
    aggregate.add(event(rss(100, null), 1), acc);
    ProcessWindow w = finish(acc);
    assertThat(w.processKey()).isEqualTo("c/n/7/1");
    assertThat(w.windowStartMs).isEqualTo(10_000);
    assertThat(w.windowEndMs).isEqualTo(20_000);
    assertThat(w.rssLast).isEqualTo(100);
    assertThat(w.service).isEqualTo("checkout");
  }

  /** Runs the window function on {@code acc} as a closed window [10 s, 20 s) of process c/n/7/1. */
  private static ProcessWindow finish(ProcessWindowAccumulator acc) {
    ProcessWindowFinisher finisher = new ProcessWindowFinisher();
    List<ProcessWindow> out = new ArrayList<>();
    TimeWindow window = new TimeWindow(10_000, 20_000);
    try {
      finisher.process(new ProcessId("c", "n", 7, 1), finisher.new Context() {
        @Override
        public TimeWindow window() {
          return window;
        }

        @Override
        public long currentProcessingTime() {
          return 0;
        }

        @Override
        public long currentWatermark() {
          return window.maxTimestamp();
        }

        @Override
        public KeyedStateStore windowState() {
          throw new UnsupportedOperationException();
        }

        @Override
        public KeyedStateStore globalState() {
          throw new UnsupportedOperationException();
        }

        @Override
        public <X> void output(OutputTag<X> tag, X value) {
          throw new UnsupportedOperationException();
        }
      }, List.of(acc), new ListCollector<>(out));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  @Test
  void eventsOfOtherSourcesAreCountedButChangeNoMeasure() {
    ProcessWindowAccumulator acc = aggregate.createAccumulator();
    aggregate.add(event(SampleEvents.clockSync(), 1), acc);
    assertThat(acc.samples).isEqualTo(1);
    assertThat(acc.rssMax).isZero();
  }
}
