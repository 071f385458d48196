package io.memfleet.pipeline.time;

import io.memfleet.pipeline.model.TimedEvent;

/** An event waiting for its host's calibration, with when (processing time) it started waiting. */
public class HeldEvent {
  public TimedEvent event;
  public long heldAtMs;

  public HeldEvent() {}

  public HeldEvent(TimedEvent event, long heldAtMs) {
    this.event = event;
    this.heldAtMs = heldAtMs;
  }
}
