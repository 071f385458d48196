package io.memfleet.pipeline.detect;

/**
 * The memory series the detection rules watch, one per rule family. {@link ObservationFunction}
 * turns events into {@link Observation}s of these signals; each rule reads one signal.
 */
public enum Signal {
  /** JVM heap after GC: lowest heap-after of the cycles in a bucket (FULL GCs: the live set). */
  LIVE_SET,
  /** Go live heap after each GC cycle (gctrace marked live heap, else heap after). */
  GO_LIVE_HEAP,
  /** Goroutine count. */
  GOROUTINES,
  /** Native (off-heap) memory: RSS − managed committed, with the managed heap alongside. */
  NATIVE,
  /** Outstanding malloc bytes of one allocating stack, or the process's outstanding mmap bytes. */
  OUTSTANDING,
  /** Cgroup memory usage (RSS when the cgroup is not read) against the cgroup limit. */
  CGROUP_MEMORY,
  /** Fraction of time spent in GC, with heap occupancy against the heap maximum. */
  GC_LOAD
}
