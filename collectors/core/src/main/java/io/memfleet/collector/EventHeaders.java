package io.memfleet.collector;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the header of every event one collector instance publishes, numbering them.
 *
 * <pre>{@code
 * EventHeaders headers = new EventHeaders("jfr-agent/host-1/4242");
 * EventHeader h = headers.next(process, Source.JFR, ClockDomain.REALTIME, epochNanos);
 * }</pre>
 *
 * <p>Sequence numbers start at 1 and are strictly increasing across all threads, so a consumer
 * sees gaps (lost events) and repeats (replays) per collector id. They restart with a new
 * instance, so the collector id must name the instance (e.g. include the collector's own pid).
 */
public final class EventHeaders {
  private final String collectorId;
  private final AtomicLong sequence = new AtomicLong();

  public EventHeaders(String collectorId) {
    this.collectorId = Objects.requireNonNull(collectorId, "collectorId");
  }

  public String collectorId() {
    return collectorId;
  }

  /** The next header; thread-safe. */
  public EventHeader next(ProcessIdentity process, Source source, ClockDomain domain,
      long rawTimestamp) {
    return EventHeader.newBuilder()
        .setProcess(process)
        .setSource(source)
        .setClockDomain(domain)
        .setRawTimestamp(rawTimestamp)
        .setCollector(collectorId)
        .setSequence(sequence.incrementAndGet())
        .build();
  }

  /** The last sequence number handed out (0 before the first). */
  public long lastSequence() {
    return sequence.get();
  }
}
