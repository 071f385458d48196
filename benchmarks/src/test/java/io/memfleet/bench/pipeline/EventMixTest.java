package io.memfleet.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.bench.pipeline.SimulatedHost.SimulatedProcess;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.EventHeader;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.StackCount;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.pipeline.time.ClockSample;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class EventMixTest {
  private static final long T0_NS = 1_760_000_000_000_000_000L;
  private final EventCodec codec = EventCodec.fromClasspath();

  @Test
  void eachRuntimePublishesInItsCollectorsClockDomains() {
    Random random = new Random(1);
    SimulatedHost host = new SimulatedHost("bench", 0, 3, T0_NS, random);
    assertThat(host.processes).extracting(p -> p.runtime)
        .containsExactly(Runtime.JVM, Runtime.GO, Runtime.NATIVE);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 3_000; i++) {
      SimulatedProcess p = host.processes.get(i % 3);
      long utc = T0_NS + i * 7_000_000L;
      SpecificRecord event = EventMix.next(host, p, utc, random);
      SpecificRecord decoded = codec.decode(codec.encode(event));
      assertThat(decoded).isEqualTo(event);
      EventHeader h = Events.header(decoded);
      assertThat(h.getProcess()).isEqualTo(p.identity);
      seen.add(p.runtime + " " + h.getSource() + " " + Events.kind(decoded));
      switch (h.getClockDomain()) {
        case REALTIME:
          assertThat(h.getRawTimestamp()).isEqualTo(utc);
          break;
        case GO_PROCESS_RELATIVE:
          assertThat(h.getSource()).isEqualTo(Source.GO_GCTRACE);
          assertThat(p.identity.getProcessStartTimeMs() * 1_000_000L + h.getRawTimestamp())
              .isEqualTo(utc);
          break;
        case MONOTONIC:
          assertThat(h.getSource()).isEqualTo(Source.EBPF);
          assertThat(h.getRawTimestamp()).isEqualTo(host.monotonicAt(utc));
          break;
        default:
          throw new AssertionError("unexpected clock domain in " + decoded);
      }
    }
    assertThat(seen).contains("JVM JFR Allocation", "JVM JFR GcCycle", "JVM PROCFS ResidentMemory",
        "JVM JFR MemoryPools", "JVM JFR ThreadCount", "GO GO_EXPVAR ThreadCount",
        "GO GO_GCTRACE GcCycle", "GO GO_EXPVAR HeapSummary", "NATIVE EBPF Allocation",
        "NATIVE EBPF Free", "NATIVE EBPF MemoryMapping", "NATIVE EBPF ResidentMemory");
  }

  @Test
  void stacksComeAsManyAndAsDeepAsTheCollectorsPublishThem() {
    Random random = new Random(3);
    SimulatedHost host = new SimulatedHost("bench", 0, 3, T0_NS, random);
    Set<String> groups = new HashSet<>();
    for (int i = 0; i < 3_000; i++) {
      SpecificRecord event = EventMix.next(host, host.processes.get(i % 3), T0_NS + i, random);
      List<StackCount> stacks = List.of();
      String what = null;
      if (event instanceof ThreadCount t && t.getKind() != ThreadKind.OS_THREADS) {
        stacks = t.getStacks();
        what = t.getKind().name();
      } else if (event instanceof MemoryPools m) {
        stacks = m.getPools().stream().filter(u -> u.getPool() == MemoryPool.METASPACE)
            .findFirst().orElseThrow().getStacks();
        what = "CLASSES";
      }
      if (what != null) {
        assertThat(stacks).allSatisfy(g -> assertThat(g.getStack().getFrames()).hasSize(8));
        assertThat(stacks).extracting(g -> g.getStack().getHash()).doesNotHaveDuplicates();
        groups.add(what + " " + stacks.size());
      }
    }
    // JFR's 8 thread-start and 8 class-define groups, the Go collector's 16 goroutine groups
    assertThat(groups).containsExactlyInAnyOrder("JAVA_THREADS 8", "CLASSES 8", "GOROUTINES 16");
  }

  @Test
  void clockSyncSamplesAreSoundAndPairTheHostsClocks() {
    Random random = new Random(2);
    SimulatedHost host = new SimulatedHost("bench", 1, 1, T0_NS, random);
    for (int i = 0; i < 50; i++) {
      long utc = T0_NS + i * 10_000_000_000L;
      ClockSync sync = (ClockSync) codec.decode(codec.encode(host.clockSync(utc, random)));
      ClockSample sample = ClockSample.of(sync);
      assertThat(sample.problem()).isNull();
      assertThat(sample.domain).isEqualTo(ClockDomain.MONOTONIC);
      assertThat(sample.hostKey()).isEqualTo("bench/" + host.node + "/" + host.bootId);
      assertThat(sample.monotonicNs).isEqualTo(host.monotonicAt(utc));
      assertThat(Math.abs(sample.realtimeNs - utc)).isLessThanOrEqualTo(sample.uncertaintyNs);
    }
    // days of uptime and a drift of a few ppm: MONOTONIC is far from UTC and not parallel to it
    assertThat(host.mono0).isGreaterThan(86_400_000_000_000L);
    long hour = 3_600_000_000_000L;
    assertThat(host.monotonicAt(T0_NS + hour) - host.monotonicAt(T0_NS)).isNotEqualTo(hour);
  }
}
