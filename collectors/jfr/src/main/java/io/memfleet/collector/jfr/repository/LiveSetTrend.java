package io.memfleet.collector.jfr.repository;

/**
 * Whether a JVM's live set grows, from its heap after each collection: the lowest heap-after-GC
 * of each {@value #WINDOW_SECONDS}-second window of event time is the window's floor (a young
 * collection leaves garbage behind, the floor is the nearest the collector sees to the live
 * set). {@link #growing()} once the floors of {@value #RISING_WINDOWS} windows in a row rose
 * each time (windows without a collection passed over: a JVM collecting every minute or two is
 * judged on the collections it has, {@link Floors}), by at least {@code max(}{@value #MIN_RISE_PERCENT} % of the maximum heap,
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
}
