package io.memfleet.pipeline.model;

import io.memfleet.event.ResidentMemory;

/**
 * What a memory cgroup holds that the kernel cannot take back before it OOM-kills: its usage less
 * its page cache, tmpfs and shared memory excepted (those are page cache the kernel can only
 * drop into swap). The kernel kills in a cgroup at its limit only when reclaim frees nothing,
 * and page cache — active or not — is what reclaim frees first; the working set (usage less
 * <em>inactive</em> page cache, kubelet's figure) still counts pages written and read back. Seen:
 * a log indexer in a 256 MiB cgroup writing 4 MiB/s and reading back its newest 64 MiB had a
 * working set rising 2.2 MiB/s to half its limit (all of it active page cache, 1 MiB of its own
 * memory) until the cgroup was full, where the kernel deactivated and dropped pages and the
 * working set fell back to half — a forecast on the working set said "OOM-kill in 58 s".
 *
 * <p>Usage less page cache keeps the kernel's own charged memory (page tables, sockets, slab) on
 * the unreclaimable side, where a process that holds it can also run out.
 *
 * <pre>{@code
 * Long bytes = Unreclaimable.of(residentMemory); // null when no cgroup figure was read
 * }</pre>
 */
public final class Unreclaimable {
  private Unreclaimable() {}

  /**
   * The cgroup's unreclaimable bytes: usage less page cache (tmpfs and shared memory kept) when
   * the sample has the cgroup's {@code memory.stat}; else its working set, else its usage; null
   * when the sample has no cgroup figure.
   */
  public static Long of(ResidentMemory r) {
    Long usage = r.getCgroupUsageBytes();
    Long file = r.getCgroupFileBytes();
    Long shmem = r.getCgroupShmemBytes();
    if (usage != null && file != null && shmem != null) {
      return Math.max(0, usage - Math.max(0, file - shmem));
    }
    return r.getCgroupWorkingSetBytes() != null ? r.getCgroupWorkingSetBytes() : usage;
  }
}
