package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import java.util.List;
import java.util.Locale;

/**
 * When a JVM heap filling towards its maximum throws {@code OutOfMemoryError}: once a collection
 * has shown the live set near the maximum, the maximum less that live set over the rate the live
 * set rose (its own, or since the heap's floors began to climb to it).
 *
 * <p>Why the live set and not the floors: the heap after a young or mixed G1 collection is the
 * live set plus the garbage G1 left, and the JVM does not die when those floors reach the
 * maximum — G1 falls back to full collections, which take that garbage back — but when the
 * live set itself fills the heap. On {@code jvm-oome} (2 MiB/s into {@code -Xmx128m}, five
 * recorded runs) the floors before the first full collection stood 12–17 MiB above the live
 * set it then showed, and the {@code OutOfMemoryError} came 8–11 s after that first full
 * collection: a forecast from the floors comes 6–8 s early, a third to a half of the time left.
 * The newest collection that shows the live set (a full one, a ZGC/Shenandoah cycle:
 * {@link Observation#live}) gives the level, at its own time, not the bucket's.
 *
 * <p>The rate: the live set's own rise once collections have shown it {@value #LIVE_SETS} times
 * over at least {@value #LIVE_SPAN_SECONDS} s (each history point keeps its oldest and newest
 * live set), else its rise since the floors' climb began ({@link #riseSinceClimbBegan}) — the floors
 * rise at about the live set's rate while the garbage G1 leaves stays the same, but not when the
 * floors seen are only the last, nearly full stretch:
 * with the agent starting 18 s into a JDK 25 JVM's life, the floors seen rose 0.95 MiB/s while
 * the first three full collections showed the live set rising 2 MiB/s (101.9, 107.0, 111.1 MiB
 * in 4.6 s), and the forecast from the floors came 129 % late. Why a forecast is made with one
 * live set at all: a Parallel-GC heap collects its old generation only when full, so
 * a leak there may show one live set for minutes, and this forecast is how it is found
 * ({@code jvm-parallel-heap-leak} on JDK 25 went unreported without it). Waiting for a second
 * live set would have made five recorded {@code jvm-oome} runs' first forecasts 1–21 % off
 * (median 3 %, 5–11 s ahead) instead of 1–29 % (median 4 %, 7–14 s ahead) when the floors'
 * climb gave the rate with one live set (before 2026-12-06 15:00).
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
  /** Index in the history of the climb's first point. */
  final int climbStart;
  /** The rate the forecast runs at, bytes/s, and what it is, as the summary words it. */
  final double perSecond;
  final String rateBasis;

  /** Live sets, and the seconds they must span, that give the rate instead of the floors. */
  static final int LIVE_SETS = 2;
  static final int LIVE_SPAN_SECONDS = 2;

  private LiveSetForecast(long oomUtcNs, double live, long liveUtcNs, double max,
      int climbStart, double perSecond, String rateBasis) {
    this.oomUtcNs = oomUtcNs;
    this.live = live;
    this.liveUtcNs = liveUtcNs;
    this.max = max;
    this.climbStart = climbStart;
    this.perSecond = perSecond;
    this.rateBasis = rateBasis;
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
    int climbStart = before.size() - climb.size();
    TheilSen shownRise = liveSetRise(history.subList(climbStart, at + 1));
    double sinceClimb = riseSinceClimbBegan(climb, live, holder.liveUtcNs);
    double perSecond;
    String rateBasis;
    if (shownRise != null) {
      perSecond = shownRise.slopePerSecond();
      rateBasis = "live set rising %s";
    } else if (sinceClimb > 0) {
      perSecond = sinceClimb;
      rateBasis = "live set rising %s since the heap's climb began";
    } else {
      perSecond = trend.perSecond();
      rateBasis = "heap after GC rising %s";
    }
    if (!(perSecond > 0)) {
      return null;
    }
    double seconds = Math.max(0, max - live) / perSecond;
    if (seconds > trend.spanNs / 1e9) {
      return null;
    }
    return new LiveSetForecast(holder.liveUtcNs + (long) (seconds * 1e9), live,
        holder.liveUtcNs, max, climbStart, perSecond, rateBasis);
  }

  /**
   * The rate with one live set: the live set's rise since the climb began, from the climb's
   * first floor to the live set the collection showed — the end the forecast starts from is a
   * live set, not a floor with G1's garbage in it ({@link #of} takes the floors' own climb where
   * the live set is not above that first floor; NaN for no time between them). The floors' climb ran ahead of the live set on the recorded
   * runs: on {@code jvm-oome} of 2026-12-06 12:11 four 10-s floors from 3.8 MiB climbed
   * 3.0 MiB/s to the first full collection's 110.3 MiB, while the live set then rose 2.1 MiB/s:
   * the forecast from the floors came 27 % early, from the first floor 7 % late. Over the six
   * recorded runs (replayed: {@code memfleet eval --replay}; − early, + late) −27, −4, −21, +29,
   * −2, 0 % became +7, +12, +2, +39, −2, −1 %: five within 20 % instead of three; the one worse
   * is the agent's run, whose stream began 18 s into the JVM's life, so its climb is only the
   * nearly full stretch and its first floor holds much garbage for the span. With garbage that
   * stays the same this rate runs short by it over the climb (late); both rates take in the
   * program's warm-up (early).
   */
  static double riseSinceClimbBegan(List<Observation> climb, double live, long liveUtcNs) {
    Observation first = climb.get(0);
    // a point's floor is its lowest heap after GC, on a climb its first collection's: stamped
    // with the point's start, not its newest event (which made the climb seconds shorter)
    long firstAt = first.bucketStartUtcNs > 0 && first.bucketStartUtcNs < first.utcNs
        ? first.bucketStartUtcNs : first.utcNs;
    double seconds = (liveUtcNs - firstAt) / 1e9;
    return seconds > 0 ? (live - first.value) / seconds : Double.NaN;
  }

  /**
   * The live sets' own trend over {@code points} (each point's oldest and newest live set), or
   * null with fewer than {@link #LIVE_SETS} of them or less than {@link #LIVE_SPAN_SECONDS}
   * between the first and the last.
   */
  static TheilSen liveSetRise(List<Observation> points) {
    long[] times = new long[2 * points.size()];
    double[] values = new double[times.length];
    int n = 0;
    for (Observation o : points) {
      if (!Double.isNaN(o.liveFirst) && o.liveFirstUtcNs < o.liveUtcNs) {
        times[n] = o.liveFirstUtcNs;
        values[n++] = o.liveFirst;
      }
      if (!Double.isNaN(o.live)) {
        times[n] = o.liveUtcNs;
        values[n++] = o.live;
      }
    }
    if (n < LIVE_SETS || times[n - 1] - times[0] < LIVE_SPAN_SECONDS * 1_000_000_000L) {
      return null;
    }
    return TheilSen.fit(java.util.Arrays.copyOf(times, n), java.util.Arrays.copyOf(values, n));
  }

  /** Seconds from {@code nowUtcNs} to the forecast, at least 0. */
  double secondsAfter(long nowUtcNs) {
    return Math.max(0, (oomUtcNs - nowUtcNs) / 1e9);
  }

  /** The summary's words for the forecast made at {@code nowUtcNs}. */
  String summary(long nowUtcNs) {
    return String.format(Locale.ROOT, "JVM live set %s (%.0f%% of its %s maximum, shown by a "
            + "collection), %s: OutOfMemoryError in about %.0f s",
        Trend.mib(live), 100 * live / max, Trend.mib(max),
        String.format(Locale.ROOT, rateBasis, Trend.rate(perSecond)), secondsAfter(nowUtcNs));
  }

  /** The verdict's words for the forecast made at {@code nowUtcNs}. */
  String verdict(long nowUtcNs) {
    return String.format(Locale.ROOT, "heap grows %s, live set %s of %s: OutOfMemoryError in "
        + "about %.0f s", Trend.rate(perSecond), Trend.mib(live), Trend.mib(max),
        secondsAfter(nowUtcNs));
  }
}
