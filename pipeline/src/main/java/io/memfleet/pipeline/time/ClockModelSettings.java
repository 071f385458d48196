package io.memfleet.pipeline.time;

import java.io.Serializable;

/**
 * Tuning of {@link ClockModel}; defaults suit collectors that publish a ClockSync about once a
 * second with brackets of a few microseconds.
 *
 * <pre>{@code
 * ClockModelSettings s = ClockModelSettings.builder().fitSamples(8).stepThresholdNs(5_000_000)
 *     .build();
 * }</pre>
 */
public final class ClockModelSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int windowSamples;
  private final int fitSamples;
  private final long stepThresholdNs;
  private final double maxDriftPpm;
  private final double unfittedDriftPpm;
  private final long minDriftSpanNs;

  private ClockModelSettings(Builder b) {
    this.windowSamples = b.windowSamples;
    this.fitSamples = b.fitSamples;
    this.stepThresholdNs = b.stepThresholdNs;
    this.maxDriftPpm = b.maxDriftPpm;
    this.unfittedDriftPpm = b.unfittedDriftPpm;
    this.minDriftSpanNs = b.minDriftSpanNs;
  }

  public static ClockModelSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Most recent samples kept per model. */
  public int windowSamples() {
    return windowSamples;
  }

  /** How many of the window's tightest samples (smallest bracket) the fit uses. */
  public int fitSamples() {
    return fitSamples;
  }

  /** A sample further than this (and than 4× the current bound) from the fit is a clock step. */
  public long stepThresholdNs() {
    return stepThresholdNs;
  }

  /** A fitted drift beyond this is not believed; the nominal rate is used instead. */
  public double maxDriftPpm() {
    return maxDriftPpm;
  }

  /** Drift assumed when it cannot be fitted yet (one sample or too short a span). */
  public double unfittedDriftPpm() {
    return unfittedDriftPpm;
  }

  /** Shortest span of kept samples over which drift is fitted rather than assumed. */
  public long minDriftSpanNs() {
    return minDriftSpanNs;
  }

  /** Validating builder. */
  public static final class Builder {
    private int windowSamples = 64;
    private int fitSamples = 8;
    private long stepThresholdNs = 5_000_000L;
    private double maxDriftPpm = 500.0;
    private double unfittedDriftPpm = 100.0;
    private long minDriftSpanNs = 2_000_000_000L;

    public Builder windowSamples(int v) {
      this.windowSamples = v;
      return this;
    }

    public Builder fitSamples(int v) {
      this.fitSamples = v;
      return this;
    }

    public Builder stepThresholdNs(long v) {
      this.stepThresholdNs = v;
      return this;
    }

    public Builder maxDriftPpm(double v) {
      this.maxDriftPpm = v;
      return this;
    }

    public Builder unfittedDriftPpm(double v) {
      this.unfittedDriftPpm = v;
      return this;
    }

    public Builder minDriftSpanNs(long v) {
      this.minDriftSpanNs = v;
      return this;
    }

    public ClockModelSettings build() {
      if (fitSamples < 1 || windowSamples < fitSamples) {
        throw new IllegalArgumentException(
            "need 1 <= fitSamples <= windowSamples, got " + fitSamples + " / " + windowSamples);
      }
      if (stepThresholdNs <= 0 || maxDriftPpm <= 0 || unfittedDriftPpm < 0 || minDriftSpanNs <= 0) {
        throw new IllegalArgumentException("thresholds must be positive");
      }
      return new ClockModelSettings(this);
    }
  }
}
