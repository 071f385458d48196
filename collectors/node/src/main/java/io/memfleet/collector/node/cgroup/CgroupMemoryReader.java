package io.memfleet.collector.node.cgroup;

import io.memfleet.collector.node.procfs.ProcCgroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the memory cgroup of a process, v1 where the memory controller is mounted on v1, else
 * v2 where the process's unified cgroup has {@code memory.current}.
 *
 * <pre>{@code
 * CgroupMemoryReader reader = new CgroupMemoryReader(mounts, true);
 * Optional<CgroupMemory> memory = reader.read(ProcCgroups.parse(cgroupFileText));
 * }</pre>
 *
 * <p>Not thread-safe only in the sense that it holds no state: it can be shared freely.
 */
public final class CgroupMemoryReader {
  private final CgroupMounts mounts;
  private final boolean readStat;
  /** Optional files this kernel does not have (see {@link #optional}). */
  private final Set<String> absent = ConcurrentHashMap.newKeySet();

  /**
   * @param readStat whether to read {@code memory.stat} too (a few dozen lines per cgroup per
   *     scan, for anon/file/shmem, inactive file, the working set and v1 swap)
   */
  public CgroupMemoryReader(CgroupMounts mounts, boolean readStat) {
    this.mounts = mounts;
    this.readStat = readStat;
  }

  /** The memory cgroup path a process's cgroup file names, v1 first (as {@link #read} does). */
  public Optional<String> memoryCgroupPath(ProcCgroups cgroups) {
    if (mounts.v1Memory().isPresent()) {
      Optional<String> v1 = cgroups.v1Path("memory");
      if (v1.isPresent()) {
        return v1;
      }
    }
    return mounts.v2().isPresent() ? cgroups.v2Path() : Optional.empty();
  }

  /**
   * Reads the cgroup at {@code path}; empty when it is not under a mounted hierarchy or has no
   * memory files (v2 without the memory controller enabled, or the cgroup was just removed).
   */
  public Optional<CgroupMemory> read(String path) throws IOException {
    try {
      if (mounts.v1Memory().isPresent()) {
        Optional<Path> dir = mounts.v1Memory().get().directoryOf(path);
        if (dir.isPresent() && Files.exists(dir.get().resolve("memory.usage_in_bytes"))) {
          Path d = dir.get();
          return Optional.of(CgroupMemory.fromV1(path, new CgroupMemory.V1Files(
              Files.readString(d.resolve("memory.usage_in_bytes")),
              Files.readString(d.resolve("memory.limit_in_bytes")),
              Files.readString(d.resolve("memory.oom_control")),
              readStat ? Files.readString(d.resolve("memory.stat")) : "",
              optional(d, "memory.failcnt"))));
        }
      }
      if (mounts.v2().isPresent()) {
        Optional<Path> dir = mounts.v2().get().directoryOf(path);
        if (dir.isPresent() && Files.exists(dir.get().resolve("memory.current"))) {
          Path d = dir.get();
          return Optional.of(CgroupMemory.fromV2(path, new CgroupMemory.V2Files(
              Files.readString(d.resolve("memory.current")),
              Files.readString(d.resolve("memory.max")),
              Files.readString(d.resolve("memory.events")),
              readStat ? Files.readString(d.resolve("memory.stat")) : "",
              optional(d, "memory.high"),
              optional(d, "memory.swap.current"),
              optional(d, "memory.pressure"))));
        }
      }
    } catch (NoSuchFileException e) {
      // the cgroup was removed between the exists() check and the read
      return Optional.empty();
    }
    return Optional.empty();
  }

  /**
   * A file the kernel may not have (no swap accounting, no PSI, the root cgroup has no
   * memory.high): "" when absent. A name found absent in a cgroup whose other files exist is
   * not tried again, so a kernel without it costs one failed open per run, not per scan.
   */
  private String optional(Path dir, String name) throws IOException {
    if (absent.contains(name)) {
      return "";
    }
    try {
      return Files.readString(dir.resolve(name));
    } catch (NoSuchFileException e) {
      if (Files.isDirectory(dir) && !dir.equals(rootOf(dir))) {
        absent.add(name); // the cgroup is there, the file is not: this kernel lacks it
      }
      return "";
    }
  }

  /** The mount point a cgroup directory belongs to (root cgroups lack some files). */
  private Path rootOf(Path dir) {
    for (Optional<CgroupMounts.Mount> m : List.of(mounts.v1Memory(), mounts.v2())) {
      if (m.isPresent() && dir.startsWith(m.get().mountPoint())) {
        return m.get().mountPoint();
      }
    }
    return dir;
  }
}
