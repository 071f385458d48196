package io.memfleet.pipeline;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.EventHeader;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.pipeline.decode.EventExtractor;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.time.ClockSample;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import org.apache.avro.specific.SpecificRecord;

/** Hand-made events of one host for the pipeline's tests. */
public final class Fixtures {
  public static final String CLUSTER = "test-cluster";
  public static final String NODE = "node-1";
  public static final String BOOT = "boot-aaaa";
  public static final long START_MS = 1_700_000_000_000L;
  public static final EventCodec CODEC = EventCodec.fromClasspath();

  private Fixtures() {}

  /** A JVM process; with identity = service/pod/container known (as the node collector sees it). */
  public static ProcessIdentity process(int pid, boolean withIdentity) {
    return process(pid, BOOT, withIdentity);
  }

  public static ProcessIdentity process(int pid, String bootId, boolean withIdentity) {
    ProcessIdentity.Builder b = ProcessIdentity.newBuilder()
        .setCluster(CLUSTER).setNode(NODE).setBootId(bootId).setPid(pid)
        .setProcessStartTimeMs(START_MS).setComm("java").setRuntime(Runtime.JVM);
    if (withIdentity) {
      b.setService("checkout").setNamespace("shop").setPod("checkout-abc").setContainer("app");
    }
    return b.build();
  }

  public static EventHeader header(
      ProcessIdentity p, Source source, ClockDomain domain, long raw, long seq) {
    return EventHeader.newBuilder().setProcess(p).setSource(source).setClockDomain(domain)
        .setRawTimestamp(raw).setCollector("test-collector").setSequence(seq).build();
  }

  public static ResidentMemory rss(
      ProcessIdentity p, Source source, ClockDomain domain, long raw, long seq, long bytes) {
    return ResidentMemory.newBuilder().setHeader(header(p, source, domain, raw, seq))
        .setRssBytes(bytes).build();
  }

  public static HeapSummary heap(
      ProcessIdentity p, ClockDomain domain, long raw, long seq, long used, long committed) {
    return HeapSummary.newBuilder().setHeader(header(p, Source.JFR, domain, raw, seq))
        .setPhase(HeapPhase.AFTER_GC).setUsedBytes(used).setCommittedBytes(committed).build();
  }

  public static ProcessLifecycle lifecycle(
      ProcessIdentity p, LifecyclePhase phase, long realtimeNs, long seq) {
    return ProcessLifecycle.newBuilder()
        .setHeader(header(p, Source.PROCFS, ClockDomain.REALTIME, realtimeNs, seq))
        .setPhase(phase).build();
  }

  /** A ClockSync of {@code domain} read at {@code domainValue}, paired with the host clocks. */
  public static ClockSync clockSync(ProcessIdentity p, ClockDomain domain, long domainValue,
      Long frequencyHz, long realtimeNs, long monotonicNs, long uncertaintyNs, long seq) {
    return ClockSync.newBuilder()
        .setHeader(header(p, Source.PROCFS, domain, domainValue, seq))
        .setRealtimeNs(realtimeNs).setMonotonicNs(monotonicNs).setDomainValue(domainValue)
        .setDomainFrequencyHz(frequencyHz).setUncertaintyNs(uncertaintyNs)
        .setBootId(p.getBootId()).build();
  }

  /** A MONOTONIC ClockSync: host realtime = monotonic + offset. */
  public static ClockSample monotonicSample(
      ProcessIdentity p, long monotonicNs, long realtimeNs, long uncertaintyNs) {
    return ClockSample.of(clockSync(p, ClockDomain.MONOTONIC, monotonicNs, null, realtimeNs,
        monotonicNs, uncertaintyNs, 0));
  }

  /** The event as the decode stage would produce it from Kafka. */
  public static TimedEvent timed(SpecificRecord record, long publishMs) {
    RawRecord raw = raw(record, publishMs, 0);
    return EventExtractor.extract(raw, CODEC.decode(raw.value));
  }

  public static RawRecord raw(SpecificRecord record, long publishMs, long offset) {
    return RawRecord.of(Topics.forRecord(record), 0, offset, publishMs,
        record instanceof ClockSync ? null : Topics.key(
            io.memfleet.schema.codec.Events.header(record).getProcess()),
        CODEC.encode(record));
  }
}
