package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Severity;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.cep.pattern.Pattern;

/**
 * {@code goroutine-leak}: more goroutines than {@code memfleet.detect.goroutines.threshold}
 * (5000) for at least {@code sustain} (2 min) and still growing — goroutines blocked forever,
 * each holding its stack and everything it references.
 *
 * <p>Input: {@link Signal#GOROUTINES} observations (lowest count of a bucket, so a bucket counts
 * as above the threshold only if every sample in it was). The run must stay above the threshold
 * without falling beyond the rise tolerance, cover the sustain time within {@code within}
 * (10 min), and its Theil–Sen growth over the run must be at least {@code min-growth} (100)
 * with the last count above the first. A burst
 * that drains, or a large pool that is stable, does not fire.
 */
public final class GoroutineLeakRule extends LeakRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "goroutine-leak";

  private final long threshold;
  private final long sustainNs;
  private final Duration within;
  private final double tolerance;
  private final long minGrowth;

  public GoroutineLeakRule(long threshold, Duration sustain, Duration within, double tolerance,
      long minGrowth) {
    if (threshold < 0 || sustain.isNegative() || sustain.isZero()
        || within.compareTo(sustain) <= 0) {
      throw new IllegalArgumentException("goroutine rule: threshold >= 0, sustain > 0 and "
          + "within > sustain required");
    }
    this.threshold = threshold;
    this.sustainNs = sustain.toNanos();
    this.within = within;
    this.tolerance = tolerance;
    this.minGrowth = minGrowth;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.GOROUTINES;
  }

  @Override
  public boolean admits(Observation o) {
    return o.value > threshold;
  }

  @Override
  public Pattern<Observation, ?> pattern() {
    return RunPattern.of(this, tolerance, 2, sustainNs, within);
  }

  @Override
  public Finding assess(List<Observation> run) {
    Trend trend = Trend.of(run);
    if (trend.growth < Math.max(minGrowth, 1) || trend.last.value <= trend.first.value) {
      return null;
    }
    return new Finding(Severity.WARNING, null, null, String.format(Locale.ROOT,
        "%.0f goroutines, above %d for %.0f s and growing %.2f/s", trend.last.value, threshold,
        trend.spanNs / 1e9, trend.perSecond()));
  }

  @Override
  public String evidenceKind(Observation o) {
    return "ThreadCount.goroutines(min)";
  }

  @Override
  public String evidenceUnit() {
    return "count";
  }
}
