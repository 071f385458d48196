package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code thread-leak}: the process's thread count keeps rising — threads started and never
 * ending (blocked forever, or a pool created per task), each holding its stack and what it
 * references, until the process cannot create another ("unable to create native thread").
 *
 * <p>Input: {@link Signal#THREADS} observations (lowest count of a bucket; series {@code java}
 * from JFR, {@code os} from procfs). Thresholds under {@code memfleet.detect.threads.*}: a
 * rising run over {@code min-span} (2 min) whose growth reaches {@code min-growth-fraction}
 * (20%) and {@code min-growth-bytes}, here a count (64 threads), and lasts to the end of the
 * run: a pool growing to its size under load levels off and does not fire.
 */
public final class ThreadLeakRule extends GrowthRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "thread-leak";

  public ThreadLeakRule(GrowthSettings settings, Duration criticalHorizon) {
    super(settings, criticalHorizon);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.THREADS;
  }

  @Override
  protected boolean limitIsCompanion() {
    return false;
  }

  @Override
  protected String what() {
    return "thread count";
  }

  @Override
  protected String poolName() {
    return "threads";
  }

  @Override
  protected boolean plural() {
    return true;
  }

  @Override
  protected String quantity(double value) {
    return String.format(Locale.ROOT, "%.0f threads", value);
  }

  @Override
  protected String rate(double perSecond) {
    return String.format(Locale.ROOT, "%.2f threads/s", perSecond);
  }

  @Override
  public String evidenceKind(Observation o) {
    return "ThreadCount." + o.series + "(min)";
  }

  @Override
  public String evidenceUnit() {
    return "count";
  }
}
