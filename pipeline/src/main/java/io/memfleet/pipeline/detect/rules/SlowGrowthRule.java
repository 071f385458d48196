package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Severity;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * {@code slow-leak}: growth too slow for the minute-scale rules — a few percent of the limit per
 * hour — seen over hours of one series.
 *
 * <p>Each series (the JVM heap after GC, the Go live heap, or the resident set of a process
 * without a managed heap) is kept as one point per {@code resolution} (5 min: the floor of the
 * observations in it, so GC sawtooth and bursts do not count) for {@code window} (6 h). The
 * history is judged each time a point is added. It fires when the history covers at least
 * {@code min-span} (1 h) and
 *
 * <ul>
 *   <li>the Theil–Sen growth over the history is at least {@code min-growth-fraction} (5%) of
 *       the first point and {@code min-growth-bytes} (8 MiB), and, where a limit is known, at
 *       least {@code min-rate-of-limit} (1%) of it per hour;
 *   <li>the points rise steadily: at least {@code min-rising-share} (70%) of the pairs of points
 *       are in increasing order (a sawtooth or a daily cycle is about half);
 *   <li>the growth lasts to the end: the last third of the history grows at least a third of
 *       the overall rate (a cache that filled and stays flat, a warm-up plateau, fail).
 * </ul>
 *
 * <p>Forecasts the limit where known; CRITICAL within the critical horizon, else WARNING.
 */
public final class SlowGrowthRule extends LeakRule implements TrailingRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "slow-leak";

  private final Signal signal;
  private final String words;
  private final SerializablePredicate admit;
  private final Duration window;
  private final Duration resolution;
  private final long minSpanNs;
  private final double minGrowthFraction;
  private final long minGrowthBytes;
  private final double minRateOfLimit;
  private final double minRisingShare;
  private final long criticalHorizonNs;

  /** Which observations of the signal the rule watches (e.g. processes without a managed heap). */
  public interface SerializablePredicate extends Predicate<Observation>, java.io.Serializable {}

  public SlowGrowthRule(Signal signal, String words, SerializablePredicate admit, Duration window,
      Duration resolution, Duration minSpan, double minGrowthFraction, long minGrowthBytes,
      double minRateOfLimit, double minRisingShare, Duration criticalHorizon) {
    if (minSpan.compareTo(window) > 0 || resolution.isNegative() || resolution.isZero()) {
      throw new IllegalArgumentException("slow-leak: min-span must fit in the window and the "
          + "resolution be positive");
    }
    this.signal = signal;
    this.words = words;
    this.admit = admit;
    this.window = window;
    this.resolution = resolution;
    this.minSpanNs = minSpan.toNanos();
    this.minGrowthFraction = minGrowthFraction;
    this.minGrowthBytes = minGrowthBytes;
    this.minRateOfLimit = minRateOfLimit;
    this.minRisingShare = minRisingShare;
    this.criticalHorizonNs = criticalHorizon.toNanos();
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Operator id suffix: one operator per watched signal. */
  public String id() {
    return NAME + "-" + signal.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public Signal signal() {
    return signal;
  }

  @Override
  public boolean admits(Observation o) {
    return admit.test(o);
  }

  @Override
  public Duration window() {
    return window;
  }

  @Override
  public Duration resolution() {
    return resolution;
  }

  @Override
  public Duration reportEvery() {
    return Duration.ofMinutes(15);
  }

  @Override
  public Finding assess(List<Observation> history) {
    if (history.size() < 4) {
      return null;
    }
    Trend trend = Trend.of(history);
    if (trend.spanNs < minSpanNs || !trend.grew(minGrowthFraction, minGrowthBytes)) {
      return null;
    }
    double limit = trend.last.companion;
    boolean limited = !Double.isNaN(limit) && limit > 0;
    if (limited && trend.perSecond() * 3600 < minRateOfLimit * limit) {
      return null;
    }
    if (risingShare(history) < minRisingShare || !Trend.persists(history, trend, 1.0 / 3)) {
      return null;
    }
    Double ttoom = limited ? trend.fit.secondsUntil(limit, trend.last.value) : null;
    Severity severity = ttoom != null && ttoom * 1e9 <= criticalHorizonNs ? Severity.CRITICAL
        : Severity.WARNING;
    double perHour = trend.perSecond() * 3600;
    String ofLimit = limited ? String.format(Locale.ROOT, " (%.1f%% of its %s limit per hour)",
        100 * perHour / limit, Trend.mib(limit)) : "";
    String forecast = ttoom == null ? "" : String.format(Locale.ROOT, "; limit in %.1f h",
        ttoom / 3600);
    return new Finding(severity, trend.perSecond(), ttoom, String.format(Locale.ROOT,
        "%s grew %s in %.1f h, %s/h%s, steadily%s", words, Trend.mib(trend.growth),
        trend.spanNs / 3.6e12, Trend.mib(perHour), ofLimit, forecast),
        String.format(Locale.ROOT, "%s grows slowly: %s/h%s", words, Trend.mib(perHour),
            ofLimit));
  }

  /** Share of point pairs (i < j) with value[i] < value[j]: 1 rising, ~0.5 flat or cyclic. */
  static double risingShare(List<Observation> points) {
    long rising = 0;
    long pairs = 0;
    for (int i = 0; i < points.size(); i++) {
      for (int j = i + 1; j < points.size(); j++) {
        double d = points.get(j).value - points.get(i).value;
        if (d != 0) {
          pairs++;
          if (d > 0) {
            rising++;
          }
        }
      }
    }
    return pairs == 0 ? 0 : (double) rising / pairs;
  }

  @Override
  public String evidenceKind(Observation o) {
    return signal.name() + "(floor per " + resolution.toMinutes() + " min)";
  }

}
