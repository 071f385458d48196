package io.memfleet.pipeline.detect.rules;

import java.io.Serializable;
import java.time.Duration;

/**
 * The runs a rule judges ({@link RunRuleFunction}): consecutive admitted observations of one
 * series, each not below the previous by more than {@code tolerance} (NaN: no such check), that
 * hold at least {@code minPoints} observations over at least {@code minSpanNs} of event time,
 * the first less than {@code within} before the last.
 *
 * <pre>{@code
 * new RunShape(0.05, 6, Duration.ofSeconds(90).toNanos(), Duration.ofMinutes(10))
 * }</pre>
 */
public record RunShape(double tolerance, int minPoints, long minSpanNs, Duration within)
    implements Serializable {
  public RunShape {
    if (minPoints < 2 || minSpanNs < 0 || within.isNegative() || within.isZero()) {
      throw new IllegalArgumentException("a run needs min-points >= 2, min-span >= 0 and a"
          + " positive within bound");
    }
  }

  /** Whether {@code o} breaks a run whose newest observation is {@code previous}. */
  boolean falls(double previous, double value) {
    return !Double.isNaN(tolerance) && value < previous - tolerance * Math.abs(previous);
  }
}
