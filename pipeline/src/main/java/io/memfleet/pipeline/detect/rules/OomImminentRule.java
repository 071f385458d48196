package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Severity;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.cep.pattern.Pattern;

/**
 * {@code oom-imminent}: the memory cgroup is above {@code memfleet.detect.oom.usage-fraction}
 * (80%) of its limit and rising; forecasts when it reaches the limit.
 *
 * <p>Input: {@link Signal#CGROUP_MEMORY} observations (highest cgroup usage of a bucket — RSS
 * where the cgroup was not read — with the limit as companion; processes without a limit make
 * none). Fires on {@code min-points} (3) rising buckets above the fraction within {@code within}
 * (5 min) whose Theil–Sen growth is at least {@code min-growth-fraction} (1%) of the limit;
 * time-to-OOM = (limit − current) / slope, CRITICAL
 * when sooner than {@code critical-horizon} (10 min), else WARNING. High but flat usage — a big,
 * stable cache — does not fire.
 */
public final class OomImminentRule extends LeakRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "oom-imminent";

  private final double usageFraction;
  private final double minGrowthFraction;
  private final int minPoints;
  private final Duration within;
  private final long criticalHorizonNs;
  private final double tolerance;

  public OomImminentRule(double usageFraction, double minGrowthFraction, int minPoints,
      Duration within, Duration criticalHorizon, double tolerance) {
    if (usageFraction <= 0 || usageFraction > 1 || minPoints < 2) {
      throw new IllegalArgumentException("oom rule: usage fraction in (0, 1], min points >= 2");
    }
    this.usageFraction = usageFraction;
    this.minGrowthFraction = minGrowthFraction;
    this.minPoints = minPoints;
    this.within = within;
    this.criticalHorizonNs = criticalHorizon.toNanos();
    this.tolerance = tolerance;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.CGROUP_MEMORY;
  }

  @Override
  public boolean admits(Observation o) {
    return o.companion > 0 && o.value >= usageFraction * o.companion;
  }

  @Override
  public Pattern<Observation, ?> pattern() {
    return RunPattern.of(this, tolerance, minPoints, 1, within);
  }

  @Override
  public Finding assess(List<Observation> run) {
    Trend trend = Trend.of(run);
    double limit = trend.last.companion;
    Double ttoom = trend.fit.secondsUntil(limit, trend.last.value);
    if (ttoom == null || trend.growth < minGrowthFraction * limit) {
      return null;
    }
    Severity severity = ttoom * 1e9 <= criticalHorizonNs ? Severity.CRITICAL : Severity.WARNING;
    return new Finding(severity, trend.perSecond(), ttoom, String.format(Locale.ROOT,
        "cgroup memory at %.0f%% of its %s limit, rising %s: OOM in about %.0f s",
        100 * trend.last.value / limit, Trend.mib(limit), Trend.rate(trend.perSecond()), ttoom));
  }

  @Override
  public String evidenceKind(Observation o) {
    return "ResidentMemory.cgroupUsageBytes(max)";
  }

  @Override
  public String describe(Observation o) {
    return String.format(Locale.ROOT, "%.1f%% of limit %s", 100 * o.value / o.companion,
        Trend.mib(o.companion));
  }
}
