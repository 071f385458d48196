package io.memfleet.collector;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import java.time.Instant;

/**
 * Pairs the host's CLOCK_MONOTONIC with CLOCK_REALTIME, so the pipeline can put events stamped in
 * MONOTONIC (eBPF {@code nsecs}, perf) on the UTC timeline.
 *
 * <pre>{@code
 * ClockSync sync = new ClockSyncSampler().sample(identity, Source.PROCFS, headers);
 * sink.publish(sync);
 * }</pre>
 *
 * <p>How: read {@code System.nanoTime()}, {@code Instant.now()}, {@code System.nanoTime()} back to
 * back; the realtime reading lies inside the monotonic bracket, so the pair (bracket midpoint,
 * realtime) is correct to within half the bracket width. Of {@code tries} attempts the narrowest
 * bracket wins (a preemption between the reads widens it), as NTP keeps its tightest samples;
 * {@code uncertaintyNs} is that width. On Linux HotSpot {@code System.nanoTime()} is
 * {@code clock_gettime(CLOCK_MONOTONIC)} (a test checks it against the kernel's own
 * CLOCK_MONOTONIC in {@code /proc/timer_list}); {@code Instant.now()} is CLOCK_REALTIME with
 * microsecond or better resolution.
 *
 * <p>The sample is emitted with {@code clockDomain = MONOTONIC}, {@code rawTimestamp =
 * domainValue = monotonicNs}.
 */
public final class ClockSyncSampler {
  private final int tries;

  /** A sampler keeping the best of 7 tries. */
  public ClockSyncSampler() {
    this(7);
  }

  public ClockSyncSampler(int tries) {
    if (tries < 1) {
      throw new IllegalArgumentException("tries must be positive: " + tries);
    }
    this.tries = tries;
  }

  /**
   * A CLOCK_MONOTONIC / CLOCK_REALTIME pair: realtime was read inside a monotonic bracket of
   * {@code widthNs}, and {@code monotonicNs} is that bracket's midpoint.
   */
  public record Reading(long monotonicNs, long realtimeNs, long widthNs) {
    /** CLOCK_REALTIME at another CLOCK_MONOTONIC instant nearby (the two run at one rate). */
    public long realtimeAt(long otherMonotonicNs) {
      return realtimeNs + (otherMonotonicNs - monotonicNs);
    }
  }

  /** The tightest of {@code tries} monotonic/realtime pairs. */
  public Reading read() {
    long bestWidth = Long.MAX_VALUE;
    long bestMono = 0;
    long bestReal = 0;
    for (int i = 0; i < tries; i++) {
      long before = System.nanoTime();
      Instant now = Instant.now();
      long after = System.nanoTime();
      long width = after - before;
      if (width < bestWidth) {
        bestWidth = width;
        bestMono = before + width / 2;
        bestReal = now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }
    }
    return new Reading(bestMono, bestReal, bestWidth);
  }

  /** One calibration sample for {@code host}'s clocks, with a header from {@code headers}. */
  public ClockSync sample(ProcessIdentity host, Source source, EventHeaders headers) {
    Reading r = read();
    return ClockSync.newBuilder()
        .setHeader(headers.next(host, source, ClockDomain.MONOTONIC, r.monotonicNs()))
        .setRealtimeNs(r.realtimeNs())
        .setMonotonicNs(r.monotonicNs())
        .setDomainValue(r.monotonicNs())
        .setDomainFrequencyHz(null)
        .setUncertaintyNs(r.widthNs())
        .setBootId(host.getBootId())
        .build();
  }
}
