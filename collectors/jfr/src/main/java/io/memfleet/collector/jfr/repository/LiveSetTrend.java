package io.memfleet.collector.jfr.repository;

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
  private static final long WINDOW_NS = WINDOW_SECONDS * 1_000_000_000L;
  private static final long SLOT_NS = SLOT_SECONDS * 1_000_000_000L;

  private long slot = Long.MIN_VALUE;
  private long slotFloor = Long.MAX_VALUE;
  /** Floors of the last closed slots, newest last; MAX_VALUE where a slot saw no GC. */
  private final long[] slotFloors = new long[RISING_WINDOWS + 1];
  private int slotsClosed;

  private long window = Long.MIN_VALUE;
  private long floor = Long.MAX_VALUE;
  private long maxBytes;
  /** Floors of the last closed windows, newest last; MAX_VALUE where a window saw no GC. */
  private final long[] floors = new long[CALM_WINDOWS + 1];
  private int closed;
  private boolean growing;

  LiveSetTrend() {
    java.util.Arrays.fill(floors, Long.MAX_VALUE);
    java.util.Arrays.fill(slotFloors, Long.MAX_VALUE);
  }

  /** One heap summary after a collection. */
  void afterGc(long epochNanos, long usedBytes, long maxBytes) {
    long w = Math.floorDiv(epochNanos, WINDOW_NS);
    if (w < window) {
      return; // out of order: its window is closed
    }
    if (w > window) {
      if (window != Long.MIN_VALUE) {
        close(floor, w - window - 1);
      }
      window = w;
      floor = Long.MAX_VALUE;
    }
    floor = Math.min(floor, usedBytes);
    this.maxBytes = Math.max(this.maxBytes, maxBytes);
    long sl = Math.floorDiv(epochNanos, SLOT_NS);
    if (sl > slot) {
      if (slot != Long.MIN_VALUE) {
        closeSlot(slotFloor, sl - slot - 1);
      }
      slot = sl;
      slotFloor = Long.MAX_VALUE;
    }
    slotFloor = Math.min(slotFloor, usedBytes);
  }

  private void closeSlot(long floorOfSlot, long empty) {
    for (long i = 0; i < Math.min(empty, slotFloors.length); i++) {
      pushSlot(Long.MAX_VALUE);
    }
    pushSlot(floorOfSlot);
    if (!growing && slotsClosed >= RISING_WINDOWS + 1) {
      growing = rises(slotFloors, RISING_WINDOWS,
          Math.round(maxBytes * FAST_RISE_PERCENT / 100));
    }
  }

  private void pushSlot(long value) {
    System.arraycopy(slotFloors, 1, slotFloors, 0, slotFloors.length - 1);
    slotFloors[slotFloors.length - 1] = value;
    slotsClosed++;
  }

  boolean growing() {
    return growing;
  }

  /** Closes a window with {@code floor}, after {@code empty} windows without any collection. */
  private void close(long windowFloor, long empty) {
    for (long i = 0; i < Math.min(empty, floors.length); i++) {
      push(Long.MAX_VALUE); // no GC for a whole window: nothing to say about the live set
    }
    push(windowFloor);
    long threshold = Math.max(Math.round(maxBytes * MIN_RISE_PERCENT / 100),
        MIN_RISE_MIB * 1024 * 1024);
    if (!growing) {
      growing = rising(RISING_WINDOWS, threshold);
    } else if (closed >= CALM_WINDOWS + 1 && !grew(CALM_WINDOWS, threshold)) {
      growing = false;
    }
  }

  private void push(long value) {
    System.arraycopy(floors, 1, floors, 0, floors.length - 1);
    floors[floors.length - 1] = value;
    closed++;
  }

  /** The last {@code n} floors each above the one before, and by {@code threshold} in all. */
  private boolean rising(int n, long threshold) {
    return closed >= n + 1 && rises(floors, n, threshold);
  }

  private static boolean rises(long[] floors, int n, long threshold) {
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
  private boolean grew(int n, long threshold) {
    int last = floors.length - 1;
    if (floors[last] == Long.MAX_VALUE || floors[last - n] == Long.MAX_VALUE) {
      return true; // a window without collections says nothing: keep what we know
    }
    return floors[last] - floors[last - n] >= threshold;
  }
}
