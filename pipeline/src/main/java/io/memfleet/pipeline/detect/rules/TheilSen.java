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

  /**
   * The median of {@code xs} (reordered in place): the middle element, or the mean of the two
   * middle ones, found by selection in linear expected time rather than by sorting — a fit takes
   * the median of up to ~2000 slopes, for every observation of the series the forecasts read.
   */
  static double median(double[] xs) {
    int n = xs.length;
    for (double x : xs) {
      if (Double.isNaN(x)) { // selection needs a total order on plain comparisons
        Arrays.sort(xs);
        int m = n / 2;
        return n % 2 == 1 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
      }
    }
    int m = n / 2;
    double upper = select(xs, m);
    if (n % 2 == 1) {
      return upper;
    }
    double lower = xs[0]; // after select, xs[0..m) hold the m smallest: the largest of them
    for (int i = 1; i < m; i++) {
      lower = Math.max(lower, xs[i]);
    }
    return (lower + upper) / 2;
  }

  /** Puts the {@code k}-th smallest of {@code xs} at {@code k}, smaller ones before it. */
  private static double select(double[] xs, int k) {
    int lo = 0;
    int hi = xs.length - 1;
    while (lo < hi) {
      double pivot = medianOfThree(xs[lo], xs[(lo + hi) >>> 1], xs[hi]);
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (xs[i] < pivot) {
          i++;
        }
        while (xs[j] > pivot) {
          j--;
        }
        if (i <= j) {
          double tmp = xs[i];
          xs[i] = xs[j];
          xs[j] = tmp;
          i++;
          j--;
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return xs[k];
      }
    }
    return xs[k];
  }

  private static double medianOfThree(double a, double b, double c) {
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
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
