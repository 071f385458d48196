package io.memfleet.collector.jfr.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class GcStormFilterTest {
  private static final long SECOND = 1_000_000_000L;
  private final EventHeaders headers = new EventHeaders("test");
  private final ProcessIdentity jvm = ProcessIdentity.newBuilder().setCluster("c").setNode("n")
      .setBootId("b").setPid(1).setProcessStartTimeMs(0).setComm("java")
      .setRuntime(Runtime.JVM).setLabels(Map.of()).build();

  @Test
  void beyondTheRateCollectionsKeepOnlyTheirCycle() {
    GcStormFilter filter = new GcStormFilter(20);
    List<SpecificRecord> kept = new ArrayList<>();
    for (int gc = 0; gc < 25; gc++) {
      for (SpecificRecord r : collection(gc, 100 * SECOND + gc * 10_000_000L)) {
        if (filter.admit(r)) {
          kept.add(r);
        }
      }
    }
    assertThat(kept.stream().filter(GcCycle.class::isInstance)).hasSize(25);
    assertThat(kept.stream().filter(HeapSummary.class::isInstance)).hasSize(40);
    assertThat(kept.stream().filter(GcPause.class::isInstance)).hasSize(20);
    assertThat(kept.stream().filter(MemoryPools.class::isInstance)).hasSize(20);
    assertThat(filter.droppedHeapSummaries()).isEqualTo(10);
    assertThat(filter.droppedPauses()).isEqualTo(5);
    assertThat(filter.droppedMetaspace()).isEqualTo(5);
    assertThat(filter.stormSeconds()).isEqualTo(1);

    // the next second starts a new budget; other events are never touched
    assertThat(collection(99, 101 * SECOND)).allMatch(filter::admit);
    assertThat(filter.admit(ThreadCount.newBuilder().setHeader(header(101 * SECOND))
        .setKind(ThreadKind.JAVA_THREADS).setCount(5L).build())).isTrue();
  }

  @Test
  void zeroSwitchesItOff() {
    GcStormFilter off = new GcStormFilter(0);
    for (int gc = 0; gc < 500; gc++) {
      assertThat(collection(gc, SECOND)).allMatch(off::admit);
    }
    assertThat(off.droppedHeapSummaries() + off.droppedPauses()).isZero();
  }

  private List<SpecificRecord> collection(long gcId, long t) {
    HeapSummary before = HeapSummary.newBuilder().setHeader(header(t))
        .setPhase(HeapPhase.BEFORE_GC).setGcId(gcId).setUsedBytes(10).setCommittedBytes(20)
        .build();
    GcPause pause = GcPause.newBuilder().setHeader(header(t)).setGcId(gcId).setPhase("GC Pause")
        .setDurationNs(1000L).build();
    HeapSummary after = HeapSummary.newBuilder(before).setHeader(header(t + 1000))
        .setPhase(HeapPhase.AFTER_GC).build();
    GcCycle cycle = GcCycle.newBuilder().setHeader(header(t)).setGcId(gcId)
        .setCollectorName("G1New").setCause("G1 Evacuation Pause")
        .setGeneration(GcGeneration.YOUNG).setHeapBeforeBytes(10L).setHeapAfterBytes(5L)
        .setDurationNs(1000L).setSumOfPausesNs(1000L).setForced(false).build();
    MemoryPools metaspace = MemoryPools.newBuilder().setHeader(header(t + 1000))
        .setPools(List.of(PoolUsage.newBuilder().setPool(MemoryPool.METASPACE)
            .setUsedBytes(1L).setCommittedBytes(2L).build()))
        .setSettings(Map.of()).build();
    return List.of(before, pause, after, cycle, metaspace);
  }

  private io.memfleet.event.EventHeader header(long t) {
    return headers.next(jvm, Source.JFR, ClockDomain.REALTIME, t);
  }
}
