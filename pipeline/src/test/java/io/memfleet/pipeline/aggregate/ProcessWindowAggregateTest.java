package io.memfleet.pipeline.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class ProcessWindowAggregateTest {
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

  @Test
  void eventsOfOtherSourcesAreCountedButChangeNoMeasure() {
    ProcessWindowAccumulator acc = aggregate.createAccumulator();
    aggregate.add(event(SampleEvents.clockSync(), 1), acc);
    assertThat(acc.samples).isEqualTo(1);
    assertThat(acc.rssMax).isZero();
  }
}
