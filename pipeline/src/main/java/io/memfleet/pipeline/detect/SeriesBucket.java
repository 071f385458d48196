package io.memfleet.pipeline.detect;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * State of {@link ObservationFunction}: the open bucket of one series of one process, written by
 * {@link SeriesBucketSerializer} (declared with {@code @TypeInfo}). How values fold depends on
 * the signal: the lowest (heap after GC, live heap, goroutines, native), the highest (cgroup
 * working set) or the latest (outstanding bytes, pool sizes); GC load sums pauses.
 */
@TypeInfo(SeriesBucketSerializer.Factory.class)
public class SeriesBucket {
  public Signal signal;
  public String series;
  public long bucketIndex;
  public long bucketStartUtcNs;
  public long lastUtcNs;
  public int count;
  public double min = Double.POSITIVE_INFINITY;
  public double max = Double.NEGATIVE_INFINITY;
  public double last;
  public double companion = Double.NaN;
  /** LIVE_SET: lowest heap after a collection that shows the live set; +inf when none. */
  public double confirmedMin = Double.POSITIVE_INFINITY;
  /** LIVE_SET: a G1 mixed collection was folded in. */
  public boolean reclaimed;
  /** LIVE_SET: a G1 collection was folded in (its young collections leave promoted garbage). */
  public boolean g1;
  /** LIVE_SET: heap after the newest collection that shows the live set; NaN when none. */
  public double live = Double.NaN;
  /** LIVE_SET: event time of {@link #live}, 0 when none. */
  public long liveUtcNs;
  /**
   * NATIVE: lowest managed heap used seen in the bucket; CGROUP_MEMORY: the heap's footprint;
   * LIVE_SET: the garbage the newest collection may have left by design (see Observation).
   */
  public double usedCompanion = Double.NaN;
  /** CGROUP_MEMORY: event time of {@link #usedCompanion} (the heap's footprint), 0 when none. */
  public long usedCompanionUtcNs;
  /** GC load: stop-the-world time from GcPause events, ns. */
  public long pauseEventsNs;
  /** GC load: stop-the-world time from GcCycle sums of pauses, ns. */
  public long cyclePausesNs;
  /** GC load: highest runtime-reported GC CPU fraction (Go). */
  public double gcCpuFraction;
  /** GC load: highest heap after GC / heap max; NaN when the maximum is unknown. */
  public double heapRatio = Double.NaN;
  /** OUTSTANDING "mmap": bytes the heap break grew by (malloc's heap) and bytes mapped. */
  public long brkBytes;
  public long mmapBytes;
  public long stackHash;
  public String stackFrames;

  public SeriesBucket() {}

  /** Folds one value in. */
  void add(long utcNs, double value) {
    count++;
    min = Math.min(min, value);
    max = Math.max(max, value);
    if (utcNs >= lastUtcNs) {
      lastUtcNs = utcNs;
      last = value;
    }
  }

  /** The value the rules see: per signal, lowest, highest or latest. */
  double value(long bucketNs) {
    switch (signal) {
      case CGROUP_MEMORY:
        return max;
      case OUTSTANDING:
      case POOL:
        return last;
      case GC_LOAD:
        double stw = Math.max(pauseEventsNs, cyclePausesNs) / (double) bucketNs;
        return Math.max(Math.min(stw, 1.0), gcCpuFraction);
      default:
        return min;
    }
  }
}
