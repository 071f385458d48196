package io.memfleet.pipeline.forensics;

import static io.memfleet.pipeline.detect.Events.aligned;
import static io.memfleet.pipeline.detect.Events.header;
import static io.memfleet.pipeline.detect.Events.ns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.OomSnapshot;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.SnapshotEvent;
import io.memfleet.event.Source;
import io.memfleet.pipeline.Fixtures;
import io.memfleet.pipeline.detect.Events;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.TimedEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OomForensicsFunctionTest {
  private static final long MB = 1L << 20;
  private final ProcessIdentity victim = Events.process("node-1", 500, Runtime.JVM);
  private KeyedOneInputStreamOperatorTestHarness<ProcessId, TimedEvent, OomSnapshot> h;
  private long seq;

  private void open(int maxEvents) throws Exception {
    h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new OomForensicsFunction(Duration.ofSeconds(5), Duration.ofSeconds(10), maxEvents,
            Duration.ofSeconds(30), Duration.ofMinutes(2), 0.5),
        OomForensicsFunction::victim, TypeInformation.of(ProcessId.class));
    h.open();
    h.setProcessingTime(1_000);
  }

  @AfterEach
  void close() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  private void send(SpecificRecord r) throws Exception {
    TimedEvent e = aligned(r);
    h.processElement(e, e.eventTimeMs());
  }

  private void watermark(double seconds) throws Exception {
    h.processWatermark(new Watermark(ns(seconds) / 1_000_000L));
  }

  private ResidentMemory rss(ProcessIdentity p, double t, long mb) {
    return ResidentMemory.newBuilder().setHeader(header(p, Source.PROCFS, t, seq++))
        .setRssBytes(mb * MB).setCgroupUsageBytes(mb * MB).setCgroupLimitBytes(256 * MB).build();
  }

  private OomKill kill(ProcessIdentity p, double t) {
    return OomKill.newBuilder().setHeader(header(p, Source.EBPF, t, seq++))
        .setDetectedBy(OomDetection.TRACEPOINT).setVictimComm("java")
        .setRssBytesAtKill(255 * MB).setCgroupLimitBytes(256 * MB).build();
  }

  /** 20 s of RSS (every 0.5 s), heap summaries and mmaps (every second), from three sources. */
  private void history() throws Exception {
    for (int i = 0; i <= 40; i++) {
      double t = i * 0.5;
      send(rss(victim, t, 100 + i * 3));
      if (i % 2 == 0) {
        send(HeapSummary.newBuilder().setHeader(header(victim, Source.JFR, t + 0.1, seq++))
            .setPhase(HeapPhase.PERIODIC).setUsedBytes(90 * MB).setCommittedBytes(128 * MB)
            .build());
        send(MemoryMapping.newBuilder().setHeader(header(victim, Source.EBPF, t + 0.2, seq++))
            .setOp(MappingOp.MMAP).setAddress(0x7f0000000000L + i).setLengthBytes(4 * MB)
            .setOutstandingBytes((long) i * 4 * MB).build());
      }
      watermark(t - 2);
    }
  }

  @Test
  void snapshotHoldsExactlyTheLastFiveSecondsInOrder() throws Exception {
    open(5000);
    history();
    send(kill(victim, 20.2));
    send(rss(victim, 19.9, 222)); // stamped before the kill, arrives after it
    send(rss(victim, 20.7, 230)); // after the kill: not part of the snapshot
    watermark(20.1);
    assertThat(h.extractOutputValues()).isEmpty(); // waits for the watermark to pass the kill
    watermark(22);

    List<OomSnapshot> out = h.extractOutputValues();
    assertThat(out).hasSize(1);
    OomSnapshot s = out.get(0);
    assertThat(s.getProcess()).isEqualTo(victim);
    assertThat(s.getKillUtcNs()).isEqualTo(ns(20.2));
    assertThat(s.getWindowNs()).isEqualTo(5_000_000_000L);
    List<SnapshotEvent> events = s.getEvents();
    assertThat(events).allMatch(e -> e.getUtcNs() >= ns(15.2) && e.getUtcNs() <= ns(20.2));
    assertThat(events).isSortedAccordingTo((a, b) -> Long.compare(a.getUtcNs(), b.getUtcNs()));
    // window [15.2, 20.2] closed: RSS at 15.5..20.0 (10) + the late 19.9, heap at 16.1..20.1 (5),
    // mmap at 15.2..20.2 (6), and the kill itself
    assertThat(events.stream().filter(e -> e.getKind().equals("ResidentMemory"))).hasSize(11);
    assertThat(events.stream().filter(e -> e.getKind().equals("HeapSummary"))).hasSize(5);
    assertThat(events.stream().filter(e -> e.getKind().equals("MemoryMapping"))).hasSize(6);
    assertThat(events).hasSize(11 + 5 + 6 + 1);
    assertThat(events.get(events.size() - 1).getKind()).isEqualTo("OomKill");
    assertThat(events).extracting(SnapshotEvent::getSource)
        .contains(Source.PROCFS, Source.JFR, Source.EBPF);
    SnapshotEvent first = events.get(1); // RSS at 15.5 (the mmap at 15.2 is first)
    assertThat(events.get(0).getSummary()).isEqualTo("MMAP 4.0 MiB, mapped 120.0 MiB");
    assertThat(first.getSummary()).isEqualTo("rss 193.0 MiB, cgroup 193.0 MiB / 256.0 MiB");
    ByteBuffer bytes = first.getEncoded();
    byte[] raw = new byte[bytes.remaining()];
    bytes.duplicate().get(raw);
    assertThat(Fixtures.CODEC.decode(raw)).isInstanceOf(ResidentMemory.class);
    assertThat(first.getErrorBoundNs()).isEqualTo(1000);
  }

  @Test
  void bufferIsBoundedByCountAndDuplicateKillReportsAreIgnored() throws Exception {
    open(8);
    history();
    send(kill(victim, 20.2));
    send(kill(victim, 20.4)); // the cgroup counter reports the same kill
    watermark(25);
    List<OomSnapshot> out = h.extractOutputValues();
    assertThat(out).hasSize(1);
    // the newest 8 buffered events and the kill
    assertThat(out.get(0).getEvents()).hasSize(9);
  }

  @Test
  void killReportedWithoutStartTimeTakesTheBufferedIdentity() throws Exception {
    open(5000);
    history();
    ProcessIdentity partial = ProcessIdentity.newBuilder(victim).setProcessStartTimeMs(0)
        .setService(null).build();
    send(kill(partial, 20.2));
    watermark(22);
    OomSnapshot s = h.extractOutputValues().get(0);
    assertThat(s.getProcess()).isEqualTo(victim);
    assertThat(s.getEvents()).hasSizeGreaterThan(20);
  }

  @Test
  void stateIsClearedAfterTheProcessExitsAndItsGraceHasPassed() throws Exception {
    open(5000);
    history();
    send(kill(victim, 20.2));
    send(ProcessLifecycle.newBuilder().setHeader(header(victim, Source.PROCFS, 20.6, seq++))
        .setPhase(LifecyclePhase.EXITED).setOomKilled(true).build());
    watermark(30);
    assertThat(h.extractOutputValues()).hasSize(1);
    assertThat(h.numKeyedStateEntries()).isGreaterThan(0); // within the exit grace
    watermark(20.6 + 30);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
    assertThat(h.numProcessingTimeTimers()).isZero();
  }

  @Test
  void idleBufferIsDropped() throws Exception {
    open(5000);
    send(rss(victim, 0, 100));
    h.setProcessingTime(1_000 + Duration.ofMinutes(2).toMillis());
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numProcessingTimeTimers()).isZero();
  }

  private static ProcessIdentity processOf(SnapshotEvent e) {
    ByteBuffer bytes = e.getEncoded();
    byte[] raw = new byte[bytes.remaining()];
    bytes.duplicate().get(raw);
    return io.memfleet.schema.codec.Events.header(Fixtures.CODEC.decode(raw)).getProcess();
  }

  @Test
  void everyEventComesBackWithTheIdentityItWasSentWith() throws Exception {
    open(5000);
    // a tracepoint knows no service or labels; the node collector knows both: they take turns
    ProcessIdentity bare = ProcessIdentity.newBuilder(victim).setService(null)
        .setLabels(java.util.Map.of()).build();
    ProcessIdentity labelled = ProcessIdentity.newBuilder(victim)
        .setLabels(java.util.Map.of("team", "pay")).build();
    for (int i = 0; i <= 40; i++) {
      double t = i * 0.5;
      send(rss(i % 3 == 0 ? victim : i % 3 == 1 ? bare : labelled, t, 100 + i * 3));
      watermark(t - 2);
    }
    send(kill(victim, 20.2));
    watermark(22);
    OomSnapshot s = h.extractOutputValues().get(0);
    List<SnapshotEvent> rss = s.getEvents().stream()
        .filter(e -> e.getKind().equals("ResidentMemory")).toList();
    assertThat(rss).hasSize(10);
    for (SnapshotEvent e : rss) {
      int i = (int) Math.round((e.getUtcNs() - ns(0)) / 5e8);
      assertThat(processOf(e)).as("event %d", i)
          .isEqualTo(i % 3 == 0 ? victim : i % 3 == 1 ? bare : labelled);
    }
  }

  @Test
  void moreIdentitiesThanItKeepsAreHeldWhole() throws Exception {
    open(5000);
    int variants = OomForensicsFunction.MAX_IDENTITIES + 4;
    for (int i = 0; i <= 40; i++) {
      double t = i * 0.5;
      ProcessIdentity p = ProcessIdentity.newBuilder(victim).setComm("w" + i % variants).build();
      send(rss(p, t, 100 + i * 3));
      watermark(t - 2);
    }
    send(kill(victim, 20.2));
    watermark(22);
    List<SnapshotEvent> rss = h.extractOutputValues().get(0).getEvents().stream()
        .filter(e -> e.getKind().equals("ResidentMemory")).toList();
    assertThat(rss).hasSize(10);
    for (SnapshotEvent e : rss) {
      int i = (int) Math.round((e.getUtcNs() - ns(0)) / 5e8);
      assertThat(processOf(e).getComm()).isEqualTo("w" + i % variants);
    }
  }

  @Test
  void identitiesNoLongerInTheRingMakeRoomForNewOnes() throws Exception {
    open(5000);
    // a new identity every 5 s (comm w0, w1, ...) for 65 s: 13 in all, 3-4 in the 15-s ring
    for (int i = 0; i <= 130; i++) {
      double t = i * 0.5;
      ProcessIdentity p = ProcessIdentity.newBuilder(victim).setComm("w" + i / 10).build();
      send(rss(p, t, 100 + i));
      watermark(t - 2);
    }
    send(kill(victim, 65.2));
    watermark(67);
    List<SnapshotEvent> rss = h.extractOutputValues().get(0).getEvents().stream()
        .filter(e -> e.getKind().equals("ResidentMemory")).toList();
    assertThat(rss).hasSize(10);
    for (SnapshotEvent e : rss) {
      int i = (int) Math.round((e.getUtcNs() - ns(0)) / 5e8);
      assertThat(processOf(e).getComm()).isEqualTo("w" + i / 10);
    }
  }

  private static long kinds(OomSnapshot s, String kind) {
    return s.getEvents().stream().filter(e -> e.getKind().equals(kind)).count();
  }

  @Test
  void aProcessFarFromItsLimitKeepsNoEventsButItsKillStillGetsAVerdict() throws Exception {
    open(5000);
    for (int i = 0; i <= 40; i++) {
      double t = i * 0.5;
      send(rss(victim, t, 60)); // a quarter of its 256 MiB limit, flat
      send(MemoryMapping.newBuilder().setHeader(header(victim, Source.EBPF, t + 0.2, seq++))
          .setOp(MappingOp.MMAP).setAddress(0x7f0000000000L + i).setLengthBytes(MB)
          .setOutstandingBytes(MB).build());
      watermark(t - 2);
    }
    send(kill(victim, 20.2)); // e.g. a sibling's allocation took the cgroup over
    watermark(22);
    OomSnapshot s = h.extractOutputValues().get(0);
    assertThat(s.getEvents()).extracting(SnapshotEvent::getKind).containsExactly("OomKill");
    assertThat(s.getVerdict()).isNotBlank();
    assertThat(s.getProcess()).isEqualTo(victim);
  }

  @Test
  void theRingArmsOnAClimbAndDisarmsWellBelowTheLimit() throws Exception {
    open(5000);
    // 40 MiB for 10 s, a climb of 4 MiB/s (the 256 MiB limit 54 s away at that rate: armed from
    // its first rising sample), a fall back to 40 MiB at 20 s with a kill at 22.2 s (e.g. a
    // sibling took the cgroup over), then a climb of 14 MiB/s killed at 40.2 s
    for (int i = 0; i <= 80; i++) {
      double t = i * 0.5;
      long mb = t < 10 ? 40 : t < 20 ? 40 + (long) ((t - 10) * 4) : t < 25 ? 40
          : 40 + (long) ((t - 25) * 14);
      send(rss(victim, t, mb));
      if (t == 22) {
        send(kill(victim, 22.2));
      }
      watermark(t - 2);
    }
    send(kill(victim, 40.2));
    watermark(42);
    List<OomSnapshot> out = h.extractOutputValues();
    assertThat(out).hasSize(2);
    // the climb's events (10.5 .. 19.5) were dropped when the ring disarmed at 20 s
    assertThat(kinds(out.get(0), "ResidentMemory")).isZero();
    // armed again from 25.5 s: the whole window [35.2, 40.2]
    assertThat(kinds(out.get(1), "ResidentMemory")).isEqualTo(10);
  }

  @Test
  void aJumpToTheLimitLeavesTheEventsSinceTheRingArmed() throws Exception {
    open(5000);
    for (int i = 0; i <= 36; i++) {
      send(rss(victim, i * 0.5, 40)); // flat at 40 of 256 MiB until 18 s
      watermark(i * 0.5 - 2);
    }
    send(rss(victim, 18.5, 150)); // armed here
    send(rss(victim, 19.0, 200));
    send(rss(victim, 19.5, 250));
    send(kill(victim, 20.2));
    watermark(22);
    assertThat(kinds(h.extractOutputValues().get(0), "ResidentMemory")).isEqualTo(3);
  }

  @Test
  void aJvmHeapNearItsMaximumArmsTheRingWithoutACgroupLimit() throws Exception {
    open(5000);
    for (int i = 0; i <= 40; i++) {
      double t = i * 0.5;
      long live = (long) (4 + 1.6 * i); // MiB after GC of a 128 MiB heap: half from 19 s on
      send(HeapSummary.newBuilder().setHeader(header(victim, Source.JFR, t, seq++))
          .setPhase(HeapPhase.AFTER_GC).setUsedBytes(live * MB).setCommittedBytes(128 * MB)
          .setMaxBytes(128 * MB).build());
      watermark(t - 2);
    }
    send(kill(victim, 20.2));
    watermark(22);
    // armed from 19 s (64 MiB) to the kill: 19.0, 19.5, 20.0 of the window's ten
    assertThat(kinds(h.extractOutputValues().get(0), "HeapSummary")).isEqualTo(3);
  }

  @Test
  void withNoLimitKnownEveryEventIsKept() throws Exception {
    open(5000);
    for (int i = 0; i <= 40; i++) {
      double t = i * 0.5;
      send(ResidentMemory.newBuilder().setHeader(header(victim, Source.EBPF, t, seq++))
          .setRssBytes(40 * MB).build()); // no cgroup limit: a kill can come at any level
      watermark(t - 2);
    }
    send(kill(victim, 20.2));
    watermark(22);
    assertThat(kinds(h.extractOutputValues().get(0), "ResidentMemory")).isEqualTo(10);
  }

  @Test
  void armAtZeroKeepsEveryProcessArmed() throws Exception {
    h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new OomForensicsFunction(Duration.ofSeconds(5), Duration.ofSeconds(10), 5000,
            Duration.ofSeconds(30), Duration.ofMinutes(2), 0),
        OomForensicsFunction::victim, TypeInformation.of(ProcessId.class));
    h.open();
    for (int i = 0; i <= 40; i++) {
      send(rss(victim, i * 0.5, 40));
      watermark(i * 0.5 - 2);
    }
    send(kill(victim, 20.2));
    watermark(22);
    assertThat(kinds(h.extractOutputValues().get(0), "ResidentMemory")).isEqualTo(10);
  }

  @Test
  void armAtOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> new OomForensicsFunction(Duration.ofSeconds(5),
        Duration.ofSeconds(10), 5000, Duration.ofSeconds(30), Duration.ofMinutes(2), 1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arm-at");
  }
}
