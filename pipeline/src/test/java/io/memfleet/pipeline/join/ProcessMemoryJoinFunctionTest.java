package io.memfleet.pipeline.join;

import static io.memfleet.pipeline.Fixtures.heap;
import static io.memfleet.pipeline.Fixtures.lifecycle;
import static io.memfleet.pipeline.Fixtures.process;
import static io.memfleet.pipeline.Fixtures.rss;
import static io.memfleet.pipeline.Fixtures.timed;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.pipeline.model.NativeMemorySample;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.TimeBasis;
import io.memfleet.pipeline.model.TimedEvent;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProcessMemoryJoinFunctionTest {
  private static final long T0_MS = 1_700_000_100_000L;
  private static final long MB = 1L << 20;
  private static final Duration IDLE = Duration.ofMinutes(10);

  private final ProcessIdentity bare = process(300, false); // as eBPF/JFR see it
  private final ProcessIdentity known = process(300, true); // as the node collector sees it
  private KeyedOneInputStreamOperatorTestHarness<ProcessId, TimedEvent, TimedEvent> h;

  @BeforeEach
  void open() throws Exception {
    h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new ProcessMemoryJoinFunction(Duration.ofSeconds(30), IDLE), TimedEvent::processId,
        TypeInformation.of(ProcessId.class));
    h.open();
    h.setProcessingTime(1_000);
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  /** An aligned event at T0 + offsetMs (REALTIME, so time = raw). */
  private static TimedEvent aligned(TimedEvent e) {
    e.utcNs = e.rawTimestamp;
    e.errorBoundNs = 0;
    e.timeBasis = TimeBasis.REALTIME;
    return e;
  }

  private static long ns(long offsetMs) {
    return (T0_MS + offsetMs) * 1_000_000L;
  }

  private void rssAt(long offsetMs, long bytes, long seq) throws Exception {
    TimedEvent e = aligned(timed(rss(known, Source.PROCFS, ClockDomain.REALTIME, ns(offsetMs), seq,
        bytes), 0));
    h.processElement(e, e.eventTimeMs());
  }

  /** A heap summary of a heap whose committed pages have all been used (so are resident). */
  private void heapAt(long offsetMs, long committed, long seq) throws Exception {
    heapAt(offsetMs, committed, committed, seq);
  }

  private void heapAt(long offsetMs, long used, long committed, long seq) throws Exception {
    TimedEvent e = aligned(timed(heap(bare, ClockDomain.REALTIME, ns(offsetMs), seq, used,
        committed), 0));
    h.processElement(e, e.eventTimeMs());
  }

  private void watermark(long offsetMs) throws Exception {
    h.processWatermark(new Watermark(T0_MS + offsetMs));
  }

  private List<NativeMemorySample> nativeMemory() {
    var records = h.getSideOutput(ProcessMemoryJoinFunction.NATIVE_MEMORY);
    return records == null
        ? List.of()
        : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
  }

  @Test
  void aBacklogJoinsEachSampleWithItsOwnManagedValueInTimeOrder() throws Exception {
    // a catch-up: many samples of both kinds, out of order, before the watermark moves at all
    for (int i = 199; i >= 0; i--) {
      heapAt(i * 1_000L, (100 + i) * MB, 1_000 + i);
      rssAt(i * 1_000L + 500, (400 + i) * MB, 2_000 + i);
    }
    rssAt(200_500, 1, 5_000); // beyond the watermark: must wait
    watermark(200_000);

    List<NativeMemorySample> joined = nativeMemory();
    assertThat(joined).hasSize(200);
    for (int i = 0; i < 200; i++) {
      NativeMemorySample s = joined.get(i);
      assertThat(s.utcNs).isEqualTo(ns(i * 1_000L + 500));
      assertThat(s.managedCommittedBytes).isEqualTo((100 + i) * MB);
      assertThat(s.nativeBytes).isEqualTo(300 * MB);
    }
    assertThat(h.numEventTimeTimers()).as("only the sample beyond the watermark").isEqualTo(1);
  }

  @Test
  void lastAtOrBeforeIsABinarySearchOverTime() {
    List<MemoryPoint> series = new java.util.ArrayList<>();
    for (long t : new long[] {10, 20, 30}) {
      MemoryPoint p = new MemoryPoint();
      p.utcNs = t;
      series.add(p);
    }
    assertThat(ProcessMemoryJoinFunction.lastAtOrBefore(series, 5)).isEqualTo(-1);
    assertThat(ProcessMemoryJoinFunction.lastAtOrBefore(series, 10)).isZero();
    assertThat(ProcessMemoryJoinFunction.lastAtOrBefore(series, 25)).isEqualTo(1);
    assertThat(ProcessMemoryJoinFunction.lastAtOrBefore(series, 99)).isEqualTo(2);
    assertThat(ProcessMemoryJoinFunction.lastAtOrBefore(List.of(), 1)).isEqualTo(-1);
  }

  @Test
  void rssJoinsTheLatestManagedSampleAtOrBeforeIt() throws Exception {
    heapAt(0, 100 * MB, 1);
    heapAt(1_000, 120 * MB, 2);
    rssAt(1_500, 300 * MB, 3);
    heapAt(1_600, 500 * MB, 4); // after the RSS sample: not its managed value
    assertThat(nativeMemory()).as("nothing before the watermark passes the RSS time").isEmpty();
    watermark(2_000);

    assertThat(nativeMemory()).singleElement().satisfies(s -> {
      assertThat(s.rssBytes).isEqualTo(300 * MB);
      assertThat(s.managedCommittedBytes).isEqualTo(120 * MB);
      assertThat(s.nativeBytes).isEqualTo(180 * MB);
      assertThat(s.utcNs).isEqualTo(ns(1_500));
      assertThat(s.managedUtcNs).isEqualTo(ns(1_000));
      assertThat(s.rssSource).isEqualTo(Source.PROCFS);
      assertThat(s.managedSource).isEqualTo(Source.JFR);
      assertThat(s.service).isEqualTo("checkout");
    });
    List<TimedEvent> derived = h.extractOutputValues().stream()
        .filter(e -> TimedEvent.NATIVE_MEMORY_KIND.equals(e.kind)).collect(Collectors.toList());
    assertThat(derived).singleElement().satisfies(d -> {
      assertThat(d.nativeBytes).isEqualTo(180 * MB);
      assertThat(d.heapCommittedBytes).isEqualTo(120 * MB);
      assertThat(d.eventTimeMs()).isEqualTo(T0_MS + 1_500);
    });
  }

  /** JDK 17's ZGC maps its heap three times: RSS holds it three times, native memory does not. */
  @Test
  void aHeapMappedThreeTimesIsTakenFromTheResidentSetThreeTimes() throws Exception {
    heapAt(0, 100 * MB, 1);
    rssAt(500, 350 * MB, 2);
    watermark(1_000);
    TimedEvent pools = aligned(timed(io.memfleet.event.MemoryPools.newBuilder()
        .setHeader(io.memfleet.pipeline.Fixtures.header(bare, Source.JFR, ClockDomain.REALTIME,
            ns(600), 3))
        .setPools(List.of()).setSettings(java.util.Map.of("gc", "Z")).build(), 0));
    h.processElement(pools, pools.eventTimeMs());
    rssAt(1_500, 350 * MB, 4);
    watermark(2_000);
    // the sample joined before the collector was known counts the heap once, as any other JVM
    assertThat(nativeMemory()).extracting(n -> n.nativeBytes / MB).containsExactly(250L, 50L);
  }

  /**
   * A JVM commits 512 MiB of heap at once and writes its pages as the sawtooth's peaks climb:
   * RSS follows the highest use, not the committed size, and native memory (RSS − the resident
   * heap) stays flat. When the heap shrinks, the high-water mark starts again.
   */
  @Test
  void theHeapCountsAsResidentOnlyAsFarAsItHasBeenUsed() throws Exception {
    long[] peaks = {100, 160, 220, 280};
    for (int i = 0; i < peaks.length; i++) {
      heapAt(i * 4_000L, peaks[i] * MB, 512 * MB, 10 + 2 * i); // before a collection: its peak
      heapAt(i * 4_000L + 100, 80 * MB, 512 * MB, 11 + 2 * i); // after it
      rssAt(i * 4_000L + 2_000, (60 + peaks[i]) * MB, 100 + i);
    }
    heapAt(16_000, 90 * MB, 256 * MB, 30); // the heap shrinks: its pages above 256 MiB go back
    rssAt(17_000, 150 * MB, 104);
    watermark(20_000);
    assertThat(nativeMemory()).extracting(n -> n.nativeBytes / MB)
        .containsExactly(60L, 60L, 60L, 60L, 60L);
    assertThat(nativeMemory()).extracting(n -> n.managedCommittedBytes / MB)
        .containsExactly(512L, 512L, 512L, 512L, 256L);
  }

  @Test
  void arrivalOrderDoesNotMatterBeforeTheWatermark() throws Exception {
    rssAt(1_500, 300 * MB, 3); // the RSS sample arrives before the heap sample it joins
    heapAt(1_000, 120 * MB, 2);
    watermark(2_000);
    assertThat(nativeMemory()).singleElement()
        .satisfies(s -> assertThat(s.nativeBytes).isEqualTo(180 * MB));
  }

  @Test
  void noJoinWhenTheManagedSampleIsOlderThanTheInterval() throws Exception {
    heapAt(0, 100 * MB, 1);
    rssAt(30_001, 300 * MB, 2);
    watermark(40_000);
    assertThat(nativeMemory()).isEmpty();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void uncalibratedSamplesNeverJoin() throws Exception {
    heapAt(0, 100 * MB, 1);
    TimedEvent e = aligned(timed(rss(known, Source.PROCFS, ClockDomain.MONOTONIC, 5, 2, 1), 0));
    e.utcNs = ns(500);
    e.timeBasis = TimeBasis.UNCALIBRATED_HOLD_TIMEOUT;
    e.errorBoundNs = TimedEvent.UNBOUNDED_ERROR_NS;
    h.processElement(e, e.eventTimeMs());
    watermark(1_000);
    assertThat(nativeMemory()).isEmpty();
  }

  @Test
  void everyEventPassesEnrichedWithTheIdentitySeenSoFar() throws Exception {
    TimedEvent started = aligned(timed(lifecycle(known, LifecyclePhase.STARTED, ns(0), 1), 0));
    h.processElement(started, started.eventTimeMs());
    heapAt(100, 10 * MB, 2); // published without service/pod/container
    List<TimedEvent> out = h.extractOutputValues();
    assertThat(out).hasSize(2);
    assertThat(out.get(1).kind).isEqualTo("HeapSummary");
    assertThat(out.get(1).service).isEqualTo("checkout");
    assertThat(out.get(1).pod).isEqualTo("checkout-abc");
    assertThat(out.get(1).container).isEqualTo("app");
    assertThat(out.get(1).namespace).isEqualTo("shop");
  }

  @Test
  void exitClearsStateAndTimersOnceTheWatermarkPassesIt() throws Exception {
    heapAt(0, 100 * MB, 1);
    rssAt(500, 300 * MB, 2);
    TimedEvent exited = aligned(timed(lifecycle(known, LifecyclePhase.EXITED, ns(800), 3), 0));
    h.processElement(exited, exited.eventTimeMs());
    rssAt(700, 310 * MB, 4); // out of order, before the exit: still joined
    assertThat(h.numKeyedStateEntries()).isGreaterThan(0);
    assertThat(h.numEventTimeTimers()).isEqualTo(3);

    watermark(1_000);
    assertThat(nativeMemory()).extracting(s -> s.rssBytes).containsExactly(300 * MB, 310 * MB);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
    assertThat(h.numProcessingTimeTimers()).isZero();
  }

  @Test
  void anIdleProcessIsForgottenWithItsTimers() throws Exception {
    heapAt(0, 100 * MB, 1);
    rssAt(500, 300 * MB, 2); // its watermark never comes
    assertThat(h.numEventTimeTimers()).isEqualTo(1);
    assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

    h.setProcessingTime(1_000 + IDLE.toMillis());
    assertThat(nativeMemory()).as("pending samples are joined before forgetting").hasSize(1);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
    assertThat(h.numProcessingTimeTimers()).isZero();
  }

  @Test
  void managedSamplesNoLongerUsableArePruned() throws Exception {
    for (int i = 0; i < 50; i++) {
      heapAt(i * 1_000L, (100 + i) * MB, i);
      watermark(i * 1_000L);
    }
    // only the newest sample the watermark passed (and none newer) can still be joined
    rssAt(49_500, 400 * MB, 99);
    watermark(50_000);
    assertThat(nativeMemory()).singleElement()
        .satisfies(s -> assertThat(s.managedCommittedBytes).isEqualTo(149 * MB));
    assertThat(h.numKeyedStateEntries())
        .as("identity, one managed sample, the heap's touched high-water, last activity, idle timer")
        .isLessThanOrEqualTo(5);
  }
}
