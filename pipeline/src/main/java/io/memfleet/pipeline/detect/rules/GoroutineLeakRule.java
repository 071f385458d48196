package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code goroutine-leak}: a Go program's goroutine count keeps rising — goroutines blocked
 * forever (a channel nobody sends on, a lock nobody releases), each holding its stack and what
 * it references.
 *
 * <p>Input: {@link Signal#GOROUTINES} observations (lowest count of a bucket, so a burst inside
 * one bucket does not count; where the goroutine profile was read, the stack most goroutines are
 * parked in rides along and is named by the alert). Thresholds under
 * {@code memfleet.detect.goroutines.*}: a run of rising buckets over {@code min-span} (2 min)
 * whose Theil–Sen growth reaches {@code min-growth-fraction} (20%) and {@code min-growth-bytes},
 * here goroutines (500), and lasts to the end of the run ({@link GrowthRule}); only counts above
 * {@code threshold} (0) are judged. Bursts that drain break the run; a large pool that is stable
 * or a server whose connection count levels off do not fire. No fixed size is a leak: a program
 * with 50 000 steady goroutines is fine, one growing from 200 to 2 000 in two minutes is not.
 */
public final class GoroutineLeakRule extends GrowthRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "goroutine-leak";

  private final long threshold;

  public GoroutineLeakRule(GrowthSettings settings, Duration criticalHorizon, long threshold) {
    super(settings, criticalHorizon);
    this.threshold = threshold;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.GOROUTINES;
  }

  @Override
  public boolean admits(Observation o) {
    return o.value > threshold;
  }

  @Override
  protected boolean limitIsCompanion() {
    return false;
  }

  @Override
  protected String what() {
    return "goroutine count";
  }

  @Override
  protected String poolName() {
    return "goroutines";
  }

  @Override
  protected boolean plural() {
    return true;
  }

  @Override
  protected String quantity(double value) {
    return String.format(Locale.ROOT, "%.0f goroutines", value);
  }

  @Override
  protected String rate(double perSecond) {
    return String.format(Locale.ROOT, "%.1f goroutines/s", perSecond);
  }

  @Override
  public String evidenceKind(Observation o) {
    return "ThreadCount.goroutines(min)";
  }

  @Override
  public String evidenceUnit() {
    return "count";
  }
}
