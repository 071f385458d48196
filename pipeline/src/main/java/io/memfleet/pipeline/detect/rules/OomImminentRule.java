package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.MemoryPool;
import io.memfleet.event.Severity;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code oom-imminent}: a process's memory cgroup is heading for its limit; forecasts when the
 * kernel will OOM-kill it.
 *
 * <p>Input: {@link Signal#CGROUP_MEMORY} observations — the most the cgroup held in a bucket that
 * the kernel cannot reclaim before it kills ({@link io.memfleet.pipeline.model.Unreclaimable}:
 * usage less page cache, tmpfs and shared memory kept; the working set, usage or RSS where
 * memory.stat was not read) with the limit as companion. Judged on the trailing
 * {@code memfleet.detect.oom.window} (5 min): the run of observations at its end that does not
 * fall (beyond the rise tolerance) is fitted (Theil–Sen); time-to-OOM = (limit − now) / slope.
 * It fires when
 *
 * <ul>
 *   <li>the run grew at least {@code min-growth-fraction} (1%) of the limit — noise on a high
 *       but flat cgroup is no forecast — and
 *   <li>either usage is at least half the limit, still rising at the end of the run
 *       ({@link Trend#persists}), and the forecast is within {@code extrapolation} (1) times the
 *       run's own span — we do not extrapolate beyond what we have seen: a process racing to its
 *       limit is forecast after a few buckets, a slow approach once it has been seen rising as
 *       long as it has left; a start-up that levels off below the limit stops rising first —
 *       and within {@code horizon} (1 h),
 *   <li>or usage is above {@code usage-fraction} (80%) of the limit with {@code min-points} (3)
 *       rising buckets.
 * </ul>
 *
 * <p>CRITICAL when the forecast is sooner than {@code critical-horizon} (10 min), else WARNING.
 * A big, stable cache (high, flat) does not fire, nor does a burst that falls back.
 */
public final class OomImminentRule extends LeakRule implements TrailingRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "oom-imminent";
  /** Heap figures from which the heap's rate, not its share, says which pool fills the cgroup. */
  static final int MIN_HEAP_FIGURES = 3;
  /** Below this share of its limit a history keeps only its rising suffix ({@link #droppable}). */
  static final double KEEP_ALL_SHARE = 0.25;
  /** Points at the end of a run whose median is the rest beside the heap. */
  static final int REST_POINTS = 3;

  private final double usageFraction;
  private final double minGrowthFraction;
  private final int minPoints;
  private final Duration window;
  private final long criticalHorizonNs;
  private final long horizonNs;
  private final double extrapolation;
  private final double tolerance;

  public OomImminentRule(double usageFraction, double minGrowthFraction, int minPoints,
      Duration window, Duration criticalHorizon, Duration horizon, double extrapolation,
      double tolerance) {
    if (usageFraction <= 0 || usageFraction > 1 || minPoints < 2 || extrapolation <= 0
        || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("oom rule: usage fraction in (0, 1], min points >= 2, "
          + "extrapolation and window > 0");
    }
    this.usageFraction = usageFraction;
    this.minGrowthFraction = minGrowthFraction;
    this.minPoints = minPoints;
    this.window = window;
    this.criticalHorizonNs = criticalHorizon.toNanos();
    this.horizonNs = horizon.toNanos();
    this.extrapolation = extrapolation;
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
  public MemoryPool pool(Observation o) {
    return null;
  }

  /**
   * What fills the cgroup over the run: the managed heap when it grows at least half as fast as
   * the cgroup does, else native memory; with fewer than {@value #MIN_HEAP_FIGURES} heap figures,
   * the heap when its newest figure holds at least half of the cgroup's memory at that time; null
   * when no managed heap was reported (the cgroup as a whole). Each series is fitted (Theil–Sen)
   * at its own times: the heap's figures come from another source than the cgroup's samples (a
   * Go scrape, a JFR chunk), can arrive a scrape or more behind them, and one figure can ride on
   * several buckets — it counts once, at its own time, so a late heap does not read as a flat one.
   */
  @Override
  public MemoryPool pool(List<Observation> run) {
    Observation last = run.get(run.size() - 1);
    TreeMap<Long, Double> heap = new TreeMap<>();
    for (Observation o : run) {
      if (!Double.isNaN(o.usedCompanion)) {
        heap.put(o.usedCompanionUtcNs, o.usedCompanion);
      }
    }
    if (heap.isEmpty()) {
      return last.runtime == io.memfleet.event.Runtime.NATIVE ? MemoryPool.NATIVE : null;
    }
    if (heap.size() < MIN_HEAP_FIGURES) {
      // too few for a rate: what holds the memory
      Map.Entry<Long, Double> newest = heap.lastEntry();
      return newest.getValue() >= valueAt(run, newest.getKey()) / 2 ? MemoryPool.HEAP
          : MemoryPool.NATIVE;
    }
    long[] times = new long[run.size()];
    double[] cgroup = new double[run.size()];
    for (int i = 0; i < run.size(); i++) {
      times[i] = run.get(i).utcNs;
      cgroup[i] = run.get(i).value;
    }
    long[] heapTimes = heap.keySet().stream().mapToLong(Long::longValue).toArray();
    double[] heapBytes = heap.values().stream().mapToDouble(Double::doubleValue).toArray();
    double cgroupRate = TheilSen.fit(times, cgroup).slopePerSecond();
    double heapRate = TheilSen.fit(heapTimes, heapBytes).slopePerSecond();
    return cgroupRate > 0 && heapRate >= cgroupRate / 2 ? MemoryPool.HEAP : MemoryPool.NATIVE;
  }

  /**
   * The cgroup's observations carry what the process's heap retains (the heaviest stack of the
   * Go heap profile, the JVM's old-object samples): the culprit when the heap is what fills the
   * cgroup, nobody's when native memory does.
   */
  @Override
  public boolean namesCodeOf(MemoryPool pool) {
    return pool == MemoryPool.HEAP;
  }

  /** The cgroup's value at the observation nearest {@code utcNs}. */
  private static double valueAt(List<Observation> run, long utcNs) {
    Observation nearest = run.get(0);
    for (Observation o : run) {
      if (Math.abs(o.utcNs - utcNs) < Math.abs(nearest.utcNs - utcNs)) {
        nearest = o;
      }
    }
    return nearest.value;
  }

  @Override
  public boolean admits(Observation o) {
    return o.companion > 0;
  }

  @Override
  public Duration window() {
    return window;
  }

  @Override
  public Duration reportEvery() {
    return Duration.ofSeconds(30);
  }

  /**
   * While the newest point is below {@value #KEEP_ALL_SHARE} of its limit, the points before the
   * rising suffix: no forecast can come from them again — a later rising run starts where this
   * one does or after it, since the fall before it stays — and such a process is far from
   * anything the rule alerts on. Closer to the limit the whole window stays, for
   * {@link #pool(List)}. Most processes sit low and flat with small dips, so most histories
   * shrink to their last few points (StateSizeBenchmark, benchmarks README).
   */
  @Override
  public int droppable(List<Observation> history) {
    Observation newest = history.get(history.size() - 1);
    if (!(newest.companion > 0) || newest.value >= KEEP_ALL_SHARE * newest.companion) {
      return 0;
    }
    return history.size() - evidence(history).size();
  }

  /** The trailing run that does not fall, oldest first. */
  @Override
  public List<Observation> evidence(List<Observation> history) {
    return TrailingRule.risingSuffix(history, tolerance);
  }


  @Override
  public Finding assess(List<Observation> history) {
    List<Observation> run = evidence(history);
    if (run.size() < 2) {
      return null;
    }
    Trend trend = Trend.of(run);
    double limit = trend.last.companion;
    Double ttoom = trend.fit.secondsUntil(limit, trend.last.value);
    if (ttoom == null || trend.growth < minGrowthFraction * limit) {
      return null;
    }
    boolean high = trend.last.value >= usageFraction * limit && run.size() >= minPoints;
    // below the usage fraction only a forecast we have seen enough of, from half the limit up
    boolean soon = ttoom * 1e9 <= horizonNs && ttoom <= extrapolation * trend.spanNs / 1e9
        && trend.last.value >= limit / 2 && Trend.persists(run, trend, 1.0 / 3);
    if (!high && !soon || heapStopsFirst(run)) {
      return null;
    }
    Severity severity = ttoom * 1e9 <= criticalHorizonNs ? Severity.CRITICAL : Severity.WARNING;
    return new Finding(severity, trend.perSecond(), ttoom, String.format(Locale.ROOT,
        "cgroup memory at %.0f%% of its %s limit, rising %s: OOM in about %.0f s",
        100 * trend.last.value / limit, Trend.mib(limit), Trend.rate(trend.perSecond()), ttoom),
        String.format(Locale.ROOT, "memory %s of %s limit, rising %s: OOM-kill in about %.0f s",
            Trend.mib(trend.last.value), Trend.mib(limit), Trend.rate(trend.perSecond()),
            ttoom));
  }

  /**
   * Whether the managed heap reaches its own maximum before the cgroup reaches its limit: the rest
   * of the cgroup's memory (its memory less the heap's footprint, at the run's end) plus
   * the whole heap fit under the limit, so neither the heap's growth nor the rest as it stands can
   * bring a kill. A JVM sized for its container ({@code -XX:MaxRAMPercentage=75}) commits its heap
   * up to {@code -Xmx} as it needs it, and a Go program under {@code GOMEMLIMIT} lets its heap
   * fill to that soft limit between collections (with {@code GOGC=off}, as the Go GC guide
   * suggests for a container, every cycle): both rise towards the cgroup's limit fast and stop
   * short of it by design, the cgroup still rising for a while as the heap's pages are first
   * touched. Seen: a Go service with GOMEMLIMIT at 90 % of a 256 MiB cgroup, "OOM-kill in about
   * 11 s" at 57 % and again at 84 %, then at 172–217 MiB as its scavenger returned pages and its
   * heap took them again; a JVM with a 384 MiB heap in 512 MiB, "in about 77 s" at 66 %. The
   * rest at the end is the median of the last {@value #REST_POINTS} points': the heap's figures
   * come from another source than the cgroup's, and where the highest cgroup sample of a bucket
   * predates the scavenger's return and the heap's figure follows it, one point's rest reads
   * 40–50 MiB instead of 10. Whether the heap itself runs out
   * is the heap rules' forecast ({@code live-set-growth}, {@code go-heap-growth}); growth of the
   * rest raises the bound until it no longer fits; a Go heap past its soft limit (its live heap
   * no longer fits) is judged as any other growth.
   */
  static boolean heapStopsFirst(List<Observation> run) {
    Observation last = run.get(run.size() - 1);
    if (Double.isNaN(last.heapMax) || Double.isNaN(last.usedCompanion)
        || last.usedCompanion > last.heapMax) {
      return false;
    }
    double[] rests = new double[REST_POINTS];
    int n = 0;
    for (int i = run.size() - 1; i >= 0 && n < REST_POINTS; i--) {
      Observation o = run.get(i);
      if (!Double.isNaN(o.usedCompanion)) {
        rests[n++] = o.value - o.usedCompanion;
      }
    }
    Arrays.sort(rests, 0, n);
    double rest = rests[(n - 1) / 2];
    return rest + last.heapMax < last.companion;
  }

  @Override
  public String evidenceKind(Observation o) {
    return "ResidentMemory.cgroupUnreclaimable(max)";
  }

  @Override
  public String describe(Observation o) {
    return String.format(Locale.ROOT, "%.1f%% of limit %s", 100 * o.value / o.companion,
        Trend.mib(o.companion));
  }
}
