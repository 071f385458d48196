package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Severity;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code live-set-growth}: the JVM's heap after GC keeps rising — what a JVM still holds after
 * collecting grows across collections, the signature of a managed-heap leak.
 *
 * <p>Input: {@link Signal#LIVE_SET} observations, each the lowest heap-after of the collections
 * in one bucket, young ones included, so a stock G1 JVM that has not needed an old collection
 * yet is judged too. Judged on the trailing history ({@link TrailingRule}, {@code within}): the
 * run that ends at the newest bucket without falling more than
 * {@code memfleet.detect.rise-tolerance} must hold {@code min-points} buckets over
 * {@code min-span} when a collection that shows the live set is in it (full, ZGC, Shenandoah),
 * and {@code young-only-min-span} (5 min) when only young and mixed collections are: after those
 * the old generation may still hold promoted garbage, which climbs for minutes until an old
 * collection takes it back (measured on a stock G1 service with a flat live set: heap after
 * young collections 155 → 506 MiB over 170 s, then 168 MiB after the mixed collections). Its
 * Theil–Sen growth must reach {@code min-growth-fraction} and {@code min-growth-bytes} and last to
 * the end of the run ({@link GrowthRule}), with more span for growth from the process's start,
 * and, confirmed by ZGC or Shenandoah, exceed the garbage their regions may keep
 * ({@link #alsoHolds}); a heap about to run out is told by the live set's own forecast, not by the floors' (young-only
 * growth heads for the maximum whenever G1 lets promoted garbage pile up, as a cache filling a
 * 512 MiB heap did: "limit in 147 s", then flat). A G1 heap whose
 * markings and mixed collections keep taking promoted garbage back never rises in one run; there
 * the floors it is taken back to are judged instead, over at least {@code young-only-min-span}
 * ({@link #risingFloors}). Young-only floors of a G1 heap below where G1 starts marking (45 % of
 * the heap) are not judged at all ({@link #belowG1Marking}). A young-only finding says so in its
 * verdict ("not yet confirmed by an
 * old-generation collection"), and the alert manager resolves it if an old collection reclaims
 * it. A sawtooth that returns to baseline breaks the run; a stable cache does not grow; a
 * warm-up levels off.
 *
 * <p>Its observations come every {@code oom.bucket} (2 s) and are folded back into one point per
 * {@link #resolution()} (the 10-s detection bucket, {@link #merge}), so the growth checks see the
 * floors they always saw, while a heap about to run out is forecast from the newest live set a
 * collection showed, within 2 s of it ({@link LiveSetForecast}): floors alone say when G1 falls
 * back to full collections, not when the JVM throws {@code OutOfMemoryError}.
 */
public final class LiveSetGrowthRule extends GrowthRule implements TrailingRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "live-set-growth";

  private final long youngOnlyMinSpanNs;
  private final Duration resolution;

  /**
   * @param resolution one history point per this much event time (the detection bucket): the
   *     heap after GC arrives in the finer OOM bucket, for the forecast ({@link LiveSetForecast})
   */
  public LiveSetGrowthRule(GrowthSettings settings, Duration criticalHorizon,
      Duration youngOnlyMinSpan, Duration resolution) {
    super(settings, criticalHorizon);
    this.youngOnlyMinSpanNs = youngOnlyMinSpan.toNanos();
    this.resolution = resolution;
  }

  @Override
  public Duration window() {
    return settings.within;
  }

  @Override
  public Duration resolution() {
    return resolution;
  }

  /**
   * Folds a finer observation into the point of its step: the floor, confirmed when the floor
   * itself came from a collection that shows the live set (as a bucket of that length would
   * be); the newest heap after GC and the newest live set, with their times.
   */
  @Override
  public void merge(Observation point, Observation o) {
    if (o.value < point.value) {
      point.value = o.value;
      point.confirmed = o.confirmed;
    } else if (o.value == point.value) {
      point.confirmed |= o.confirmed;
    }
    if (o.utcNs >= point.utcNs) {
      point.utcNs = o.utcNs;
      if (!Double.isNaN(o.newest)) {
        point.newest = o.newest;
      }
      if (!Double.isNaN(o.usedCompanion)) {
        point.usedCompanion = o.usedCompanion;
      }
    }
    if (!Double.isNaN(o.live) && o.liveUtcNs >= point.liveUtcNs) {
      point.live = o.live;
      point.liveUtcNs = o.liveUtcNs;
    }
    if (!Double.isNaN(o.liveFirst)
        && (Double.isNaN(point.liveFirst) || o.liveFirstUtcNs < point.liveFirstUtcNs)) {
      point.liveFirst = o.liveFirst;
      point.liveFirstUtcNs = o.liveFirstUtcNs;
    }
    point.count += o.count;
    point.reclaimed |= o.reclaimed;
    point.g1 |= o.g1;
    if (!Double.isNaN(o.companion)) {
      point.companion = o.companion;
    }
    point.attributeAs(o);
  }

  /**
   * The history the finding rests on: the rising run that ends now when it is one, else the
   * stretch whose floors rise ({@link #floorsRise}), else the rising run; with a forecast from
   * the live set, from its climb to the newest point.
   */
  @Override
  public List<Observation> evidence(List<Observation> history) {
    Stretch s = judge(history);
    return s != null ? s.history : TrailingRule.risingSuffix(history, settings.riseTolerance);
  }

  @Override
  public Finding assess(List<Observation> history) {
    Stretch s = judge(history);
    return s == null ? null : s.finding;
  }

  /**
   * The growth the history shows ({@link #growth}), its forecast taken from the live set when a
   * collection has shown it near the maximum ({@link LiveSetForecast}); that forecast alone is a
   * finding too: a heap that runs out within as long as it has been seen climbing.
   */
  private Stretch judge(List<Observation> history) {
    Stretch s = growth(history);
    LiveSetForecast live = LiveSetForecast.of(history, settings.riseTolerance);
    if (live == null) {
      return s;
    }
    // the evidence reaches the newest point: the forecast is made when the live set was seen
    int from = s == null ? live.climbStart
        : Math.min(live.climbStart, history.indexOf(s.history.get(0)));
    List<Observation> evidence = history.subList(Math.max(0, from), history.size());
    long now = evidence.get(evidence.size() - 1).utcNs;
    double seconds = live.secondsAfter(now);
    Finding f = s == null ? null : s.finding;
    Finding forecast = new Finding(seconds * 1e9 <= criticalHorizonNs() ? Severity.CRITICAL
        : Severity.WARNING,
        f != null ? f.growthBytesPerSecond : live.perSecond, seconds,
        live.summary(now), live.verdict(now));
    return new Stretch(evidence, forecast);
  }

  /** The rising run, the envelope up to G1's last mixed collection, or the rising floors. */
  private Stretch growth(List<Observation> history) {
    List<Observation> run = TrailingRule.risingSuffix(history, settings.riseTolerance);
    Finding f = judgeRun(run);
    if (f != null) {
      return new Stretch(run, f);
    }
    Stretch e = reclaimedEnvelope(history);
    if (e != null) {
      return e;
    }
    return risingFloors(history);
  }

  /**
   * The rising run, unless it is young collections with G1 mixed collections among them: then
   * the heap was taken back as far as G1 would and did not fall, which is the envelope's case
   * ({@link #reclaimedEnvelope}), judged there against G1's garbage allowance; the run's own
   * climb may be promoted garbage between the mixed phases.
   */
  private Finding judgeRun(List<Observation> run) {
    boolean youngOnly = run.stream().noneMatch(o -> o.confirmed);
    if (run.size() < settings.minPoints || youngOnly && run.stream().anyMatch(o -> o.reclaimed)
        || youngOnly && belowG1Marking(run.get(run.size() - 1))) {
      return null;
    }
    return super.assess(run);
  }

  /**
   * Share of the heap at which G1 starts marking its old generation
   * ({@code InitiatingHeapOccupancyPercent}, 45 % by default, of the heap's current size, which
   * is at most its maximum).
   */
  static final double G1_MARKING_SHARE = 0.45;

  /**
   * Whether a G1 heap's floor after young collections is below where G1 starts marking: G1 lets
   * promoted garbage pile up in its old generation there on purpose and has not looked at what of
   * it is live, so young-only growth below it is no evidence — a leak goes on past it, and G1's
   * marking and mixed collections then show it ({@link #reclaimedEnvelope}). Seen on memfleet's
   * own JVMs: its node collector's heap after young collections creeping 60 → 65 MiB of 256 MiB
   * over five minutes, its Kafka broker's 43 KiB/s at 180 of 512 MiB, both alerted.
   */
  static boolean belowG1Marking(Observation last) {
    return last.g1 && last.companion > 0 && last.value < G1_MARKING_SHARE * last.companion;
  }

  /** A trailing stretch of history, its floors and what they show. */
  private record Stretch(List<Observation> history, Finding finding) {}

  /**
   * Share of the heap G1 may leave as garbage after its mixed collections by design
   * ({@code G1HeapWastePercent}, 5 % by default, of the heap's committed size: G1 stops its mixed
   * collections once what they could reclaim is less than that share of its capacity): floors
   * after mixed collections may wander by this much without any change in the live set.
   */
  static final double G1_WASTE_FRACTION = 0.05;

  /**
   * The envelope takes the third lowest heap after GC from a point on, with at least that many
   * mixed collections after it: the floor of one mixed phase varies with the regions G1 chose
   * (seen on a stock sawtooth over a flat live set: 74 to 106 MiB), so one low floor must not
   * make everything after it look grown, nor the newest floor alone end the envelope high.
   */
  static final int ENVELOPE_RANK = 3;

  /** Inserts {@code v} into the ascending {@code lowest}, dropping its largest. */
  private static void insert(double[] lowest, double v) {
    int j = lowest.length - 1;
    if (!(v < lowest[j])) {
      return;
    }
    while (j > 0 && lowest[j - 1] > v) {
      lowest[j] = lowest[j - 1];
      j--;
    }
    lowest[j] = v;
  }

  /**
   * The lower envelope of the history up to its last G1 mixed collection, read at the window's
   * first bucket and at every bucket with a mixed collection: there, the lowest heap after GC
   * from that bucket to the last mixed collection. Every heap after GC is at least the live set
   * of its time, and a mixed collection's is the live set plus at most the garbage G1 chose to
   * leave; so an envelope that rises by more than that garbage allowance
   * ({@link #g1Waste}: {@value #G1_WASTE_FRACTION} of the heap's committed size) and the floors'
   * own scatter ({@link #beyondG1Waste}) shows the live set itself grew. Promoted
   * garbage does not lift it: one later mixed collection that takes the heap back lowers every
   * point before it (a flat live set's envelope is flat), and the young-only climb since the
   * last mixed collection is not in it. This is the leak of a stock G1 JVM whose mixed
   * collections keep taking garbage back now and then, so that neither one rising run nor
   * regular floors show it (measured in the fleet test: heap after GC 8, 36, … 158, 113, 139, …
   * 334, 311, … MiB, a mixed phase every few minutes). Judged by the growth checks
   * ({@link GrowthRule}) over {@code min-span}, growth from the process start waiting as always;
   * at least two mixed collections, so that growth between the last two tells a leak, which goes
   * on, from a warm-up, which levels off. That it goes on is read from the floors after the mixed
   * collections themselves ({@link Trend#persists}: their last third must rise at a third of the
   * envelope's rate): the envelope's own end is the order statistic of ever fewer floors and rises
   * a little by construction (seen: a cache filled under load, flat at 250-263 MiB for 150 s, its
   * envelope still climbing 0.17 MiB/s at the end).
   */
  private Stretch reclaimedEnvelope(List<Observation> history) {
    int last = history.size() - 1;
    while (last >= 0 && !history.get(last).reclaimed) {
      last--;
    }
    if (last <= 0) {
      return null;
    }
    List<Observation> envelope = new ArrayList<>();
    // the ENVELOPE_RANK lowest values from i to the last mixed collection, ascending
    double[] lowest = new double[ENVELOPE_RANK];
    java.util.Arrays.fill(lowest, Double.POSITIVE_INFINITY);
    int later = 0; // buckets with mixed collections from i on
    for (int i = last; i >= 0; i--) {
      Observation o = history.get(i);
      insert(lowest, o.value);
      if (o.reclaimed) {
        later++;
      }
      if ((o.reclaimed || i == 0) && later >= ENVELOPE_RANK) {
        double v = lowest[ENVELOPE_RANK - 1];
        envelope.add(o.value == v ? o : withValue(o, v));
      }
    }
    java.util.Collections.reverse(envelope);
    List<Observation> mixed = new ArrayList<>();
    for (Observation o : history.subList(0, last + 1)) {
      if (o.reclaimed) {
        mixed.add(o);
      }
    }
    if (envelope.size() < 3) {
      return null;
    }
    Trend trend = Trend.of(envelope);
    if (!Trend.persists(mixed, trend, 1.0 / 3)) {
      return null;
    }
    Finding f = beyondG1Waste(trend, mixed) ? super.assess(envelope, settings.minSpanNs) : null;
    if (f == null) {
      f = exhaustedSoon(trend, history);
    }
    return f == null ? null : new Stretch(history.subList(0, last + 1), f);
  }

  /**
   * A heap that runs out before any growth check could have its span: a small heap filling
   * fast (seen: 2 MiB/s into 128 MiB, an {@code OutOfMemoryError} 70 s after the JVM started,
   * long before {@code min-span} and the from-start wait). Like {@code oom-imminent}'s forecast:
   * the live set under the envelope ({@link #liveSetUnder}: not the garbage G1 leaves in its
   * regions) holds at least half the heap maximum and the envelope reaches the maximum within as
   * long as it has been seen rising — no extrapolation beyond what was seen. The floors'
   * persistence was checked by the caller; of G1's allowance only the garbage it may leave
   * ({@value #G1_WASTE_FRACTION} of the maximum) counts here, not the floors' scatter: growth that
   * covers the heap's whole headroom within its span is more than scatter, and the first floors
   * of a JVM filling its heap from the start scatter about their line by a curve, not by noise
   * (floors 3, 46, 74, 87, 104 MiB of 128: a band of 25 MiB). A warm-up that levels off below
   * half the heap never gets here. One that levels off above it looks the same until it stops,
   * and a bucket's floor still rises in the bucket where it stopped (seen: a JVM loading
   * 225 MiB at 5 MiB/s into a 512 MiB heap, floors 195, 252, 289 MiB, then flat at 293), so the
   * heap after the newest collection must also have risen since the previous bucket's, at
   * least a third of the envelope's rate ({@link #stillRising}).
   *
   * <p>No time to OOM: the envelope is the live set plus the garbage G1 left, so when it reaches
   * the maximum G1 falls back to full collections, and the JVM lives on until its live set fills
   * the heap ({@link LiveSetForecast}, once a full collection has shown it).
   */
  private static Finding exhaustedSoon(Trend trend, List<Observation> history) {
    double max = trend.last.companion;
    if (!(max > 0) || liveSetUnder(trend.last.value, max) < max / 2
        || trend.growth <= G1_WASTE_FRACTION * max || !stillRising(history, trend.perSecond())) {
      return null;
    }
    Double seconds = trend.fit.secondsUntil(max, trend.last.value);
    if (seconds == null || seconds > trend.spanNs / 1e9) {
      return null;
    }
    String rate = Trend.rate(trend.perSecond());
    return new Finding(Severity.CRITICAL, trend.perSecond(), null, String.format(
        java.util.Locale.ROOT, "JVM heap after GC up to G1's last mixed collections at %.0f%% of"
            + " its %s maximum, rising %s: at the maximum in about %.0f s, when G1 falls back to"
            + " full collections", 100 * trend.last.value / max, Trend.mib(max), rate, seconds),
        String.format(java.util.Locale.ROOT, "heap grows %s, heap after GC at its %s maximum in"
            + " about %.0f s", rate, Trend.mib(max), seconds));
  }

  /**
   * Share of an old region that G1's mixed collections leave alone when more of it is live
   * ({@code G1MixedGCLiveThresholdPercent}, 85 % by default): such regions are never chosen, so
   * after the mixed collections up to 15 % of them may be garbage.
   */
  static final double G1_LIVE_THRESHOLD = 0.85;

  /**
   * The least live set under an envelope at {@code envelope}: the envelope holds the live set,
   * up to 1 - {@value #G1_LIVE_THRESHOLD} of the old regions G1 left alone, and the waste it may
   * leave ({@value #G1_WASTE_FRACTION} of the maximum), so the live set is at least
   * {@code 0.85 * envelope - 0.05 * max}. Seen without this in a CI run: a 200 MiB cache
   * filling a 512 MiB heap from its start, its envelope at 53 % of the heap "at the maximum in
   * about 132 s", then flat: the cache's 200 MiB and the garbage G1 left among them.
   */
  static double liveSetUnder(double envelope, double max) {
    return G1_LIVE_THRESHOLD * envelope - G1_WASTE_FRACTION * max;
  }

  /**
   * Whether the heap after the newest collection of the newest bucket is above that of the
   * bucket before by at least {@link GrowthRule#PERSIST_SHARE} of {@code perSecond} over the time
   * between them: the heap was still rising when the history ended.
   */
  static boolean stillRising(List<Observation> history, double perSecond) {
    int n = history.size();
    if (n < 2) {
      return false;
    }
    Observation now = history.get(n - 1);
    Observation before = history.get(n - 2);
    double seconds = (now.utcNs - before.utcNs) / 1e9;
    return seconds > 0
        && newest(now) - newest(before) >= PERSIST_SHARE * perSecond * seconds;
  }

  /** The heap after the bucket's newest collection; its floor where that is not known. */
  private static double newest(Observation o) {
    return Double.isNaN(o.newest) ? o.value : o.newest;
  }

  /**
   * Whether the trend {@code rise} (of an envelope, or of floors) grew by more than the garbage
   * G1 may leave after its mixed collections ({@link #g1Waste}) plus the noise {@code floors}
   * show around their trend ({@link #band}). An envelope is built from order statistics of ever
   * fewer floors towards its end, so over a flat live set it still
   * rises from the low edge of the floors' band to about its middle (seen in a clean CI run on a
   * stock sawtooth: 26 MiB in 299 s, floors 75 to 122 MiB): only a rise beyond that band is the
   * live set's.
   */
  private static boolean beyondG1Waste(Trend rise, List<Observation> floors) {
    return rise.growth > g1Waste(floors) + band(floors);
  }

  /**
   * The garbage G1 may leave after its mixed collections: {@value #G1_WASTE_FRACTION} of its
   * committed size at the newest of {@code floors} that knows it ({@link #garbageLeft}; G1
   * reckons the waste it leaves against its capacity, not its maximum: a stock JVM with a 6 GiB
   * maximum and 600 MiB committed leaves up to 30 MiB, not 300), else of its maximum, else 0.
   */
  static double g1Waste(List<Observation> floors) {
    for (int i = floors.size() - 1; i >= 0; i--) {
      double left = floors.get(i).usedCompanion;
      if (left > 0) {
        return left;
      }
    }
    double max = floors.get(floors.size() - 1).companion;
    return max > 0 ? G1_WASTE_FRACTION * max : 0;
  }

  /**
   * Share of a region ZGC and Shenandoah leave alone when less of it is garbage
   * ({@code ZFragmentationLimit}, {@code ZYoungCompactionLimit}, {@code
   * ShenandoahGarbageThreshold}: 25 % by default): after a cycle up to that share of what the
   * heap holds may be garbage, so its heap after GC may drift up by a third over a steady live
   * set as its regions fill with dead entries, no leak in it.
   */
  static final double REGIONAL_GARBAGE_SHARE = 0.25;

  /**
   * The garbage a JVM collection may leave by the collector's design, given what the heap held
   * after it and its committed size (NaN when unknown): G1's waste allowance, a concurrent
   * regional collector's (ZGC, Shenandoah) regions below their garbage threshold; NaN for a
   * collector that compacts everything it collects (Serial, Parallel) or when not known.
   */
  public static double garbageLeft(boolean g1, boolean concurrentWithLiveSet, double after,
      double committed) {
    if (g1) {
      return committed > 0 ? G1_WASTE_FRACTION * committed : Double.NaN;
    }
    return concurrentWithLiveSet ? REGIONAL_GARBAGE_SHARE * after : Double.NaN;
  }

  /**
   * A run confirmed by a concurrent regional collector (ZGC, Shenandoah) must grow by more than
   * the garbage its newest cycle may have left ({@link #REGIONAL_GARBAGE_SHARE} of it): below
   * that the rise may be regions filling with dead entries, not the live set. Seen on JDK 25's
   * generational ZGC: a session store of 106 MB (bounded, replaced at 54 MB/s), heap after its
   * cycles 140 → 160 MiB over four minutes, then flat — alerted as "grew 17.5 MiB in 192 s".
   */
  @Override
  protected boolean alsoHolds(List<Observation> run, Trend trend) {
    Observation last = run.get(run.size() - 1);
    return last.g1 || !(last.usedCompanion > 0) || trend.growth > last.usedCompanion;
  }

  /** Share of the floors left out at each end of {@link #band}. */
  static final double BAND_TAIL = 0.1;

  /**
   * The spread of {@code floors} around their Theil–Sen line: from the {@value #BAND_TAIL}
   * quantile of the residuals to the 1 − {@value #BAND_TAIL} one (0 for fewer than three
   * floors). A leak's floors follow its line closely; a flat live set's floors scatter with the
   * old regions G1 happened to choose.
   */
  static double band(List<Observation> floors) {
    int n = floors.size();
    if (n < 3) {
      return 0;
    }
    TheilSen fit = Trend.of(floors).fit;
    long t0 = floors.get(0).utcNs;
    double[] residuals = new double[n];
    for (int i = 0; i < n; i++) {
      Observation o = floors.get(i);
      residuals[i] = o.value - fit.slopePerSecond() * (o.utcNs - t0) / 1e9;
    }
    java.util.Arrays.sort(residuals);
    return residuals[(int) Math.round((1 - BAND_TAIL) * (n - 1))]
        - residuals[(int) (BAND_TAIL * (n - 1))];
  }

  private static Observation withValue(Observation o, double value) {
    Observation c = o.copy();
    c.value = value;
    return c;
  }

  /**
   * The longest trailing stretch of at least {@code young-only-min-span} whose floors rise: the
   * heap after each reclaiming collection. A G1 heap with a leak does not rise in one run: heap
   * after young collections climbs with promoted garbage until a marking and its mixed
   * collections take it back — every ten seconds or so on a stock JVM filling a 512 MiB heap,
   * measured — but each time to a higher floor (remark 108, 112, 115, 125, 128, 136 MiB: the
   * leak). A flat live set returns to about the same floor; a warm-up's floors level off.
   * Judged on the floors: every third of the stretch must hold one (reclaims throughout, not a
   * single long edge), the lowest floor of each third must be above the one before by more than
   * {@code rise-tolerance}, and the floors must pass the growth checks ({@link GrowthRule}).
   */
  private Stretch risingFloors(List<Observation> history) {
    int n = history.size();
    if (n < 2 || history.get(n - 1).utcNs - history.get(0).utcNs < youngOnlyMinSpanNs) {
      return null;
    }
    for (int start = 0; start < n - 1; start++) {
      List<Observation> stretch = history.subList(start, n);
      long span = history.get(n - 1).utcNs - history.get(start).utcNs;
      if (span < youngOnlyMinSpanNs) {
        break;
      }
      List<Observation> floors = floors(stretch, settings.riseTolerance);
      if (floors.size() >= settings.minPoints && floorsRise(stretch, floors)
          && beyondG1Waste(Trend.of(floors), floors)) {
        Finding f = super.assess(floors, settings.minSpanNs);
        if (f != null) {
          return new Stretch(stretch, f);
        }
      }
    }
    return null;
  }

  /**
   * The floors of a history: where a fall of more than {@code tolerance} ends, the lowest point
   * of each falling stretch.
   */
  static List<Observation> floors(List<Observation> history, double tolerance) {
    List<Observation> floors = new ArrayList<>();
    int i = 1;
    while (i < history.size()) {
      double previous = history.get(i - 1).value;
      if (history.get(i).value < previous - tolerance * Math.abs(previous)) {
        while (i + 1 < history.size() && history.get(i + 1).value <= history.get(i).value) {
          i++;
        }
        floors.add(history.get(i));
      }
      i++;
    }
    return floors;
  }

  /**
   * Whether each third of the stretch (by time) holds a floor and the lowest floor of each third
   * is above the lowest of the third before by more than {@code rise-tolerance}.
   */
  private boolean floorsRise(List<Observation> stretch, List<Observation> floors) {
    long t0 = stretch.get(0).utcNs;
    long span = stretch.get(stretch.size() - 1).utcNs - t0;
    double[] lowest = {Double.NaN, Double.NaN, Double.NaN};
    for (Observation f : floors) {
      int third = (int) Math.min(2, (f.utcNs - t0) * 3 / Math.max(1, span));
      if (Double.isNaN(lowest[third]) || f.value < lowest[third]) {
        lowest[third] = f.value;
      }
    }
    for (int k = 1; k < 3; k++) {
      if (Double.isNaN(lowest[k - 1]) || Double.isNaN(lowest[k])
          || lowest[k] <= lowest[k - 1] + settings.riseTolerance * Math.abs(lowest[k - 1])) {
        return false;
      }
    }
    return true;
  }

  /**
   * Floors never cut the wait short: the live set's own forecast ({@link LiveSetForecast}, a
   * finding by itself) does, from the live set a collection showed. Floors after young
   * collections climb with promoted garbage too: a JVM in a 512 MiB container (Serial GC, 384 MiB
   * heap) whose 120 MiB cache filled at 1.5 MiB/s from its start had its full collections show the
   * live set level at 131–142 MiB from 71 s on while its floors climbed 148 → 240 MiB between
   * them, and a forecast from the floors said "limit 384.0 MiB in 97 s" at 101 s.
   */
  @Override
  protected boolean forecastHolds(List<Observation> run) {
    return false;
  }

  @Override
  protected long requiredSpanNs(List<Observation> run) {
    return run.stream().anyMatch(o -> o.confirmed) ? settings.minSpanNs
        : Math.max(settings.minSpanNs, youngOnlyMinSpanNs);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.LIVE_SET;
  }

  @Override
  protected String what() {
    return "JVM heap after GC";
  }

  @Override
  protected String poolName() {
    return "heap";
  }

  @Override
  protected String note(List<Observation> run) {
    if (run.stream().anyMatch(o -> o.confirmed)) {
      return "";
    }
    return run.stream().anyMatch(o -> o.reclaimed)
        ? " (heap after GC up to G1's last mixed collections)"
        : " (young collections only: not yet confirmed by an old-generation collection)";
  }

  @Override
  public String evidenceKind(Observation o) {
    return o.confirmed ? "GcCycle.liveBytes(min)" : "GcCycle.heapAfterBytes(min, young)";
  }

  @Override
  public String describe(Observation o) {
    return "lowest heap after GC of " + o.count + " GC event(s)"
        + (o.confirmed ? "" : " (young only)")
        + (o.objectClass == null ? "" : "; most sampled class " + o.objectClass);
  }
}

