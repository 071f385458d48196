package io.memfleet.pipeline.detect.rules;

import java.io.Serializable;
import java.time.Duration;

/**
 * Thresholds of a growth rule: a run of at least {@link #minPoints} buckets covering
 * {@link #minSpan}, each not more than {@link #riseTolerance} below the previous, completed
 * {@link #within} its bound, whose Theil–Sen growth over the run is at least
 * {@link #minGrowthFraction} of the first value and at least {@link #minGrowthBytes}.
 *
 * <pre>{@code
 * GrowthSettings s = GrowthSettings.builder().minPoints(6).minSpan(Duration.ofSeconds(60))
 *     .within(Duration.ofMinutes(10)).minGrowthFraction(0.1).minGrowthBytes(8 << 20).build();
 * }</pre>
 */
public final class GrowthSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  public final int minPoints;
  public final long minSpanNs;
  public final Duration within;
  public final double minGrowthFraction;
  public final long minGrowthBytes;
  public final double riseTolerance;
  /** A run beginning this soon after its process started grows "from the start". */
  public final long fromStartWindowNs;

  private GrowthSettings(Builder b) {
    this.minPoints = b.minPoints;
    this.minSpanNs = b.minSpan.toNanos();
    this.within = b.within;
    this.minGrowthFraction = b.minGrowthFraction;
    this.minGrowthBytes = b.minGrowthBytes;
    this.riseTolerance = b.riseTolerance;
    this.fromStartWindowNs = b.fromStartWindow.toNanos();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Validating builder; defaults are those of the live-set rule. */
  public static final class Builder {
    private int minPoints = 6;
    private Duration minSpan = Duration.ofSeconds(60);
    private Duration within = Duration.ofMinutes(10);
    private double minGrowthFraction = 0.10;
    private long minGrowthBytes = 8L << 20;
    private double riseTolerance = 0.02;
    private Duration fromStartWindow = Duration.ofMinutes(2);

    public Builder minPoints(int v) {
      this.minPoints = v;
      return this;
    }

    public Builder minSpan(Duration v) {
      this.minSpan = v;
      return this;
    }

    public Builder within(Duration v) {
      this.within = v;
      return this;
    }

    public Builder minGrowthFraction(double v) {
      this.minGrowthFraction = v;
      return this;
    }

    public Builder minGrowthBytes(long v) {
      this.minGrowthBytes = v;
      return this;
    }

    public Builder riseTolerance(double v) {
      this.riseTolerance = v;
      return this;
    }

    /** Runs beginning within {@code window} of the process start must go on past it. */
    public Builder fromStart(Duration window) {
      this.fromStartWindow = window;
      return this;
    }

    public GrowthSettings build() {
      if (minPoints < 2) {
        throw new IllegalArgumentException("min-points must be at least 2: " + minPoints);
      }
      if (minSpan == null || minSpan.isNegative() || within == null || within.isNegative()
          || within.isZero()) {
        throw new IllegalArgumentException("min-span and within must be positive");
      }
      if (within.compareTo(minSpan) <= 0) {
        throw new IllegalArgumentException("within (" + within + ") must exceed min-span ("
            + minSpan + "), or no run can complete");
      }
      if (fromStartWindow == null || fromStartWindow.isNegative()) {
        throw new IllegalArgumentException("the from-start window must be >= 0");
      }
      if (minGrowthFraction < 0 || minGrowthBytes < 0 || riseTolerance < 0
          || riseTolerance >= 1) {
        throw new IllegalArgumentException("growth thresholds must be >= 0 and the rise "
            + "tolerance in [0, 1)");
      }
      return new GrowthSettings(this);
    }
  }
}
