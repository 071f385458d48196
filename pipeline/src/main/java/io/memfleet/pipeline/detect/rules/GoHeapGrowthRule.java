package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;

/**
 * {@code go-heap-growth}: a Go program's live heap keeps rising across GC cycles.
 *
 * <p>Input: {@link Signal#GO_LIVE_HEAP} observations, the lowest marked live heap (gctrace) — or
 * heap after — of the GC cycles in a bucket. Fires on a rising run of
 * {@code memfleet.detect.go-heap.min-points} (6) buckets over {@code min-span} (60 s) within
 * {@code within} (10 min) whose Theil–Sen growth is at least {@code min-growth-fraction} (10%)
 * and {@code min-growth-bytes} (4 MiB). Forecasts reaching GOMEMLIMIT when it is set. Short-lived
 * garbage does not move the live heap; bursts that return to baseline break the run.
 */
public final class GoHeapGrowthRule extends GrowthRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "go-heap-growth";

  public GoHeapGrowthRule(GrowthSettings settings, Duration criticalHorizon) {
    super(settings, criticalHorizon);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.GO_LIVE_HEAP;
  }

  @Override
  protected String what() {
    return "Go live heap";
  }

  @Override
  protected String poolName() {
    return "Go heap";
  }

  @Override
  public String evidenceKind(Observation o) {
    return "GcCycle.liveBytes(min)";
  }

  @Override
  public String describe(Observation o) {
    return "lowest live heap of " + o.count + " GC cycle(s)";
  }
}
