package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
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
 * growth that reaches the heap maximum within the critical horizon fires at {@code min-span}
 * whatever it is made of. A young-only finding says so in its verdict ("not yet confirmed by an
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

  /** The rising run that ends now: judged backwards from each new bucket. */
  @Override
  public List<Observation> evidence(List<Observation> history) {
    return TrailingRule.risingSuffix(history, settings.riseTolerance);
  }

  @Override
  public Finding assess(List<Observation> history) {
    List<Observation> run = evidence(history);
    return run.size() < settings.minPoints ? null : super.assess(run);
  }

  /**
   * Young collections only (G1 before a marking cycle, a Parallel or Serial JVM between full
   * ones): promoted garbage climbs for minutes — a G1 sawtooth's rising edge, a heap G1 is
   * growing under load — until an old collection takes it back; only growth that outlasts
   * {@code young-only-min-span} (5 min), which such an edge rarely does, counts.
   */
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
