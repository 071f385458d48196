package io.memfleet.pipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.EventHeader;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.MappingOp;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceFilterTest {
  private static final EventCodec CODEC = EventCodec.fromClasspath();
  @TempDir Path dir;

  private static ProcessIdentity process(int pid, String service) {
    return ProcessIdentity.newBuilder().setCluster("c").setNode("n").setBootId("b").setPid(pid)
        .setProcessStartTimeMs(1_000L * pid).setComm("p").setRuntime(Runtime.NATIVE)
        .setService(service).setLabels(Map.of()).build();
  }

  private static EventHeader header(ProcessIdentity p, Source s, ClockDomain d, long t) {
    return EventHeader.newBuilder().setProcess(p).setSource(s).setClockDomain(d)
        .setRawTimestamp(t).setCollector("t").setSequence(t).build();
  }

  private static RawRecord record(SpecificRecord e, long offset) {
    return RawRecord.of(Topics.forRecord(e), 0, offset, 0,
        Topics.key(io.memfleet.schema.codec.Events.header(e).getProcess()), CODEC.encode(e));
  }

  @Test
  void keepsTheServicesProcessesWithTheirUnnamedEventsAndEveryClockSample() throws Exception {
    ProcessIdentity wanted = process(7, "c-malloc-leak");
    ProcessIdentity other = process(8, "something-else");
    ProcessIdentity wantedAsEbpfSeesIt = ProcessIdentity.newBuilder(wanted).setService(null)
        .build();
    List<SpecificRecord> events = new ArrayList<>();
    // the eBPF collector does not know the service; its event comes first
    events.add(MemoryMapping.newBuilder()
        .setHeader(header(wantedAsEbpfSeesIt, Source.EBPF, ClockDomain.MONOTONIC, 5))
        .setOp(MappingOp.MMAP).setAddress(1).setLengthBytes(4096).build());
    for (long t = 1; t <= 3; t++) {
      events.add(ResidentMemory.newBuilder()
          .setHeader(header(wanted, Source.PROCFS, ClockDomain.REALTIME, t * 1_000_000_000L))
          .setRssBytes(1).build());
      events.add(ResidentMemory.newBuilder()
          .setHeader(header(other, Source.PROCFS, ClockDomain.REALTIME, t * 1_000_000_000L))
          .setRssBytes(1).build());
    }
    events.add(ClockSync.newBuilder()
        .setHeader(header(other, Source.PROCFS, ClockDomain.MONOTONIC, 9)).setRealtimeNs(1)
        .setMonotonicNs(1).setDomainValue(1).setDomainFrequencyHz(1_000_000_000L)
        .setUncertaintyNs(1).setBootId("b").build());
    Path in = dir.resolve("in.mftrace");
    try (Trace.Writer w = Trace.writer(in)) {
      long offset = 0;
      for (SpecificRecord e : events) {
        w.write(record(e, offset++));
      }
      w.write(RawRecord.of(Topics.EVENTS_PROCFS, 0, offset, 0, null, new byte[] {1, 2, 3}));
    }
    Path out = dir.resolve("out.mftrace");
    Map<String, TraceFilter.Span> spans = TraceFilter.copy(in, out, Set.of("c-malloc-leak"));

    List<RawRecord> kept = new ArrayList<>();
    try (Trace.Reader r = Trace.reader(out)) {
      for (RawRecord x; (x = r.next()) != null; ) {
        kept.add(x);
      }
    }
    assertThat(kept).extracting(x -> x.offset).containsExactly(0L, 1L, 3L, 5L, 7L);
    assertThat(spans).containsOnlyKeys("c-malloc-leak");
    TraceFilter.Span span = spans.get("c-malloc-leak");
    assertThat(span.processStartMs()).isEqualTo(7_000L);
    assertThat(span.firstEventNs()).isEqualTo(1_000_000_000L); // wall-clock events only
    assertThat(span.lastEventNs()).isEqualTo(3_000_000_000L);
    assertThat(span.records()).isEqualTo(4);
  }
}
