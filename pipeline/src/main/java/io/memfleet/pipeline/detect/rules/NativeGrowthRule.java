package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Runtime;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.List;

/**
 * {@code native-growth}: native (off-heap) memory — resident memory minus the managed heap's
 * committed size — keeps growing while the managed heap stays flat: direct buffers, JNI or cgo
 * allocations, thread stacks, arenas.
 *
 * <p>Input: {@link Signal#NATIVE} observations (lowest RSS − managed of a bucket, with the
 * managed committed bytes as companion). Thresholds under {@code memfleet.detect.native.*}: 6
 * buckets, 60 s, within 10 min, growth ≥ 10% and ≥ 8 MiB; the managed heap counts as flat when
 * its Theil–Sen change over the run is at most {@code managed-flat-fraction} (5%) of its size
 * and below half the native growth, and no two of its committed sizes in the run differ by half
 * the native growth — a heap that grows with RSS is a heap leak, not this rule's, and a heap that
 * commits more writes pages its use does not show yet (RSS − heap rises with them).
 * For a JVM or Go program, observations from the first {@code min-process-age} (5 min) are
 * ignored: the runtime itself grows native memory for minutes while it warms up (the JIT's code
 * cache, metaspace, GC and profiler buffers), slowing down gradually rather than stopping, and
 * its heap leaks are the heap rules' business meanwhile. A process without a managed heap (C,
 * C++) is judged from its first minute: its observations are its resident set (companion 0),
 * and its warm-ups are told from leaks by growth that lasts to the end of the run, as for every
 * growth rule. A Go program that serves no runtime metrics is judged on its resident set too,
 * after the same {@code min-process-age} (its Go heap is in the figure, and the verdict says so).
 * The alert names the stack that faulted in the most new pages in the last bucket
 * (eBPF page faults by stack) where the eBPF collector runs.
 */
public final class NativeGrowthRule extends GrowthRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "native-growth";

  private final double managedFlatFraction;
  private final long minProcessAgeMs;

  public NativeGrowthRule(GrowthSettings settings, Duration criticalHorizon,
      double managedFlatFraction, Duration minProcessAge) {
    super(settings, criticalHorizon);
    this.managedFlatFraction = managedFlatFraction;
    this.minProcessAgeMs = minProcessAge.toMillis();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.NATIVE;
  }

  @Override
  public boolean admits(Observation o) {
    // a Go program's resident set alone (companion 0: no runtime metrics) waits as well: the Go
    // heap is in it, and a heap that stopped growing still lifts the resident set for minutes
    // while its collections' peaks climb to the heap goal (seen: a 150 MiB cache full at 107 s,
    // its program's resident set 254 -> 309 MiB over the next 100 s, alerted at 4 min)
    boolean managed = o.runtime == Runtime.JVM || o.runtime == Runtime.GO;
    boolean warmedUp = !managed || o.processStartTimeMs <= 0
        || Math.floorDiv(o.utcNs, 1_000_000L) - o.processStartTimeMs >= minProcessAgeMs;
    return !Double.isNaN(o.companion) && warmedUp;
  }

  @Override
  protected boolean limitIsCompanion() {
    return false;
  }

  @Override
  protected boolean alsoHolds(List<Observation> run, Trend nativeTrend) {
    long[] t = new long[run.size()];
    double[] managed = new double[run.size()];
    double largest = 0;
    double least = Double.MAX_VALUE;
    for (int i = 0; i < t.length; i++) {
      t[i] = run.get(i).utcNs;
      managed[i] = run.get(i).companion;
      largest = Math.max(largest, Math.abs(managed[i]));
      least = Math.min(least, Math.abs(managed[i]));
    }
    double change = Math.abs(TheilSen.fit(t, managed).slopePerSecond() * nativeTrend.spanNs / 1e9);
    // and no step in it either, which the robust slope passes over: a heap that commits more
    // writes its new regions' pages before its use shows them, and RSS grows with them (seen on
    // a G1 JVM: 84 → 131 MiB committed, "native" up 17 MiB the next 10 s)
    double step = largest - least;
    return change <= managedFlatFraction * largest && change < nativeTrend.growth / 2
        && step < nativeTrend.growth / 2 && usedHeapIsFlat(run, t, nativeTrend);
  }

  /**
   * The heap's use must be flat too (where reported): a heap at its committed maximum whose use
   * keeps rising touches new pages, and RSS grows with it — a heap leak, found by the heap rules.
   */
  private boolean usedHeapIsFlat(List<Observation> run, long[] t, Trend nativeTrend) {
    double[] used = new double[run.size()];
    double largest = 0;
    for (int i = 0; i < used.length; i++) {
      used[i] = run.get(i).usedCompanion;
      if (Double.isNaN(used[i])) {
        return true; // not reported (e.g. Go without expvar): committed flatness decides
      }
      largest = Math.max(largest, used[i]);
    }
    double change = TheilSen.fit(t, used).slopePerSecond() * nativeTrend.spanNs / 1e9;
    return change <= managedFlatFraction * largest || change < nativeTrend.growth / 4;
  }

  @Override
  protected String what() {
    return "native memory (RSS − managed heap)";
  }

  @Override
  protected String poolName() {
    return "native memory outside the managed heap";
  }

  /** What a Go program without runtime metrics is said to grow: its heap is in the figure. */
  static final String GO_WITHOUT_METRICS = " (a Go program without runtime metrics: its resident"
      + " set, Go heap included — serve expvar or net/http/pprof to tell the two apart)";

  @Override
  protected String note(List<Observation> run) {
    Observation last = run.get(run.size() - 1);
    return last.runtime == Runtime.GO && last.companion == 0 ? GO_WITHOUT_METRICS : "";
  }

  @Override
  public String evidenceKind(Observation o) {
    return "NativeMemory.nativeBytes(min)";
  }

  @Override
  public String describe(Observation o) {
    return String.format(java.util.Locale.ROOT, "managed heap committed %s",
        Trend.mib(o.companion));
  }
}
