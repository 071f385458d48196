package io.memfleet.pipeline.model;

/**
 * How an event's UTC time was obtained. Only the first three are calibrated; the others mark an
 * event whose time is the Kafka publish time because no calibration was available, so that no
 * event is ever silently misdated.
 */
public enum TimeBasis {
  /** Not converted yet (between decode and clock alignment). */
  NONE(false),
  /** The raw timestamp was already host CLOCK_REALTIME nanoseconds. */
  REALTIME(true),
  /** Go's process-relative time anchored on the process start time. */
  PROCESS_START(true),
  /** Converted by the host's fitted clock model for the event's clock domain. */
  CLOCK_MODEL(true),
  /** Held for calibration longer than the hold timeout; time is the Kafka publish time. */
  UNCALIBRATED_HOLD_TIMEOUT(false),
  /** Pushed out of a full hold buffer; time is the Kafka publish time. */
  UNCALIBRATED_HOLD_OVERFLOW(false),
  /** The clock domain is UNKNOWN, so it can never be calibrated; time is the publish time. */
  UNCALIBRATED_UNKNOWN_DOMAIN(false);

  private final boolean calibrated;

  TimeBasis(boolean calibrated) {
    this.calibrated = calibrated;
  }

  public boolean calibrated() {
    return calibrated;
  }
}
