package io.memfleet.pipeline.aggregate;

import java.util.Arrays;

/**
 * Running state of one {@link ProcessWindow} while its window is open. A Flink POJO (public
 * fields, arrays of primitives): it lives in keyed window state, so it must serialize without Kryo.
 *
 * <p>GC pauses are kept exactly up to {@link #MAX_PAUSES} per window for the percentiles; beyond
 * that a deterministic reservoir (every k-th pause) keeps the memory bounded — a window with
 * thousands of pauses is GC thrashing anyway, and its max and total stay exact.
 */
public class ProcessWindowAccumulator {
  static final int MAX_PAUSES = 512;

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

  public ProcessWindowAccumulator() {}

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
    return m;
  }
}
