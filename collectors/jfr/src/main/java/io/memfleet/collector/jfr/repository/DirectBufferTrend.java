package io.memfleet.collector.jfr.repository;

/**
 * Whether a JVM's direct-buffer pool grows, from its periodic readings
 * ({@code jdk.DirectBufferStatistics}): the lowest reading of each {@value #WINDOW_SECONDS}-second
 * window of event time is the window's floor (buffers a program dropped stay counted until a
 * collection frees them, so single readings rise and fall with churn). {@link #growing()} once
 * the floors of {@value #RISING_WINDOWS} windows in a row rose each time, by at least
 * {@value #MIN_RISE_KIB} KiB in all and by twice the widest spread of readings inside one of
 * those windows (churn that rises and falls by that much lifts a floor as far by chance) — a
 * leak of 1 MiB/s after 40 s, one of 50 KiB/s after about a minute. It stays so: the collector
 * acts on it once per JVM.
 *
 * <p>The collector (or the in-process agent) then loads memfleet's direct-buffer probe into the
 * JVM, which reports the stacks that hold live direct buffers: JFR has no stack for them, and an
 * alert on a growing direct-buffer pool should say which code keeps them.
 *
 * <pre>{@code
 * DirectBufferTrend trend = new DirectBufferTrend();
 * trend.reading(epochNanos, usedBytes);   // each DIRECT_BUFFERS reading
 * if (trend.growing()) { ... }
 * }</pre>
 *
 * <p>Not thread-safe: the reader's stream thread feeds it (the agent's, in the agent).
 */
public final class DirectBufferTrend {
  static final int WINDOW_SECONDS = 10;
  static final int RISING_WINDOWS = 3;
  static final long MIN_RISE_KIB = 1024;

  private final Floors windows = new Floors(WINDOW_SECONDS, RISING_WINDOWS + 1);
  /** The same windows' highest readings, negated. */
  private final Floors ceilings = new Floors(WINDOW_SECONDS, RISING_WINDOWS + 1);
  private boolean growing;

  /** One reading of the pool's used bytes. */
  public void reading(long epochNanos, long usedBytes) {
    ceilings.add(epochNanos, -usedBytes);
    if (windows.add(epochNanos, usedBytes) && !growing) {
      growing = windows.rising(RISING_WINDOWS, Math.max(MIN_RISE_KIB * 1024, 2 * spread()));
    }
  }

  /** The widest spread of readings inside one of the last windows. */
  private long spread() {
    long widest = 0;
    for (int back = 0; back < RISING_WINDOWS; back++) {
      long floor = windows.floor(back);
      long ceiling = ceilings.floor(back);
      if (floor != Long.MAX_VALUE && ceiling != Long.MAX_VALUE) {
        widest = Math.max(widest, -ceiling - floor);
      }
    }
    return widest;
  }

  public boolean growing() {
    return growing;
  }
}
