package io.memfleet.pipeline.model;

import io.memfleet.event.ResidentMemory;

/**
 * A process's shared memory and tmpfs bytes, from the best source its sample has.
 *
 * <p>The cgroup's {@code shmem} counts tmpfs files nobody maps (a leak of {@code /dev/shm} files
 * shows nowhere else), but it is the whole cgroup's: it is taken as the process's only when the
 * cgroup has a memory limit — a container, a pod, a unit given one — where it is also what counts
 * against that limit. A process in the root cgroup or in an unlimited slice shares its counter
 * with the host or with everything else in the slice, and gets its own mapped shmem
 * ({@code RssShmem}) instead.
 *
 * <pre>{@code
 * Long bytes = Shmem.of(residentMemory); // null when the sample has neither
 * }</pre>
 */
public final class Shmem {
  private Shmem() {}

  /** The process's shared memory bytes, or null when the sample has none. */
  public static Long of(ResidentMemory r) {
    if (r.getCgroupShmemBytes() != null && Limits.isLimit(r.getCgroupLimitBytes())) {
      return r.getCgroupShmemBytes();
    }
    return r.getShmemBytes();
  }

  /**
   * How many times a JVM with this collector ({@code MemoryPools.settings["gc"]}: hsperfdata's
   * first collector word, or JFR's young/old collector pair) maps its heap as shared memory:
   * single-generation ZGC ({@code Z}, {@code Z/Z}) three times, generational ZGC ({@code ZGC},
   * {@code ZGC Minor/ZGC Major}) once, others not at all (0).
   */
  public static int heapViews(String gc) {
    if (gc == null) {
      return 0;
    }
    if (gc.startsWith("ZGC")) {
      return 1;
    }
    return gc.equals("Z") || gc.startsWith("Z/") ? 3 : 0;
  }
}
