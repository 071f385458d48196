package io.memfleet.pipeline;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.ProcessIdentity;
import java.util.Random;

/**
 * A host whose clocks the test controls: CLOCK_MONOTONIC runs {@code driftPpm} slow against UTC
 * from a known offset, and a 24 MHz tick counter (JFR_TICKS) counts from its own origin. Gives the
 * exact UTC truth of any raw reading and realistic ClockSync samples (bracket 2–20 µs, midpoint
 * anywhere inside it).
 */
final class SyntheticHost {
  static final long TICK_HZ = 24_000_000L;
  private static final long TICK_ORIGIN = 987_654_321L;

  final long t0Ns;
  final long mono0;
  final double driftPpm;
  private final Random random;

  SyntheticHost(long t0Ns, long mono0, double driftPpm, long seed) {
    this.t0Ns = t0Ns;
    this.mono0 = mono0;
    this.driftPpm = driftPpm;
    this.random = new Random(seed);
  }

  /** UTC truth of an exact (possibly fractional) monotonic reading. */
  long utcOfMonotonic(double mono) {
    return t0Ns + Math.round((mono - mono0) * (1 + driftPpm * 1e-6));
  }

  /** The monotonic reading at a UTC instant (rounded to a whole nanosecond). */
  long monotonicAt(long utcNs) {
    return mono0 + Math.round((utcNs - t0Ns) / (1 + driftPpm * 1e-6));
  }

  long ticksAt(long utcNs) {
    return TICK_ORIGIN + (long) Math.floor(monotonicAt(utcNs) * (TICK_HZ / 1e9));
  }

  long utcOfTicks(long ticks) {
    return utcOfMonotonic((ticks - TICK_ORIGIN) * (1e9 / TICK_HZ));
  }

  /** A ClockSync of MONOTONIC (or JFR_TICKS) read near {@code utcNs}. */
  ClockSync sample(ProcessIdentity p, ClockDomain domain, long utcNs, long seq) {
    long mono = monotonicAt(utcNs);
    long uncertainty = 2_000 + random.nextInt(18_000);
    long midpointError = (long) ((random.nextDouble() - 0.5) * uncertainty);
    long realtime = utcOfMonotonic(mono) + midpointError;
    if (domain == ClockDomain.JFR_TICKS) {
      long ticks = TICK_ORIGIN + (long) Math.floor(mono * (TICK_HZ / 1e9));
      double exactMono = (ticks - TICK_ORIGIN) * (1e9 / TICK_HZ);
      return Fixtures.clockSync(p, domain, ticks, TICK_HZ,
          utcOfMonotonic(exactMono) + midpointError, mono, uncertainty, seq);
    }
    return Fixtures.clockSync(p, domain, mono, null, realtime, mono, uncertainty, seq);
  }
}
