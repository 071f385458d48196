package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Severity;
import io.memfleet.pipeline.detect.Observation;
import java.time.Duration;
import java.util.List;
import org.apache.flink.cep.pattern.Pattern;

/**
 * A rule about bytes that keep growing: the {@link RunPattern} with the thresholds of
 * {@link GrowthSettings}, then a Theil–Sen fit over the run that must show enough growth. When
 * observations carry a limit in {@link Observation#companion} (e.g. the heap maximum) the finding
 * forecasts when it is reached; a forecast sooner than the critical horizon makes it CRITICAL.
 */
public abstract class GrowthRule extends LeakRule {
  private static final long serialVersionUID = 1L;

  protected final GrowthSettings settings;
  private final long criticalHorizonNs;

  protected GrowthRule(GrowthSettings settings, Duration criticalHorizon) {
    this.settings = settings;
    this.criticalHorizonNs = criticalHorizon.toNanos();
  }

  @Override
  public Pattern<Observation, ?> pattern() {
    return RunPattern.of(this, settings.riseTolerance, settings.minPoints, settings.minSpanNs,
        settings.within);
  }

  @Override
  public Finding assess(List<Observation> run) {
    Trend trend = Trend.of(run);
    if (!trend.grew(settings.minGrowthFraction, settings.minGrowthBytes)
        || !alsoHolds(run, trend)) {
      return null;
    }
    double limit = trend.last.companion;
    Double ttoom = limitIsCompanion() && limit > 0 ? trend.fit.secondsUntil(limit, trend.last.value)
        : null;
    Severity severity = ttoom != null && ttoom * 1e9 <= criticalHorizonNs
        ? Severity.CRITICAL : Severity.WARNING;
    String forecast = ttoom == null ? "" : String.format(java.util.Locale.ROOT,
        ", limit %s in %.0f s", Trend.mib(limit), ttoom);
    return new Finding(severity, trend.perSecond(), ttoom, what() + " grew " + Trend.mib(
        trend.growth) + " in " + Trend.seconds(trend.spanNs) + " (" + Trend.rate(
        trend.perSecond()) + ", now " + Trend.mib(trend.last.value) + forecast + ")");
  }

  /** Rule-specific condition on top of the growth check; true by default. */
  protected boolean alsoHolds(List<Observation> run, Trend trend) {
    return true;
  }

  /** Whether {@link Observation#companion} is a limit the growth is heading for. */
  protected boolean limitIsCompanion() {
    return true;
  }

  /** What grows, for the summary, e.g. {@code "JVM heap after GC"}. */
  protected abstract String what();
}
