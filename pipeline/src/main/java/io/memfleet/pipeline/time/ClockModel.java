package io.memfleet.pipeline.time;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Converts one clock domain of one host boot to UTC nanoseconds, fitted from ClockSync samples.
 *
 * <p>Like NTP's clock filter it trusts the samples whose read bracket was tightest: of the last
 * {@code windowSamples} samples it fits a least-squares line (offset and drift) through the
 * {@code fitSamples} tightest. While those span too little time to show drift, it assumes the
 * nominal rate and widens the bound by {@code unfittedDriftPpm}. The error bound of a conversion
 * is the fit's largest residual plus half the widest kept bracket, growing with the distance to
 * the fitted samples when extrapolating.
 *
 * <p>A sample far off the fit (beyond the step threshold and four times the current bound, with a
 * bracket too tight to explain it) is a clock step (settimeofday, an NTP step): the window is
 * restarted from that sample and the old fit is kept for raw values before it. A new boot id
 * resets everything, because raw MONOTONIC values of another boot mean nothing here.
 *
 * <pre>{@code
 * ClockModel m = new ClockModel(ClockModelSettings.defaults());
 * m.add(bootId, monotonicNs, 1.0, realtimeNs, bracketNs);
 * ClockModel.Conversion c = m.toUtc(eventMonotonicNs);   // null until the first sample
 * long utc = c.utcNs(); long bound = c.errorBoundNs();
 * }</pre>
 *
 * <p>Not thread-safe; it wraps a {@link ClockModelState} that the caller stores as keyed state.
 */
public final class ClockModel {

  /** What a sample did to the model. */
  public enum Update {
    FIRST, ADDED, STEP, REBOOT, REJECTED
  }

  /** A converted time and its error bound (both nanoseconds). */
  public record Conversion(long utcNs, long errorBoundNs) {}

  private final ClockModelSettings settings;
  private final ClockModelState s;

  public ClockModel(ClockModelSettings settings) {
    this(settings, new ClockModelState());
  }

  /** Wraps existing state (e.g. read from Flink keyed state); changes are made in place. */
  public ClockModel(ClockModelSettings settings, ClockModelState state) {
    this.settings = settings;
    this.s = state;
  }

  public ClockModelState state() {
    return s;
  }

  public boolean calibrated() {
    return s.current != null;
  }

  /** The current fit, null before the first sample. */
  public ClockFit currentFit() {
    return s.current;
  }

  public int steps() {
    return s.steps;
  }

  public int reboots() {
    return s.reboots;
  }

  /**
   * Adds one sample.
   *
   * @param bootId the boot the reading belongs to
   * @param raw the domain reading
   * @param nominalNsPerUnit 1 for nanosecond domains, 1e9/Hz for tick domains
   * @param realtimeNs CLOCK_REALTIME at the reading
   * @param uncertaintyNs width of the read bracket
   */
  public Update add(
      String bootId, long raw, double nominalNsPerUnit, long realtimeNs, long uncertaintyNs) {
    if (uncertaintyNs < 0 || !(nominalNsPerUnit > 0)) {
      return Update.REJECTED;
    }
    Update result = Update.ADDED;
    if (s.bootId == null) {
      result = Update.FIRST;
    } else if (!s.bootId.equals(bootId)) {
      reset();
      s.reboots++;
      result = Update.REBOOT;
    } else if (s.nominalNsPerUnit != nominalNsPerUnit) {
      // a new tick frequency is a new clock: the old raw values are in other units
      restartSegment(raw, 0);
      result = Update.STEP;
    } else if (s.current != null) {
      if (raw < s.segmentStartX) {
        return Update.REJECTED; // a late sample from before the last step
      }
      long predicted = s.current.utcNs(raw);
      long residual = Math.abs(realtimeNs - predicted);
      long tolerance =
          Math.max(settings.stepThresholdNs(), 4 * s.current.errorBoundNs(raw)) + uncertaintyNs / 2;
      if (residual > tolerance) {
        restartSegment(raw, residual);
        s.steps++;
        result = Update.STEP;
      }
    }
    s.bootId = bootId;
    s.nominalNsPerUnit = nominalNsPerUnit;
    append(raw, realtimeNs, uncertaintyNs);
    s.current = fit();
    return result;
  }

  /** UTC of a raw reading with its error bound, or null when the model has no sample yet. */
  public Conversion toUtc(long raw) {
    if (s.current == null) {
      return null;
    }
    if (s.previous != null && raw < s.segmentStartX) {
      long bound = s.previous.errorBoundNs(raw);
      if (raw > s.previous.maxX) {
        // between the last sample before the step and the first after it: either side may apply
        bound += s.lastStepNs;
      }
      return new Conversion(s.previous.utcNs(raw), bound);
    }
    return new Conversion(s.current.utcNs(raw), s.current.errorBoundNs(raw));
  }

  private void reset() {
    s.x = new long[0];
    s.y = new long[0];
    s.u = new long[0];
    s.current = null;
    s.previous = null;
    s.segmentStartX = Long.MIN_VALUE;
    s.lastStepNs = 0;
  }

  private void restartSegment(long raw, long stepNs) {
    s.previous = s.current;
    s.segmentStartX = raw;
    s.lastStepNs = stepNs;
    s.x = new long[0];
    s.y = new long[0];
    s.u = new long[0];
    s.current = null;
  }

  private void append(long raw, long realtimeNs, long uncertaintyNs) {
    int n = s.x.length;
    int keep = Math.min(n, settings.windowSamples() - 1);
    long[] x = new long[keep + 1];
    long[] y = new long[keep + 1];
    long[] u = new long[keep + 1];
    System.arraycopy(s.x, n - keep, x, 0, keep);
    System.arraycopy(s.y, n - keep, y, 0, keep);
    System.arraycopy(s.u, n - keep, u, 0, keep);
    x[keep] = raw;
    y[keep] = realtimeNs;
    u[keep] = uncertaintyNs;
    s.x = x;
    s.y = y;
    s.u = u;
  }

  private ClockFit fit() {
    int n = s.x.length;
    int k = Math.min(n, settings.fitSamples());
    // tightest brackets first; among equals the most recent, so the window keeps moving
    int[] idx = IntStream.range(0, n).boxed()
        .sorted(Comparator.<Integer>comparingLong(i -> s.u[i]).thenComparing(i -> -i))
        .limit(k).mapToInt(Integer::intValue).toArray();
    Arrays.sort(idx);
    long refX = s.x[idx[idx.length - 1]];
    long refY = s.y[idx[idx.length - 1]];
    long minX = Long.MAX_VALUE;
    long maxX = Long.MIN_VALUE;
    long widest = 0;
    double[] dx = new double[k];
    double[] dy = new double[k];
    for (int j = 0; j < k; j++) {
      int i = idx[j];
      minX = Math.min(minX, s.x[i]);
      maxX = Math.max(maxX, s.x[i]);
      widest = Math.max(widest, s.u[i]);
      dx[j] = (double) (s.x[i] - refX);
      dy[j] = (double) (s.y[i] - refY);
    }
    double nominal = s.nominalNsPerUnit;
    double spanNs = (double) (maxX - minX) * nominal;
    double slope = nominal;
    boolean driftFitted = false;
    double meanX = mean(dx);
    double meanY = mean(dy);
    if (k >= 2 && spanNs >= settings.minDriftSpanNs()) {
      double sxx = 0;
      double sxy = 0;
      for (int j = 0; j < k; j++) {
        sxx += (dx[j] - meanX) * (dx[j] - meanX);
        sxy += (dx[j] - meanX) * (dy[j] - meanY);
      }
      double fitted = sxy / sxx;
      if (Math.abs(fitted / nominal - 1.0) * 1e6 <= settings.maxDriftPpm()) {
        slope = fitted;
        driftFitted = true;
      }
    }
    // the line goes through the samples' centroid (least squares, or offset-only at nominal rate)
    double intercept = meanY - slope * meanX;
    double maxResidual = 0;
    for (int j = 0; j < k; j++) {
      maxResidual = Math.max(maxResidual, Math.abs(dy[j] - (intercept + slope * dx[j])));
    }
    ClockFit f = new ClockFit();
    f.refX = refX;
    f.refY = refY + Math.round(intercept);
    f.nsPerUnit = slope;
    f.errorNs = (long) Math.ceil(maxResidual) + (widest + 1) / 2;
    f.minX = minX;
    f.maxX = maxX;
    f.samples = k;
    f.driftUncertainty =
        driftFitted
            ? Math.max(1e-6, 2.0 * f.errorNs / spanNs)
            : settings.unfittedDriftPpm() * 1e-6;
    return f;
  }

  private static double mean(double[] v) {
    double sum = 0;
    for (double d : v) {
      sum += d;
    }
    return v.length == 0 ? 0 : sum / v.length;
  }
}
