package io.memfleet.launcher.explain;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A robust slope: the Theil–Sen estimator (median of the slopes between every pair of points),
 * which a single GC sawtooth peak or a missing reading does not tilt the way least squares would.
 * Above {@link #MAX_POINTS} points the series is thinned evenly first (first and last kept), so a
 * day of minutes costs what 400 points cost.
 *
 * <pre>{@code
 * double perMinute = Trend.perMinute(samples, s -> s.get("metaspace"));  // bytes per minute
 * }</pre>
 */
public final class Trend {
  static final int MAX_POINTS = 400;

  private Trend() {}

  /** Slope of {@code value} over the samples' times in units per minute; NaN below 2 points. */
  public static double perMinute(List<BreakdownSample> samples,
      ToLongFunction<BreakdownSample> value) {
    int n = samples.size();
    int m = Math.min(n, MAX_POINTS);
    double[] x = new double[m];
    double[] y = new double[m];
    for (int i = 0; i < m; i++) {
      BreakdownSample s = samples.get(m == 1 ? 0 : (int) Math.round((double) i * (n - 1) / (m - 1)));
      x[i] = s.epochSecond() / 60.0;
      y[i] = value.applyAsLong(s);
    }
    return theilSen(x, y);
  }

  /** Median of the pairwise slopes (pairs with the same x are skipped); NaN when there is none. */
  static double theilSen(double[] x, double[] y) {
    double[] slopes = new double[x.length * (x.length - 1) / 2];
    int k = 0;
    for (int i = 0; i < x.length; i++) {
      for (int j = i + 1; j < x.length; j++) {
        if (x[j] != x[i]) {
          slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
        }
      }
    }
    if (k == 0) {
      return Double.NaN;
    }
    double[] s = Arrays.copyOf(slopes, k);
    Arrays.sort(s);
    return k % 2 == 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
  }
}
