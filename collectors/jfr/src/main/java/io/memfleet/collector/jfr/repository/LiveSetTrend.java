package io.memfleet.collector.jfr.repository;

import java.util.Arrays;

/**
 * Whether a JVM's live set grows, from its heap after each collection: the lowest heap-after-GC
 * of each {@value #WINDOW_SECONDS}-second window of event time is the window's floor (a young
 * collection leaves garbage behind, the floor is the nearest the collector sees to the live
 * set). {@link #growing()} once the floors of {@value #RISING_WINDOWS} windows in a row rose
 * each time, by at least {@code max(}{@value #MIN_RISE_PERCENT} % of the maximum heap,
 * {@value #MIN_RISE_MIB} MiB{@code )} in all; it stays so until {@value #CALM_WINDOWS} windows
 * in a row rose less than that in all (a warm-up or a cache that filled, then stays flat). A
 * heap that fills fast for its size turns it on sooner: the floors of {@value #RISING_WINDOWS}
 * {@value #SLOT_SECONDS}-second slots in a row rose each time, by {@value #FAST_RISE_PERCENT} %
 * of the maximum heap in all — a JVM that fills its heap within a minute is dead before three
 * 30-s windows have closed, and its old-object samples need stacks, and age, before that.
 *
 * <p>The collector turns on stack traces for old-object samples while a JVM's live set grows
 * (they cost a stack walk per TLAB refill): what leaks is then sampled with the stack that
 * allocates it, and a JVM whose heap is flat pays nothing for it.
 *
 * <pre>{@code
 * LiveSetTrend trend = new LiveSetTrend();
 * trend.afterGc(epochNanos, usedBytes, maxBytes);   // each AFTER_GC heap summary
 * if (trend.growing()) { ... }
 * }</pre>
 *
 * <p>Not thread-safe: the reader's stream thread feeds it, others read {@link #growing()}
 * through the reader (a volatile copy).
 */
final class LiveSetTrend {
  static final int WINDOW_SECONDS = 30;
  static final int RISING_WINDOWS = 3;
  static final int CALM_WINDOWS = 4;
  static final double MIN_RISE_PERCENT = 1.0;
  static final long MIN_RISE_MIB = 4;
  static final int SLOT_SECONDS = 10;
  static final double FAST_RISE_PERCENT = 10.0;

  private final Floors windows = new Floors(WINDOW_SECONDS, CALM_WINDOWS + 1);
  private final Floors slots = new Floors(SLOT_SECONDS, RISING_WINDOWS + 1);
  private long maxBytes;
  private boolean growing;

  /** One heap summary after a collection. */
  void afterGc(long epochNanos, long usedBytes, long maxBytes) {
    this.maxBytes = Math.max(this.maxBytes, maxBytes);
    if (windows.add(epochNanos, usedBytes)) {
      long threshold = Math.max(Math.round(this.maxBytes * MIN_RISE_PERCENT / 100),
          MIN_RISE_MIB * 1024 * 1024);
      if (!growing) {
        growing = windows.rising(RISING_WINDOWS, threshold);
      } else if (windows.closed() >= CALM_WINDOWS + 1
          && !windows.grew(CALM_WINDOWS, threshold)) {
        growing = false;
      }
    }
    if (slots.add(epochNanos, usedBytes) && !growing) {
      growing = slots.rising(RISING_WINDOWS, Math.round(this.maxBytes * FAST_RISE_PERCENT / 100));
    }
  }

  boolean growing() {
    return growing;
  }

  /** The floors (lowest heap-after-GC) of the last closed windows of one length. */
  private static final class Floors {
    private final long lengthNs;
    /** Newest last; MAX_VALUE where a window saw no collection. */
    private final long[] floors;
    private long window = Long.MIN_VALUE;
    private long floor = Long.MAX_VALUE;
    private int closed;

    Floors(int seconds, int keep) {
      lengthNs = seconds * 1_000_000_000L;
      floors = new long[keep];
      Arrays.fill(floors, Long.MAX_VALUE);
    }

    /** Adds a reading; true when it closed a window (an out-of-order one is ignored). */
    boolean add(long epochNanos, long usedBytes) {
      long w = Math.floorDiv(epochNanos, lengthNs);
      if (w < window) {
        return false; // its window is closed
      }
      boolean closedOne = false;
      if (w > window) {
        if (window != Long.MIN_VALUE) {
          for (long i = 0; i < Math.min(w - window - 1, floors.length); i++) {
            push(Long.MAX_VALUE); // no collection for a whole window: nothing to say
          }
          push(floor);
          closedOne = true;
        }
        window = w;
        floor = Long.MAX_VALUE;
      }
      floor = Math.min(floor, usedBytes);
      return closedOne;
    }

    int closed() {
      return closed;
    }

    /** The last {@code n} floors each above the one before, and by {@code threshold} in all. */
    boolean rising(int n, long threshold) {
      if (closed < n + 1) {
        return false;
      }
      int last = floors.length - 1;
      for (int i = last - n + 1; i <= last; i++) {
        if (floors[i] == Long.MAX_VALUE || floors[i - 1] == Long.MAX_VALUE
            || floors[i] <= floors[i - 1]) {
          return false;
        }
      }
      return floors[last] - floors[last - n] >= threshold;
    }

    /** The newest floor at least {@code threshold} above the one {@code n} windows earlier. */
    boolean grew(int n, long threshold) {
      int last = floors.length - 1;
      if (floors[last] == Long.MAX_VALUE || floors[last - n] == Long.MAX_VALUE) {
        return true; // a window without collections says nothing: keep what we know
      }
      return floors[last] - floors[last - n] >= threshold;
    }

    private void push(long value) {
      System.arraycopy(floors, 1, floors, 0, floors.length - 1);
      floors[floors.length - 1] = value;
      closed++;
    }
  }
}
