package io.memfleet.pipeline.detect.rules;

import java.util.Arrays;

/**
 * Robust linear trend: the Theil–Sen slope (median of the slopes of all point pairs) and the
 * median intercept. Up to 29% of the points can be arbitrary outliers (a GC spike, a burst)
 * without moving the slope, which is why growth rates and time-to-OOM forecasts use it instead
 * of least squares.
 *
 * <pre>{@code
 * TheilSen fit = TheilSen.fit(timesNs, bytes);
 * double bytesPerSecond = fit.slopePerSecond();
 * double bytesAtT = fit.valueAt(tNs);
 * }</pre>
 */
public final class TheilSen {
  /** Points beyond this are thinned evenly, so a fit costs at most ~2000 pairs. */
  static final int MAX_POINTS = 64;

  private final double slopePerNs;
  private final double intercept;
  private final long originNs;

  private TheilSen(double slopePerNs, double intercept, long originNs) {
    this.slopePerNs = slopePerNs;
    this.intercept = intercept;
    this.originNs = originNs;
  }

  /**
   * Fits {@code values} over {@code timesNs} (same length, at least 2, times ascending).
   *
   * @throws IllegalArgumentException with fewer than 2 points or mismatched arrays
   */
  public static TheilSen fit(long[] timesNs, double[] values) {
    if (timesNs.length != values.length || timesNs.length < 2) {
      throw new IllegalArgumentException("need at least 2 points of time and value");
    }
    int n = Math.min(timesNs.length, MAX_POINTS);
    long[] t = new long[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      int src = n == timesNs.length ? i : (int) Math.round(i * (timesNs.length - 1.0) / (n - 1));
      t[i] = timesNs[src];
      v[i] = values[src];
    }
    long origin = t[0];
    double[] slopes = new double[n * (n - 1) / 2];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        if (t[j] != t[i]) {
          slopes[k++] = (v[j] - v[i]) / (double) (t[j] - t[i]);
        }
      }
    }
    double slope = k == 0 ? 0 : median(Arrays.copyOf(slopes, k));
    double[] intercepts = new double[n];
    for (int i = 0; i < n; i++) {
      intercepts[i] = v[i] - slope * (t[i] - origin);
    }
    return new TheilSen(slope, median(intercepts), origin);
  }

  static double median(double[] xs) {
    Arrays.sort(xs);
    int m = xs.length / 2;
    return xs.length % 2 == 1 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
  }

  /** Growth per second in the values' unit. */
  public double slopePerSecond() {
    return slopePerNs * 1e9;
  }

  /** The fitted value at {@code tNs}. */
  public double valueAt(long tNs) {
    return intercept + slopePerNs * (tNs - originNs);
  }

  /**
   * Seconds until {@code current} reaches {@code limit} at the fitted rate: {@code (limit −
   * current) / slope}; null when the fit does not grow, zero when already at the limit.
   */
  public Double secondsUntil(double limit, double current) {
    if (slopePerNs <= 0) {
      return null;
    }
    double remaining = limit - current;
    return remaining <= 0 ? 0.0 : remaining / slopePerSecond();
  }
}
