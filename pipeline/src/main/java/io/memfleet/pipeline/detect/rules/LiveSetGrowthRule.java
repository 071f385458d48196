package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;

/**
 * {@code live-set-growth}: the JVM's heap after GC keeps rising — what a JVM still holds after
 * collecting grows across collections, the signature of a managed-heap leak.
 *
 * <p>Input: {@link Signal#LIVE_SET} observations, each the lowest heap-after of the old, full and
 * mixed collections in one bucket (after a FULL GC that is the live set exactly). Young
 * collections do not count: the old generation they leave behind holds promoted garbage that
 * climbs for minutes until the next old collection, which a paced healthy service showed to look
 * like a leak. A G1 JVM that never needs an old collection is therefore left to
 * {@code oom-imminent}. Fires on a run of at least
 * {@code memfleet.detect.live-set.min-points} (6) buckets over at least {@code min-span} (60 s),
 * none falling more than {@code memfleet.detect.rise-tolerance} (2%), completed within
 * {@code within} (10 min), whose Theil–Sen growth is at least {@code min-growth-fraction} (10%)
 * and {@code min-growth-bytes} (8 MiB). Forecasts reaching the heap maximum when known.
 * A sawtooth that returns to baseline breaks the run; a large but stable cache does not grow.
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
  public String evidenceKind(Observation o) {
    return "GcCycle.heapAfterBytes(min)";
  }

  @Override
  public String describe(Observation o) {
    return "lowest heap after GC of " + o.count + " GC event(s)"
        + (o.objectClass == null ? "" : "; most sampled class " + o.objectClass);
  }
}
