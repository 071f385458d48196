package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Severity;
import io.memfleet.pipeline.detect.Observation;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A rule about a quantity that keeps growing: the {@link RunShape} with the thresholds of
 * {@link GrowthSettings}, then a Theil–Sen fit over the run that must show enough growth, growth
 * that lasts to the end of the run ({@link Trend#persists}: the last third of the run grows at
 * least {@value #PERSIST_SHARE} of the run's rate), and whatever the rule adds
 * ({@link #alsoHolds}).
 *
 * <p>How a leak is told from a warm-up: both grow, but a warm-up levels off — a runtime loading
 * classes and compiling code, a cache filling to its bound, a pool reaching its size — while a
 * leak keeps its rate. A run therefore has to cover {@code min-span} and still grow at the
 * end. Growth that has lasted since the process started is ambiguous longer — a cache filling
 * at a steady rate looks exactly like a leak until it reaches its bound — so a run that begins
 * within {@code from-start.window} (2 min) of the process start must go on for {@code min-span}
 * after that window (a full collection does not help: a cache is live data too); growth that
 * starts after a steady state, the common leak of a running service, needs only
 * {@code min-span}. Nothing is ignored for a fixed age, and growth
 * that reaches its limit (the heap maximum, a pool's maximum) within the critical horizon is
 * alerted whether it is a leak or not — the process is about to run out either way — once the
 * run has shown it: at least half the limit, reached within as long as the run has been seen
 * rising ({@link #forecastSeen}). When observations carry a limit in
 * {@link Observation#companion} (the heap maximum, a pool's maximum) the finding forecasts when
 * it is reached; a forecast sooner than the critical horizon makes it CRITICAL. A run that only
 * climbs back to where its series stood before a fall is no growth ({@link #climbsPast}).
 */
public abstract class GrowthRule extends LeakRule {
  private static final long serialVersionUID = 1L;
  static final double PERSIST_SHARE = 1.0 / 3;

  protected final GrowthSettings settings;
  private final long criticalHorizonNs;

  protected GrowthRule(GrowthSettings settings, Duration criticalHorizon) {
    this.settings = settings;
    this.criticalHorizonNs = criticalHorizon.toNanos();
  }

  /** A forecast sooner than this is CRITICAL. */
  protected long criticalHorizonNs() {
    return criticalHorizonNs;
  }

  @Override
  public RunShape run() {
    return new RunShape(settings.riseTolerance, settings.minPoints, settings.minSpanNs,
        settings.within);
  }

  @Override
  public Finding assess(List<Observation> run) {
    return assess(run, requiredSpanNs(run));
  }

  /**
   * {@link #assess(List)} with the span the run must cover when its limit is not minutes away
   * given: a rule that judges a run drawn from a longer history asks for that history's span.
   */
  protected Finding assess(List<Observation> run, long requiredSpanNs) {
    Trend trend = Trend.of(run);
    if (trend.spanNs < settings.minSpanNs
        || !trend.grew(settings.minGrowthFraction, settings.minGrowthBytes)
        || !Trend.persists(run, trend, PERSIST_SHARE) || !alsoHolds(run, trend)) {
      return null;
    }
    double limit = trend.last.companion;
    Double ttoom = limitIsCompanion() && limit > 0 ? trend.fit.secondsUntil(limit, trend.last.value)
        : null;
    boolean exhaustsSoon = ttoom != null && ttoom * 1e9 <= criticalHorizonNs
        && forecastSeen(trend, ttoom) && forecastHolds(run);
    if (!exhaustsSoon && (fromStartNeedsMore(run, trend)
        || trend.spanNs < requiredSpanNs)) {
      return null;
    }
    Severity severity = ttoom != null && ttoom * 1e9 <= criticalHorizonNs
        ? Severity.CRITICAL : Severity.WARNING;
    String forecast = ttoom == null ? "" : String.format(Locale.ROOT,
        ", limit %s in %.0f s", Trend.mib(limit), ttoom);
    return new Finding(severity, trend.perSecond(), ttoom, what() + " grew " + quantity(
        trend.growth) + " in " + Trend.seconds(trend.spanNs) + " (" + rate(trend.perSecond())
        + ", now " + quantity(trend.last.value) + forecast + ")" + note(run),
        poolName() + (plural() ? " grow " : " grows ") + rate(trend.perSecond()) + note(run));
  }

  /**
   * Growth is growth past where the series stood: a run that climbs back from a fall to about
   * where it was before it (a daemon loading the same batch every few minutes and freeing it, a
   * worker pool filling again after it drained) holds no more than the process held minutes ago.
   * The run's newest value must exceed {@code earlierPeak} by the rule's growth thresholds
   * ({@code min-growth-bytes}, and {@code min-growth-fraction} of the peak). Seen: a C daemon
   * loading 240 MiB in 30 s every 4.5 minutes and freeing it after a minute, alerted as
   * "native memory grew 217.0 MiB in 100 s" on its second load, flat before it.
   */
  @Override
  public boolean climbsPast(List<Observation> run, double earlierPeak) {
    double above = run.get(run.size() - 1).value - earlierPeak;
    return above > 0 && above >= settings.minGrowthBytes
        && above >= settings.minGrowthFraction * Math.abs(earlierPeak);
  }

  /**
   * Growth that began with its process — no steady state seen before it — may be the process
   * warming up or filling a cache (live data either way, so a full collection does not tell
   * them apart): what it did in its first {@code from-start.window} is no evidence by itself, the
   * growth must go on for {@code min-span} after that, and what it grew after the window must
   * reach the rule's growth thresholds on its own. Without the second condition a warm-up
   * followed by a creep passed on the warm-up's growth (seen: memfleet's own collector JVM, heap
   * after young collections 16 → 60 MiB in its first two minutes, then 60 → 65 MiB over five,
   * alerted as "grew 12.4 MiB in 419 s").
   */
  private boolean fromStartNeedsMore(List<Observation> run, Trend trend) {
    Observation first = run.get(0);
    if (first.processStartTimeMs <= 0) {
      return false;
    }
    long windowEndNs = first.processStartTimeMs * 1_000_000L + settings.fromStartWindowNs;
    if (first.utcNs > windowEndNs) {
      return false;
    }
    if (trend.last.utcNs - windowEndNs < settings.minSpanNs) {
      return true;
    }
    int from = 0;
    while (from < run.size() && run.get(from).utcNs < windowEndNs) {
      from++;
    }
    List<Observation> after = run.subList(Math.max(0, from - 1), run.size());
    return after.size() < 2
        || !Trend.of(after).grew(settings.minGrowthFraction, settings.minGrowthBytes);
  }

  /**
   * Whether a forecast may cut the wait short by what the run itself shows: the quantity at least
   * half its limit, and the limit reached within as long as the run has been seen rising — as
   * {@code oom-imminent} and the live set's forecast ask, nothing is extrapolated beyond what was
   * seen. A cache filling from its process's start towards a bound well below the limit is
   * forecast to reach the limit, at the rate it fills, as soon as its rise is long enough to
   * judge, and then stops; seen on a JVM in a 512 MiB container (Serial GC, 384 MiB heap) whose
   * 120 MiB cache filled at 1.5 MiB/s: "limit 384.0 MiB in 105 s" after 90 s, at 49 % of it.
   */
  static boolean forecastSeen(Trend trend, double ttoomSeconds) {
    return trend.last.value >= trend.last.companion / 2 && ttoomSeconds * 1e9 <= trend.spanNs;
  }

  /**
   * Whether a forecast from this run may cut its wait short: true by default; a rule whose
   * evidence may not be the quantity that runs out says no.
   */
  protected boolean forecastHolds(List<Observation> run) {
    return true;
  }

  /**
   * The span this run must cover when its limit is not minutes away: {@code min-span} by
   * default; a rule asks for more when its evidence is weaker.
   */
  protected long requiredSpanNs(List<Observation> run) {
    return settings.minSpanNs;
  }

  /** Rule-specific condition on top of the growth checks; true by default. */
  protected boolean alsoHolds(List<Observation> run, Trend trend) {
    return true;
  }

  /** Whether {@link Observation#companion} is a limit the growth is heading for. */
  protected boolean limitIsCompanion() {
    return true;
  }

  /** What grows, for the summary, e.g. {@code "JVM heap after GC"}. */
  protected abstract String what();

  /** The pool in the verdict's words, e.g. {@code "heap"}, {@code "metaspace"}. */
  protected abstract String poolName();

  /** Whether {@link #poolName()} is plural ("threads grow"). */
  protected boolean plural() {
    return false;
  }

  /** Extra words for the summary and verdict about this run, e.g. a caveat; "" by default. */
  protected String note(List<Observation> run) {
    return "";
  }

  /** A value in the rule's unit (bytes by default). */
  protected String quantity(double value) {
    return Trend.mib(value);
  }

  /** A rate in the rule's unit per second (bytes by default). */
  protected String rate(double perSecond) {
    return Trend.rate(perSecond);
  }
}
