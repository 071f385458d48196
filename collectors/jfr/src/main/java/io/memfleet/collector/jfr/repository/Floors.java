package io.memfleet.collector.jfr.repository;

import java.util.Arrays;

/**
 * The floors (lowest reading) of the last closed windows of one length of event time that had a
 * reading: a JVM's heap after each collection ({@link LiveSetTrend}), its direct-buffer pool
 * ({@link DirectBufferTrend}). Garbage a collection left behind, or buffers dropped and not yet
 * freed, lift single readings; the lowest of a window is the nearest to what is kept. A window
 * without a reading is passed over, not counted: a JVM that collects less often than once a
 * window (a ZGC or G1 heap far from its maximum with little garbage: seen, a JDK 25 ZGC service
 * leaking 1.2 MiB/s into a 6 GiB heap, collected every 35–100 s) is judged on the collections it
 * has, where empty windows between them used to break every run of rising floors, so its leak
 * never got old-object stacks and its alert named a class but no code.
 */
final class Floors {
  private final long lengthNs;
  /** Newest last; MAX_VALUE until that many windows closed. */
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

  /**
   * The floor of the window {@code back} windows (with readings) before the newest closed one;
   * MAX_VALUE: none.
   */
  long floor(int back) {
    return floors[floors.length - 1 - back];
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
      return true; // not that many windows yet: keep what we know
    }
    return floors[last] - floors[last - n] >= threshold;
  }

  private void push(long value) {
    System.arraycopy(floors, 1, floors, 0, floors.length - 1);
    floors[floors.length - 1] = value;
    closed++;
  }
}
