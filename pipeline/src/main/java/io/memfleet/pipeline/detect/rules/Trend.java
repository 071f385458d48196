package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import java.util.List;
import java.util.Locale;

/** The robust trend of a run of observations and the numbers rules report about it. */
public final class Trend {
  public final TheilSen fit;
  public final Observation first;
  public final Observation last;
  public final long spanNs;
  /** Fitted growth over the span, in the values' unit. */
  public final double growth;

  private Trend(List<Observation> run) {
    long[] t = new long[run.size()];
    double[] v = new double[run.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = run.get(i).utcNs;
      v[i] = run.get(i).value;
    }
    this.fit = TheilSen.fit(t, v);
    this.first = run.get(0);
    this.last = run.get(run.size() - 1);
    this.spanNs = last.utcNs - first.utcNs;
    this.growth = fit.slopePerSecond() * spanNs / 1e9;
  }

  public static Trend of(List<Observation> run) {
    return new Trend(run);
  }

  /**
   * Whether the growth lasts to the end of the run: the slope over its last third (by time, at
   * least the last two points) is at least {@code share} of the slope over the whole run. A
   * warm-up that levels off — loading reference data, a cache filling to its bound, a thread
   * pool reaching its size — fails; a leak, which does not level off, passes.
   */
  public static boolean persists(List<Observation> run, Trend whole, double share) {
    int n = run.size();
    long from = whole.first.utcNs + 2 * whole.spanNs / 3;
    int start = n - 2;
    while (start > 0 && run.get(start - 1).utcNs >= from) {
      start--;
    }
    Trend tail = Trend.of(run.subList(start, n));
    return tail.perSecond() > 0 && tail.perSecond() >= share * whole.perSecond();
  }

  public double perSecond() {
    return fit.slopePerSecond();
  }

  /** Whether the growth reaches both thresholds (relative to the first value's magnitude). */
  public boolean grew(double minFraction, double minAbsolute) {
    return growth > 0 && growth >= minAbsolute && growth >= minFraction * Math.abs(first.value);
  }

  public static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1 << 20));
  }

  public static String rate(double bytesPerSecond) {
    return Math.abs(bytesPerSecond) >= (1 << 20)
        ? String.format(Locale.ROOT, "%.1f MiB/s", bytesPerSecond / (1 << 20))
        : String.format(Locale.ROOT, "%.1f KiB/s", bytesPerSecond / 1024);
  }

  static String seconds(long ns) {
    return String.format(Locale.ROOT, "%.0f s", ns / 1e9);
  }
}
