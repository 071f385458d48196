package io.memfleet.pipeline.decode;

import io.memfleet.event.EventHeader;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.pipeline.model.TimeBasis;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.Events;
import org.apache.avro.specific.SpecificRecord;

/**
 * Copies what the pipeline needs out of a decoded event into a {@link TimedEvent}: coordinates,
 * header, process identity and the memory measures of the join. Time is left to clock alignment.
 */
public final class EventExtractor {
  private EventExtractor() {}

  /**
   * The event as a not-yet-aligned {@link TimedEvent}.
   *
   * @throws IllegalArgumentException when the record has no header (not an event)
   */
  public static TimedEvent extract(RawRecord raw, SpecificRecord record) {
    EventHeader header = Events.header(record);
    if (header == null) {
      throw new IllegalArgumentException(
          "not an event: " + record.getSchema().getFullName() + " has no header");
    }
    TimedEvent e = new TimedEvent();
    e.topic = raw.topic;
    e.partition = raw.partition;
    e.offset = raw.offset;
    e.publishTimeMs = raw.timestampMs;
    e.payload = raw.value;
    e.kind = Events.kind(record);
    e.source = header.getSource();
    e.clockDomain = header.getClockDomain();
    e.rawTimestamp = header.getRawTimestamp();
    e.collector = header.getCollector();
    e.sequence = header.getSequence();
    ProcessIdentity p = header.getProcess();
    e.cluster = p.getCluster();
    e.node = p.getNode();
    e.bootId = p.getBootId();
    e.pid = p.getPid();
    e.processStartTimeMs = p.getProcessStartTimeMs();
    e.comm = p.getComm();
    e.runtime = p.getRuntime();
    e.service = p.getService();
    e.namespace = p.getNamespace();
    e.pod = p.getPod();
    e.container = p.getContainer();
    e.timeBasis = TimeBasis.NONE;
    if (record instanceof ResidentMemory) {
      e.rssBytes = ((ResidentMemory) record).getRssBytes();
    } else if (record instanceof HeapSummary) {
      HeapSummary h = (HeapSummary) record;
      e.heapUsedBytes = h.getUsedBytes();
      e.heapCommittedBytes = h.getCommittedBytes();
      e.heapMaxBytes = h.getMaxBytes();
    } else if (record instanceof ProcessLifecycle) {
      e.processExited = ((ProcessLifecycle) record).getPhase() == LifecyclePhase.EXITED;
    }
    e.cacheRecord(record);
    return e;
  }
}
