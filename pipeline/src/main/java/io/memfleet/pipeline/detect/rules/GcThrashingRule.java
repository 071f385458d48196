package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Severity;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code gc-thrashing}: the runtime spends more than {@code gc-fraction} (30%) of its time in GC
 * while the heap is at or above {@code heap-near-max} (90%) of its maximum, for
 * {@code min-points} (3) buckets in a row within {@code within} (5 min) — the state just before
 * an OutOfMemoryError or a GOMEMLIMIT death spiral, whatever the cause.
 *
 * <p>Input: {@link Signal#GC_LOAD} observations: value = GC time fraction of the bucket (sum of
 * stop-the-world pauses / bucket length; for Go the larger of that and the runtime's GC CPU
 * fraction), companion = highest heap used / max in the bucket (NaN when the maximum is
 * unknown, which never fires). GC-heavy but roomy heaps (allocation churn, not a leak) do not fire.
 */
public final class GcThrashingRule extends LeakRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "gc-thrashing";

  private final double gcFraction;
  private final double heapNearMax;
  private final int minPoints;
  private final Duration within;

  public GcThrashingRule(double gcFraction, double heapNearMax, int minPoints, Duration within) {
    if (gcFraction <= 0 || heapNearMax <= 0 || minPoints < 2) {
      throw new IllegalArgumentException("gc rule: fractions > 0 and min points >= 2");
    }
    this.gcFraction = gcFraction;
    this.heapNearMax = heapNearMax;
    this.minPoints = minPoints;
    this.within = within;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.GC_LOAD;
  }

  @Override
  public boolean admits(Observation o) {
    return o.value >= gcFraction && o.companion >= heapNearMax;
  }

  @Override
  public RunShape run() {
    return new RunShape(Double.NaN, minPoints, 1, within);
  }

  @Override
  public Finding assess(List<Observation> run) {
    double gc = 0;
    double heap = 0;
    for (Observation o : run) {
      gc += o.value;
      heap = Math.max(heap, o.companion);
    }
    Observation last = run.get(run.size() - 1);
    return new Finding(Severity.CRITICAL, null, null, String.format(Locale.ROOT,
        "GC takes %.0f%% of the time with the heap at %.0f%% of its maximum, %d buckets in a row",
        100 * gc / run.size(), 100 * heap, run.size()) + (last.objectClass == null ? ""
        : "; most sampled class " + last.objectClass), String.format(Locale.ROOT,
        "heap full (%.0f%% of max): GC takes %.0f%% of the time", 100 * heap,
        100 * gc / run.size()));
  }

  @Override
  public String evidenceKind(Observation o) {
    return "gc-time-fraction";
  }

  @Override
  public String evidenceUnit() {
    return "fraction";
  }

  @Override
  public String describe(Observation o) {
    return String.format(Locale.ROOT, "heap at %.0f%% of max", 100 * o.companion);
  }
}
