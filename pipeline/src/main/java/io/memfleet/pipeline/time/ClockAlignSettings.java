package io.memfleet.pipeline.time;

import java.io.Serializable;

/**
 * Settings of {@link ClockAlignFunction}: the clock model, how uncalibrated events are held, how
 * often a model's calibration is reported, and how long an idle host's state is kept.
 *
 * <pre>{@code
 * ClockAlignSettings s = ClockAlignSettings.builder().holdMaxEvents(10_000).holdTimeoutMs(30_000)
 *     .build();
 * }</pre>
 */
public final class ClockAlignSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final ClockModelSettings model;
  private final int holdMaxEvents;
  private final long holdTimeoutMs;
  private final long goStartErrorNs;
  private final long hostIdleTimeoutMs;
  private final long calibrationIntervalMs;

  private ClockAlignSettings(Builder b) {
    this.model = b.model;
    this.holdMaxEvents = b.holdMaxEvents;
    this.holdTimeoutMs = b.holdTimeoutMs;
    this.goStartErrorNs = b.goStartErrorNs;
    this.hostIdleTimeoutMs = b.hostIdleTimeoutMs;
    this.calibrationIntervalMs = b.calibrationIntervalMs;
  }

  public static Builder builder() {
    return new Builder();
  }

  public ClockModelSettings model() {
    return model;
  }

  /** Most events held per host boot while waiting for calibration; the oldest leaves flagged. */
  public int holdMaxEvents() {
    return holdMaxEvents;
  }

  /** Longest an event waits for calibration (processing time) before it leaves flagged. */
  public long holdTimeoutMs() {
    return holdTimeoutMs;
  }

  /** Error bound of Go process-relative times: resolution of the process start time. */
  public long goStartErrorNs() {
    return goStartErrorNs;
  }

  /** A host boot with no event and no sample for this long has its models dropped. */
  public long hostIdleTimeoutMs() {
    return hostIdleTimeoutMs;
  }

  /**
   * Least time (on the host's UTC timeline) between two calibration rows of one model; a first
   * sample, a step or a reboot is reported at once.
   */
  public long calibrationIntervalMs() {
    return calibrationIntervalMs;
  }

  /** Validating builder; defaults as in {@code PipelineOptions}. */
  public static final class Builder {
    private ClockModelSettings model = ClockModelSettings.defaults();
    private int holdMaxEvents = 10_000;
    private long holdTimeoutMs = 30_000;
    private long goStartErrorNs = 10_000_000;
    private long hostIdleTimeoutMs = 3_600_000;
    private long calibrationIntervalMs = 60_000;

    public Builder model(ClockModelSettings v) {
      this.model = v;
      return this;
    }

    public Builder holdMaxEvents(int v) {
      this.holdMaxEvents = v;
      return this;
    }

    public Builder holdTimeoutMs(long v) {
      this.holdTimeoutMs = v;
      return this;
    }

    public Builder goStartErrorNs(long v) {
      this.goStartErrorNs = v;
      return this;
    }

    public Builder hostIdleTimeoutMs(long v) {
      this.hostIdleTimeoutMs = v;
      return this;
    }

    public Builder calibrationIntervalMs(long v) {
      this.calibrationIntervalMs = v;
      return this;
    }

    public ClockAlignSettings build() {
      if (model == null) {
        throw new IllegalArgumentException("model settings missing");
      }
      if (holdMaxEvents < 1 || holdTimeoutMs <= 0 || goStartErrorNs < 0
          || hostIdleTimeoutMs < holdTimeoutMs || calibrationIntervalMs <= 0) {
        throw new IllegalArgumentException(
            "need holdMaxEvents >= 1, holdTimeoutMs > 0, goStartErrorNs >= 0, "
                + "hostIdleTimeoutMs >= holdTimeoutMs and calibrationIntervalMs > 0");
      }
      return new ClockAlignSettings(this);
    }
  }
}
