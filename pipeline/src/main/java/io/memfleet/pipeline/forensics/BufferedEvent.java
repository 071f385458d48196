package io.memfleet.pipeline.forensics;

import io.memfleet.event.Source;
import io.memfleet.pipeline.model.TimedEvent;

/**
 * One event held in a process's forensic buffer: its place on the timeline, what it is, and its
 * original encoded bytes. A Flink POJO (state of {@link OomForensicsFunction}).
 */
public class BufferedEvent {
  public long utcNs;
  public long errorBoundNs;
  public String kind;
  public Source source;
  public long processStartTimeMs;
  /** Arrival order within the process, to keep ties stable. */
  public long arrival;
  /**
   * The encoded event; without its process identity when {@link #identityId} is set (the ring
   * keeps each identity once: {@link IdentitySplit}).
   */
  public byte[] payload;
  /** Id of the identity cut out of {@link #payload} in the ring's identities; 0 when whole. */
  public long identityId;

  public BufferedEvent() {}

  static BufferedEvent of(TimedEvent e, long arrival) {
    BufferedEvent b = new BufferedEvent();
    b.utcNs = e.utcNs;
    b.errorBoundNs = e.errorBoundNs;
    b.kind = e.kind;
    b.source = e.source;
    b.processStartTimeMs = e.processStartTimeMs;
    b.arrival = arrival;
    b.payload = e.payload;
    return b;
  }
}
