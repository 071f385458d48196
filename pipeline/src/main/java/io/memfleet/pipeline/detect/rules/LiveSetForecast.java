package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import java.util.List;
import java.util.Locale;

/**
 * When a JVM heap filling towards its maximum throws {@code OutOfMemoryError}: once a collection
 * has shown the live set near the maximum, the maximum less that live set over the rate the
 * heap's floors climbed to it.
 *
 * <p>Why the live set and not the floors: the heap after a young or mixed G1 collection is the
 * live set plus the garbage G1 left, and the JVM does not die when those floors reach the
 * maximum — G1 falls back to full collections, which take that garbage back — but when the
 * live set itself fills the heap. On {@code jvm-oome} (2 MiB/s into {@code -Xmx128m}, five
 * recorded runs) the floors before the first full collection stood 12–17 MiB above the live
 * set it then showed, and the {@code OutOfMemoryError} came 8–11 s after that first full
 * collection: a forecast from the floors comes 6–8 s early, a third to a half of the time left.
 * The floors still rise at the live set's rate (the garbage G1 leaves stays about the same), so
 * their climb gives the rate; the newest collection that shows the live set (a full one, a
 * ZGC/Shenandoah cycle: {@link Observation#live}) gives the level, at its own time, not the
 * bucket's.
 *
 * <p>Forecast only what was seen: the live set at least half the maximum, a climb of at least
 * three floors before it that grew by more than the garbage G1 may leave
 * ({@value LiveSetGrowthRule#G1_WASTE_FRACTION} of the maximum) and, with the live set at its
 * end, still grew in its last third, and the maximum reached within as long as the climb
 * lasted. A flat live set near the maximum — a JVM thrashing in GC without a leak — has no
 * climb, or one that stopped.
 *
 * <pre>{@code
 * LiveSetForecast f = LiveSetForecast.of(history, riseTolerance);
 * if (f != null) { long oomAtUtcNs = f.oomUtcNs; }
 * }</pre>
 */
final class LiveSetForecast {
  /** Event time the heap is forecast to run out, UTC ns. */
  final long oomUtcNs;
  /** The live set the forecast starts from, bytes, and its time. */
  final double live;
  final long liveUtcNs;
  /** The heap maximum, bytes. */
  final double max;
  /** The floors' climb that gives the rate. */
  final Trend climb;
  /** Index in the history of the climb's first point. */
  final int climbStart;

  private LiveSetForecast(long oomUtcNs, double live, long liveUtcNs, double max, Trend climb,
      int climbStart) {
    this.oomUtcNs = oomUtcNs;
    this.live = live;
    this.liveUtcNs = liveUtcNs;
    this.max = max;
    this.climb = climb;
    this.climbStart = climbStart;
  }

  /** The forecast from {@code history} (oldest first), or null when it does not hold. */
  static LiveSetForecast of(List<Observation> history, double riseTolerance) {
    int at = history.size() - 1;
    while (at >= 0 && Double.isNaN(history.get(at).live)) {
      at--;
    }
    if (at < 3) {
      return null;
    }
    Observation holder = history.get(at);
    double max = holder.companion;
    double live = holder.live;
    if (!(max > 0) || live < max / 2) {
      return null;
    }
    List<Observation> before = history.subList(0, at);
    List<Observation> climb = TrailingRule.risingSuffix(before, riseTolerance);
    if (climb.size() < 3) {
      return null;
    }
    Trend trend = Trend.of(climb);
    if (trend.growth <= LiveSetGrowthRule.G1_WASTE_FRACTION * max) {
      return null;
    }
    // the climb went on, at a third of its rate, up to the live set the collection showed: a
    // heap that filled at start and stayed (seen: a JVM thrashing in GC, floors 11, 22, 144 MiB
    // in its first 20 s, then full collections showing 144 MiB of 160 for minutes) climbed, but
    // not any more
    Observation shown = holder.copy();
    shown.value = live;
    shown.utcNs = holder.liveUtcNs;
    List<Observation> seen = new java.util.ArrayList<>(climb);
    seen.add(shown);
    if (!Trend.persists(seen, trend, GrowthRule.PERSIST_SHARE)) {
      return null;
    }
    Double seconds = trend.fit.secondsUntil(max, live);
    if (seconds == null || seconds > trend.spanNs / 1e9) {
      return null;
    }
    return new LiveSetForecast(holder.liveUtcNs + (long) (seconds * 1e9), live,
        holder.liveUtcNs, max, trend, before.size() - climb.size());
  }

  /** Seconds from {@code nowUtcNs} to the forecast, at least 0. */
  double secondsAfter(long nowUtcNs) {
    return Math.max(0, (oomUtcNs - nowUtcNs) / 1e9);
  }

  /** The summary's words for the forecast made at {@code nowUtcNs}. */
  String summary(long nowUtcNs) {
    return String.format(Locale.ROOT, "JVM live set %s (%.0f%% of its %s maximum, shown by a "
            + "collection), heap after GC rising %s: OutOfMemoryError in about %.0f s",
        Trend.mib(live), 100 * live / max, Trend.mib(max), Trend.rate(climb.perSecond()),
        secondsAfter(nowUtcNs));
  }

  /** The verdict's words for the forecast made at {@code nowUtcNs}. */
  String verdict(long nowUtcNs) {
    return String.format(Locale.ROOT, "heap grows %s, live set %s of %s: OutOfMemoryError in "
        + "about %.0f s", Trend.rate(climb.perSecond()), Trend.mib(live), Trend.mib(max),
        secondsAfter(nowUtcNs));
  }
}
