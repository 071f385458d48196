package io.memfleet.pipeline.detect.rules;

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
 * the end of the run ({@link GrowthRule}), with more span for growth from the process's start;
 * confirmed growth that reaches the heap maximum within the critical horizon fires at
 * {@code min-span} (young-only growth heads for the maximum whenever G1 lets promoted garbage
 * pile up, as a cache filling a 512 MiB heap did: "limit in 147 s", then flat). A G1 heap whose
 * markings and mixed collections keep taking promoted garbage back never rises in one run; there
 * the floors it is taken back to are judged instead, over at least {@code young-only-min-span}
 * ({@link #risingFloors}). A young-only finding says so in its verdict ("not yet confirmed by an
 * old-generation collection"), and the alert manager resolves it if an old collection reclaims
 * it. A sawtooth that returns to baseline breaks the run; a stable cache does not grow; a
 * warm-up levels off.
 */
public final class LiveSetGrowthRule extends GrowthRule implements TrailingRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "live-set-growth";

  private final long youngOnlyMinSpanNs;

  public LiveSetGrowthRule(GrowthSettings settings, Duration criticalHorizon,
      Duration youngOnlyMinSpan) {
    super(settings, criticalHorizon);
    this.youngOnlyMinSpanNs = youngOnlyMinSpan.toNanos();
  }

  @Override
  public Duration window() {
    return settings.within;
  }

  /**
   * The history the finding rests on: the rising run that ends now when it is one, else the
   * stretch whose floors rise ({@link #floorsRise}), else the rising run.
   */
  @Override
  public List<Observation> evidence(List<Observation> history) {
    List<Observation> run = TrailingRule.risingSuffix(history, settings.riseTolerance);
    if (judgeRun(run) != null) {
      return run;
    }
    Stretch s = risingFloors(history);
    return s == null ? run : s.history;
  }

  @Override
  public Finding assess(List<Observation> history) {
    Finding f = judgeRun(TrailingRule.risingSuffix(history, settings.riseTolerance));
    if (f != null) {
      return f;
    }
    Stretch s = risingFloors(history);
    return s == null ? null : s.finding;
  }

  private Finding judgeRun(List<Observation> run) {
    return run.size() < settings.minPoints ? null : super.assess(run);
  }

  /** A trailing stretch of history, its floors and what they show. */
  private record Stretch(List<Observation> history, Finding finding) {}

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
      if (floors.size() >= settings.minPoints && floorsRise(stretch, floors)) {
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

  @Override
  protected boolean forecastHolds(List<Observation> run) {
    return run.stream().anyMatch(o -> o.confirmed);
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
    return run.stream().anyMatch(o -> o.confirmed) ? ""
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
