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
 * yet is judged too. After a young collection the old generation may still hold promoted
 * garbage, which only an old, mixed or full collection (or a ZGC/Shenandoah cycle) removes; when
 * one runs, the heap falls back and the run breaks. A run made only of young collections is
 * reported with that caveat in its verdict ("not yet confirmed by an old-generation collection")
 * and is resolved, if an old collection then reclaims it, by the alert manager. Fires on a run
 * of at least {@code memfleet.detect.live-set.min-points} buckets over at least
 * {@code min-span}, none falling more than {@code memfleet.detect.rise-tolerance}, within
 * {@code within}, whose Theil–Sen growth reaches {@code min-growth-fraction} and
 * {@code min-growth-bytes} and lasts to the end of the run ({@link GrowthRule}). Forecasts
 * reaching the heap maximum when known. A sawtooth that returns to baseline breaks the run; a
 * large but stable cache does not grow; a warm-up levels off.
 */
public final class LiveSetGrowthRule extends GrowthRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "live-set-growth";

  public LiveSetGrowthRule(GrowthSettings settings, Duration criticalHorizon) {
    super(settings, criticalHorizon);
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
