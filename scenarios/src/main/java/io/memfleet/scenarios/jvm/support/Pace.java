package io.memfleet.scenarios.jvm.support;

/**
 * Wall-clock pacing: how many units of work are due now so that, on average, {@code perSecond}
 * happen per second since the pace started — whatever the CPU speed, and catching up after a
 * stall (a GC pause, a busy machine) instead of drifting.
 *
 * <pre>{@code
 * Pace logins = new Pace(128);             // 128 per second
 * for (long n = logins.due(); n > 0; n--) { registry.open(...); }
 * }</pre>
 *
 * <p>Not thread-safe: one pace per loop.
 */
public final class Pace {
  private final long startNanos = System.nanoTime();
  private final double perSecond;
  private long done;

  public Pace(double perSecond) {
    if (!(perSecond >= 0)) {
      throw new IllegalArgumentException("rate must not be negative: " + perSecond);
    }
    this.perSecond = perSecond;
  }

  /** A pace of {@code bytesPerSecond} in units of {@code unitBytes}. */
  public static Pace ofBytes(double bytesPerSecond, long unitBytes) {
    return new Pace(bytesPerSecond / unitBytes);
  }

  /** The units due since the last call; counts them as done. */
  public long due() {
    long target = (long) ((System.nanoTime() - startNanos) / 1e9 * perSecond);
    long n = target - done;
    done = target;
    return Math.max(0, n);
  }

  /** Units counted as done so far. */
  public long done() {
    return done;
  }
}
