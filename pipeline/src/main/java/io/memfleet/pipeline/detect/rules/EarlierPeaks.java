package io.memfleet.pipeline.detect.rules;

import java.util.Arrays;

/**
 * Where a series stood before its newest fall, for the last {@code within}: the values just
 * before each fall ({@link RunShape#falls}), kept as a sliding-window maximum — a peak is
 * dropped when a higher one comes after it or when it is {@code within} old — so the highest
 * is always the first. {@link RunRuleFunction} keeps one per series; a run starts after every
 * peak it holds (a fall ends every run), so the first peak is the highest the series held
 * before any run still to be judged.
 *
 * <p>Stored as a {@code long[]} of (time in ms, value's bits) pairs, oldest and highest first:
 * a series that grows or stays flat has none, a sawtooth about one per tooth still inside the
 * bound, a series falling at every bucket at most one per bucket of {@code within}.
 *
 * <pre>{@code
 * long[] peaks = EarlierPeaks.add(null, fallMs, valueBeforeFall);
 * peaks = EarlierPeaks.expire(peaks, nowMs, withinMs);
 * double highest = EarlierPeaks.highest(peaks); // NaN when none
 * }</pre>
 */
final class EarlierPeaks {
  private EarlierPeaks() {}

  /** {@code peaks} with the value seen at {@code ms} before a fall added (null: none yet). */
  static long[] add(long[] peaks, long ms, double value) {
    int n = peaks == null ? 0 : peaks.length / 2;
    while (n > 0 && Double.longBitsToDouble(peaks[2 * n - 1]) <= value) {
      n--;
    }
    long[] out = peaks == null ? new long[2] : Arrays.copyOf(peaks, 2 * n + 2);
    out[2 * n] = ms;
    out[2 * n + 1] = Double.doubleToLongBits(value);
    return out;
  }

  /** {@code peaks} without those {@code withinMs} or more before {@code nowMs}; null if none. */
  static long[] expire(long[] peaks, long nowMs, long withinMs) {
    if (peaks == null) {
      return null;
    }
    int from = 0;
    while (from < peaks.length && nowMs - peaks[from] >= withinMs) {
      from += 2;
    }
    if (from == peaks.length) {
      return null;
    }
    return from == 0 ? peaks : Arrays.copyOfRange(peaks, from, peaks.length);
  }

  /** The highest peak held, NaN when none. */
  static double highest(long[] peaks) {
    return peaks == null ? Double.NaN : Double.longBitsToDouble(peaks[1]);
  }
}
