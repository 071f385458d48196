package io.memfleet.pipeline.time;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.pipeline.model.TimedEvent;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One decoded {@code ClockSync}: a reading of a clock domain paired with the host's
 * CLOCK_REALTIME and CLOCK_MONOTONIC read around it, and the width of that read bracket.
 * Written by {@link ClockSampleSerializer} (declared with {@code @TypeInfo}); {@link
 * #of(ClockSync)} builds it from the Avro record.
 */
@TypeInfo(ClockSampleSerializer.Factory.class)
public class ClockSample {
  public String cluster;
  public String node;
  /** Boot the MONOTONIC reading belongs to (the ClockSync's own bootId). */
  public String bootId;
  /** Process that published it; scopes per-process domains such as JFR_TICKS. */
  public int pid;
  public long processStartTimeMs;
  public ClockDomain domain;
  /** Reading of {@link #domain} in its native unit. */
  public long domainValue;
  /** Ticks per second for tick domains, null for nanosecond domains. */
  public Long frequencyHz;
  public long realtimeNs;
  public long monotonicNs;
  public long uncertaintyNs;
  public String collector;

  public ClockSample() {}

  public static ClockSample of(ClockSync sync) {
    ProcessIdentity p = sync.getHeader().getProcess();
    ClockSample s = new ClockSample();
    s.cluster = p.getCluster();
    s.node = p.getNode();
    s.bootId = sync.getBootId();
    s.pid = p.getPid();
    s.processStartTimeMs = p.getProcessStartTimeMs();
    s.domain = sync.getHeader().getClockDomain();
    s.domainValue = sync.getDomainValue();
    s.frequencyHz = sync.getDomainFrequencyHz();
    s.realtimeNs = sync.getRealtimeNs();
    s.monotonicNs = sync.getMonotonicNs();
    s.uncertaintyNs = sync.getUncertaintyNs();
    s.collector = sync.getHeader().getCollector();
    return s;
  }

  /** Why this sample cannot be used, or null when it is sound. */
  public String problem() {
    if (uncertaintyNs < 0) {
      return "negative uncertaintyNs " + uncertaintyNs;
    }
    if (frequencyHz != null && frequencyHz <= 0) {
      return "non-positive domainFrequencyHz " + frequencyHz;
    }
    if (ClockDomains.isTickDomain(domain) && frequencyHz == null) {
      return "tick domain " + domain + " without domainFrequencyHz";
    }
    if (bootId == null || bootId.isEmpty()) {
      return "empty bootId";
    }
    return null;
  }

  public String hostKey() {
    return TimedEvent.hostKey(cluster, node, bootId);
  }

  public String processKey() {
    return TimedEvent.processKey(cluster, node, pid, processStartTimeMs);
  }

  @Override
  public String toString() {
    return "ClockSample[" + hostKey() + " " + domain + "=" + domainValue + " rt=" + realtimeNs
        + " mono=" + monotonicNs + " ±" + uncertaintyNs + "]";
  }
}
