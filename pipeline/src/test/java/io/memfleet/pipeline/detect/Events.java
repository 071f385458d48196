package io.memfleet.pipeline.detect;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.pipeline.Fixtures;
import io.memfleet.pipeline.model.TimeBasis;
import io.memfleet.pipeline.model.TimedEvent;
import org.apache.avro.specific.SpecificRecord;

/** Aligned, enriched events (REALTIME, so UTC = raw) for detection and forensics tests. */
public final class Events {
  public static final long T0_NS = Observations.T0_NS;

  private Events() {}

  public static ProcessIdentity process(String node, int pid, Runtime runtime) {
    return ProcessIdentity.newBuilder().setCluster(Fixtures.CLUSTER).setNode(node)
        .setBootId("boot-" + node).setPid(pid).setProcessStartTimeMs(Fixtures.START_MS)
        .setComm(runtime == Runtime.GO ? "leaky-go" : "java").setRuntime(runtime)
        .setService("checkout").build();
  }

  public static EventHeader header(ProcessIdentity p, Source source, double seconds, long seq) {
    return EventHeader.newBuilder().setProcess(p).setSource(source)
        .setClockDomain(ClockDomain.REALTIME).setRawTimestamp(ns(seconds))
        .setCollector("test").setSequence(seq).build();
  }

  public static long ns(double seconds) {
    return T0_NS + (long) (seconds * 1e9);
  }

  /** The record as the aligned, joined stream carries it. */
  public static TimedEvent aligned(SpecificRecord record) {
    TimedEvent e = Fixtures.timed(record, 0);
    e.utcNs = e.rawTimestamp;
    e.errorBoundNs = 1000;
    e.timeBasis = TimeBasis.REALTIME;
    return e;
  }
}
