package io.memfleet.pipeline.aggregate;

import io.memfleet.event.Runtime;

/**
 * One process's memory over one tumbling window (10 s or 1 min): the row of
 * {@code process_memory_10s} / {@code process_memory_1m}. A Flink POJO.
 *
 * <p>Sizes are bytes; a measure the process's sources do not report stays 0 (for example no
 * goroutines for a JVM, no managed heap for a native process).
 */
public class ProcessWindow {
  public long windowStartMs;
  public long windowEndMs;
  public String cluster;
  public String node;
  public String service;
  public String namespace;
  public String pod;
  public String container;
  public int pid;
  public long processStartTimeMs;
  public String comm;
  public Runtime runtime;

  public long rssMax;
  public double rssAvg;
  public long rssLast;
  public long managedUsedMax;
  public long managedCommittedMax;
  /** Maximum managed heap (JVM -Xmx, Go none): 0 when unknown. */
  public long managedLimit;
  /** Smallest heap size right after a GC in the window: the live set as the GC sees it. */
  public long heapAfterGcMin;
  public long nativeMax;
  public long nativeLast;
  public long cgroupUsageMax;
  /** Memory limit of the process's cgroup; 0 = none. */
  public long cgroupLimit;
  public long threadsMax;
  public long goroutinesMax;
  public int gcCount;
  public long gcPauseTotalNs;
  public long gcPauseP50Ns;
  public long gcPauseP99Ns;
  public long gcPauseMaxNs;
  public double gcCpuFraction;
  /** Sampled allocation volume (sum of sample weights). */
  public long allocBytes;
  /** Events that went into the window. */
  public int samples;

  /**
   * The memory breakdown: each {@link BreakdownMeasure}'s latest value in the window, by ordinal
   * (0 when no source reported it).
   */
  public long[] breakdown = new long[BreakdownMeasure.COUNT];
  /** Lowest live set of a GC cycle that shows it (marked live bytes, heap after a full GC). */
  public long liveSet;
  /**
   * RSS − (resident heap + every named pool outside it), floored at 0: what no runtime pool
   * accounts for (malloc, mmap, cgo, JNI, the runtime's own unnamed memory).
   */
  public long nativeOther;

  public ProcessWindow() {}

  /** The latest value of {@code m} in the window; 0 when no source reported it. */
  public long breakdown(BreakdownMeasure m) {
    return breakdown[m.ordinal()];
  }

  public String processKey() {
    return cluster + "/" + node + "/" + pid + "/" + processStartTimeMs;
  }

  @Override
  public String toString() {
    return "ProcessWindow[" + processKey() + " @" + windowStartMs + " rss=" + rssMax + " managed="
        + managedUsedMax + " native=" + nativeLast + " gc=" + gcCount + " n=" + samples + "]";
  }
}
