package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.List;

/**
 * {@code go-heap-growth}: a Go program's live heap keeps rising across GC cycles.
 *
 * <p>Input: {@link Signal#GO_LIVE_HEAP} observations, the lowest marked live heap (gctrace) — or
 * heap after — of the GC cycles in a bucket. Fires on a rising run of
 * {@code memfleet.detect.go-heap.min-points} (6) buckets over {@code min-span} (60 s) within
 * {@code within} (10 min) whose Theil–Sen growth is at least {@code min-growth-fraction} (10%)
 * and {@code min-growth-bytes} (4 MiB). Forecasts reaching GOMEMLIMIT when it is set (a soft
 * limit: the forecast does not cut the wait, {@link #forecastHolds}). Short-lived garbage does
 * not move the live heap; bursts that return to baseline break the run.
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

  /**
   * GOMEMLIMIT is a soft limit: a heap that reaches it is collected harder, and grows past it
   * while it must, until the container's limit kills the process — which {@code oom-imminent}
   * forecasts. Reaching it says nothing of a leak, so its forecast does not cut the from-start
   * wait: seen on a thumbnail service under {@code GOMEMLIMIT=200MiB} whose 150 MiB cache filled
   * at 1.5 MiB/s, "limit 200.0 MiB in 28 s" after 90 s, at 79 % of the limit, before the cache
   * reached its bound.
   */
  @Override
  protected boolean forecastHolds(List<Observation> run) {
    return false;
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
