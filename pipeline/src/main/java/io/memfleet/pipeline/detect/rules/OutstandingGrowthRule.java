package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;

/**
 * {@code outstanding-growth}: the bytes one allocating stack still holds (malloc/calloc/realloc
 * not freed, eBPF OUTSTANDING tallies) — or the process's mapped bytes (mmap not unmapped) — keep
 * growing. Each stack is its own series, so the alert names the stack that leaks.
 *
 * <p>Input: {@link Signal#OUTSTANDING} observations (the latest tally per bucket). Thresholds
 * under {@code memfleet.detect.outstanding.*}: 6 buckets, 60 s, within 10 min, growth ≥ 10% and
 * ≥ 4 MiB. A large allocation that stays (a stable cache) has no growth and does not fire.
 */
public final class OutstandingGrowthRule extends GrowthRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "outstanding-growth";

  public OutstandingGrowthRule(GrowthSettings settings, Duration criticalHorizon) {
    super(settings, criticalHorizon);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.OUTSTANDING;
  }

  @Override
  protected boolean limitIsCompanion() {
    return false;
  }

  @Override
  protected String what() {
    return "outstanding native bytes";
  }

  @Override
  protected String poolName() {
    return "native memory";
  }

  @Override
  public io.memfleet.event.MemoryPool pool(Observation o) {
    if (!"mmap".equals(o.series)) {
      return io.memfleet.event.MemoryPool.MALLOC;
    }
    // the process's address space: malloc's heap when the break grew, else mappings
    return o.poolHint != null ? o.poolHint : io.memfleet.event.MemoryPool.MMAP;
  }

  @Override
  public String evidenceKind(Observation o) {
    return "mmap".equals(o.series) ? "MemoryMapping.outstandingBytes"
        : "Allocation.outstandingBytes";
  }

  @Override
  public String describe(Observation o) {
    if (o.stackFrames != null) {
      int nl = o.stackFrames.indexOf('\n');
      return "held by " + (nl < 0 ? o.stackFrames : o.stackFrames.substring(0, nl));
    }
    return "mapped bytes outstanding";
  }
}
