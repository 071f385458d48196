package io.memfleet.pipeline.detect;

import io.memfleet.event.MemoryPool;

/**
 * The memory series the detection rules watch. {@link ObservationFunction} turns events into
 * {@link Observation}s of these signals ({@link SignalExtraction} says which event feeds which);
 * each rule reads one signal (and, for {@link #POOL}, one series).
 */
public enum Signal {
  /**
   * JVM heap after GC: the lowest heap-after of the collections in a bucket, young ones included.
   * {@link Observation#confirmed} tells whether that floor came from a collection that shows the
   * live set (full, mixed, ZGC/Shenandoah cycle) or only from young collections, after which the
   * old generation may still hold promoted garbage.
   */
  LIVE_SET(MemoryPool.HEAP),
  /** Go live heap after each GC cycle (gctrace marked live heap, or estimated from the goal). */
  GO_LIVE_HEAP(MemoryPool.HEAP),
  /** Goroutine count. */
  GOROUTINES(MemoryPool.GOROUTINE_STACKS),
  /** Thread count (series {@code java} from JFR, {@code os} from procfs). */
  THREADS(MemoryPool.THREAD_STACKS),
  /** A runtime pool outside the heap, series = the pool's name (METASPACE, DIRECT_BUFFERS, ...). */
  POOL(null),
  /** Native (off-heap) memory: RSS − managed committed, with the managed heap alongside. */
  NATIVE(MemoryPool.NATIVE),
  /** Outstanding malloc bytes of one allocating stack, or the process's outstanding mmap bytes. */
  OUTSTANDING(MemoryPool.MALLOC),
  /**
   * Cgroup memory the kernel cannot reclaim (usage − page cache, tmpfs and shmem kept; the
   * working set, usage or RSS when memory.stat was not read) and limit.
   */
  CGROUP_MEMORY(null),
  /** Resident set size: keeps an alert on a growing process alive when its own series is quiet. */
  RESIDENT(null),
  /** Fraction of time spent in GC, with heap occupancy against the heap maximum. */
  GC_LOAD(MemoryPool.HEAP),
  /** The process exited: the last observation of a process (no value). */
  EXITED(null);

  private final MemoryPool pool;

  Signal(MemoryPool pool) {
    this.pool = pool;
  }

  /** The pool this signal measures; null when it depends on the series or is not one pool. */
  public MemoryPool pool() {
    return pool;
  }
}
