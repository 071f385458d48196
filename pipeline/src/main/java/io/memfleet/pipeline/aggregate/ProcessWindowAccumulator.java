package io.memfleet.pipeline.aggregate;

import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Running state of one {@link ProcessWindow} while its window is open: public fields, arrays of
 * primitives, written by {@link ProcessWindowAccumulatorSerializer} (declared with
 * {@code @TypeInfo}; it lives in keyed window state of every process).
 *
 * <p>GC pauses are kept exactly up to {@link #MAX_PAUSES} per window for the percentiles; beyond
 * that a deterministic reservoir (every k-th pause) keeps the memory bounded — a window with
 * thousands of pauses is GC thrashing anyway, and its max and total stay exact.
 *
 * <p>The memory breakdown is one latest value (and its event time) per {@link BreakdownMeasure}
 * in two fixed-size arrays, plus the lowest live set: its size does not depend on the events.
 */
@TypeInfo(ProcessWindowAccumulatorSerializer.Factory.class)
public class ProcessWindowAccumulator {
  static final int MAX_PAUSES = 512;
  /** The pools outside the managed heap that {@link #nativeOther} takes from RSS. */
  private static final BreakdownMeasure[] NAMED_OUTSIDE_HEAP = {BreakdownMeasure.METASPACE,
      BreakdownMeasure.CLASS_SPACE, BreakdownMeasure.CODE_CACHE, BreakdownMeasure.GC_METADATA,
      BreakdownMeasure.DIRECT_BUFFERS, BreakdownMeasure.MAPPED_BUFFERS,
      BreakdownMeasure.THREAD_STACKS, BreakdownMeasure.GOROUTINE_STACKS,
      BreakdownMeasure.RUNTIME_OTHER};

  // identity as the (enriched) events carry it; the newest non-empty value wins
  public String service;
  public String namespace;
  public String pod;
  public String container;
  public String comm;
  public io.memfleet.event.Runtime runtime;

  public long rssMax;
  public long rssSum;
  public int rssCount;
  public long rssLast;
  public long rssLastUtcNs = Long.MIN_VALUE;
  public long managedUsedMax;
  public long managedCommittedMax;
  public long managedLimit;
  public long heapAfterGcMin = Long.MAX_VALUE;
  public long nativeMax = Long.MIN_VALUE;
  public long nativeLast;
  public long nativeLastUtcNs = Long.MIN_VALUE;
  public long cgroupUsageMax;
  public long cgroupLimit;
  public long threadsMax;
  public long goroutinesMax;
  public int gcCount;
  public long gcPauseTotalNs;
  public long gcPauseMaxNs;
  public long[] pauses = new long[0];
  public int pauseCount;
  public double gcCpuFraction;
  public long allocBytes;
  public int samples;

  /** Latest value of each {@link BreakdownMeasure}, by ordinal. */
  public long[] latest = new long[BreakdownMeasure.COUNT];
  /** Event time of each latest value; {@code Long.MIN_VALUE}: not seen in the window. */
  public long[] latestUtcNs = unseen();
  /** Lowest live set of a GC cycle that shows it; {@code Long.MAX_VALUE}: none. */
  public long liveSetMin = Long.MAX_VALUE;
  /**
   * How often the resident set holds the heap, from the collector a JVM's pools name
   * ({@code Shmem.heapViews}: 3 for JDK 17's ZGC); 0 until known, taken as 1.
   */
  public int heapViews;

  public ProcessWindowAccumulator() {}

  private static long[] unseen() {
    long[] times = new long[BreakdownMeasure.COUNT];
    Arrays.fill(times, Long.MIN_VALUE);
    return times;
  }

  /** Keeps {@code value} as the measure's latest unless a later reading is already kept. */
  void observe(BreakdownMeasure m, long value, long utcNs) {
    int i = m.ordinal();
    if (utcNs >= latestUtcNs[i]) {
      latest[i] = value;
      latestUtcNs[i] = utcNs;
    }
  }

  /** Like {@link #observe}, for a field the source may leave out (null: nothing to keep). */
  void observe(BreakdownMeasure m, Long value, long utcNs) {
    if (value != null) {
      observe(m, value.longValue(), utcNs);
    }
  }

  boolean seen(BreakdownMeasure m) {
    return latestUtcNs[m.ordinal()] != Long.MIN_VALUE;
  }

  /** The measure's latest value in the window; 0 when no source reported it. */
  long latest(BreakdownMeasure m) {
    return seen(m) ? latest[m.ordinal()] : 0;
  }

  /**
   * What the resident set holds beyond the heap and every named pool: RSS − (resident heap +
   * metaspace + class space + code cache + GC metadata + direct and mapped buffers + thread and
   * goroutine stacks + runtime other), floored at 0. The resident heap is the committed heap less
   * what Go released to the OS (it stays in HeapSys but leaves RSS); the heap in use stands in
   * where no source reported the committed size. Pools nobody reported count as 0, so for a
   * native process this is its whole RSS; without an RSS reading in the window it is 0 (unknown).
   * Native memory tracking is not subtracted: its total covers the heap and the pools already.
   * A heap the resident set holds more than once (JDK 17's ZGC maps it three times) is taken as
   * often.
   */
  long nativeOther() {
    if (rssLastUtcNs == Long.MIN_VALUE) {
      return 0;
    }
    long heap = seen(BreakdownMeasure.HEAP_COMMITTED) ? latest(BreakdownMeasure.HEAP_COMMITTED)
        : latest(BreakdownMeasure.HEAP_USED);
    long named = Math.max(1, heapViews)
        * Math.max(0, heap - latest(BreakdownMeasure.HEAP_RELEASED));
    for (BreakdownMeasure m : NAMED_OUTSIDE_HEAP) {
      named += latest(m);
    }
    return Math.max(0, rssLast - named);
  }

  void addPause(long durationNs) {
    gcPauseTotalNs += durationNs;
    gcPauseMaxNs = Math.max(gcPauseMaxNs, durationNs);
    pauseCount++;
    if (pauses.length < MAX_PAUSES) {
      pauses = Arrays.copyOf(pauses, pauses.length + 1);
      pauses[pauses.length - 1] = durationNs;
    } else {
      pauses[pauseCount % MAX_PAUSES] = durationNs;
    }
  }

  /** Nearest-rank percentile of the kept pauses; 0 without pauses. */
  long pausePercentile(double p) {
    if (pauses.length == 0) {
      return 0;
    }
    long[] sorted = pauses.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  ProcessWindowAccumulator merge(ProcessWindowAccumulator o) {
    ProcessWindowAccumulator m = new ProcessWindowAccumulator();
    m.service = o.service != null ? o.service : service;
    m.namespace = o.namespace != null ? o.namespace : namespace;
    m.pod = o.pod != null ? o.pod : pod;
    m.container = o.container != null ? o.container : container;
    m.comm = o.comm != null ? o.comm : comm;
    m.runtime = o.runtime != null ? o.runtime : runtime;
    m.rssMax = Math.max(rssMax, o.rssMax);
    m.rssSum = rssSum + o.rssSum;
    m.rssCount = rssCount + o.rssCount;
    boolean mine = rssLastUtcNs >= o.rssLastUtcNs;
    m.rssLast = mine ? rssLast : o.rssLast;
    m.rssLastUtcNs = Math.max(rssLastUtcNs, o.rssLastUtcNs);
    m.managedUsedMax = Math.max(managedUsedMax, o.managedUsedMax);
    m.managedCommittedMax = Math.max(managedCommittedMax, o.managedCommittedMax);
    m.managedLimit = Math.max(managedLimit, o.managedLimit);
    m.heapAfterGcMin = Math.min(heapAfterGcMin, o.heapAfterGcMin);
    m.heapViews = Math.max(heapViews, o.heapViews);
    m.nativeMax = Math.max(nativeMax, o.nativeMax);
    boolean mineNative = nativeLastUtcNs >= o.nativeLastUtcNs;
    m.nativeLast = mineNative ? nativeLast : o.nativeLast;
    m.nativeLastUtcNs = Math.max(nativeLastUtcNs, o.nativeLastUtcNs);
    m.cgroupUsageMax = Math.max(cgroupUsageMax, o.cgroupUsageMax);
    m.cgroupLimit = Math.max(cgroupLimit, o.cgroupLimit);
    m.threadsMax = Math.max(threadsMax, o.threadsMax);
    m.goroutinesMax = Math.max(goroutinesMax, o.goroutinesMax);
    m.gcCount = gcCount + o.gcCount;
    m.gcCpuFraction = Math.max(gcCpuFraction, o.gcCpuFraction);
    m.allocBytes = allocBytes + o.allocBytes;
    m.samples = samples + o.samples;
    m.gcPauseTotalNs = 0;
    m.gcPauseMaxNs = 0;
    for (long p : pauses) {
      m.addPause(p);
    }
    for (long p : o.pauses) {
      m.addPause(p);
    }
    // totals and max are exact even where the reservoir dropped pauses
    m.gcPauseTotalNs = gcPauseTotalNs + o.gcPauseTotalNs;
    m.gcPauseMaxNs = Math.max(gcPauseMaxNs, o.gcPauseMaxNs);
    m.pauseCount = pauseCount + o.pauseCount;
    for (int i = 0; i < BreakdownMeasure.COUNT; i++) {
      boolean theirs = o.latestUtcNs[i] > latestUtcNs[i];
      m.latest[i] = theirs ? o.latest[i] : latest[i];
      m.latestUtcNs[i] = theirs ? o.latestUtcNs[i] : latestUtcNs[i];
    }
    m.liveSetMin = Math.min(liveSetMin, o.liveSetMin);
    return m;
  }
}
