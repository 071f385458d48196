package io.memfleet.collector.node.cgroup;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One reading of a memory cgroup, v1 or v2, in one shape.
 *
 * <pre>{@code
 * CgroupMemory m = CgroupMemory.fromV2("/kubepods/pod1/c1", new CgroupMemory.V2Files(
 *     read("memory.current"), read("memory.max"), read("memory.events"), read("memory.stat"),
 *     read("memory.high"), read("memory.swap.current")));
 * if (m.limitBytes().isPresent()) { ... headroom = limit - usage ... }
 * long workingSet = m.workingSetBytes().orElse(m.usageBytes());
 * }</pre>
 *
 * <p>The {@code memory.stat} keys differ by version: v1 has the hierarchical {@code total_*}
 * figures (this cgroup and its children, as v2's {@code memory.stat} always is) next to the
 * local ones; the accessors prefer {@code total_*} and fall back to the local key.
 *
 * @param version 1 or 2
 * @param path the cgroup path as {@code /proc/PID/cgroup} names it
 * @param usageBytes {@code memory.usage_in_bytes} (v1) or {@code memory.current} (v2)
 * @param limitBytes the limit; empty when unlimited
 * @param oomKills cumulative {@code oom_kill} counter; empty on kernels that do not report it
 *     (v1 before 4.13)
 * @param stat {@code memory.stat} as parsed by {@link CgroupFiles#parseFlatKeyed} (empty when
 *     not read)
 * @param highBytes v2 {@code memory.high}; empty for {@code max}, on v1 and when not read
 * @param highEvents v2 {@code memory.events} {@code high}: times usage went over memory.high
 * @param maxEvents v2 {@code memory.events} {@code max} or v1 {@code memory.failcnt}: times
 *     usage hit the limit
 * @param swapCurrentBytes v2 {@code memory.swap.current}; empty on v1 (there swap is
 *     {@code total_swap} in memory.stat) and without swap accounting
 * @param pressure PSI of the cgroup ({@code memory.pressure}, v2); empty on v1 or without PSI
 */
public record CgroupMemory(
    int version,
    String path,
    long usageBytes,
    OptionalLong limitBytes,
    OptionalLong oomKills,
    Map<String, Long> stat,
    OptionalLong highBytes,
    OptionalLong highEvents,
    OptionalLong maxEvents,
    OptionalLong swapCurrentBytes,
    Optional<MemoryPressure> pressure) {

  public CgroupMemory {
    stat = Map.copyOf(stat);
  }

  /**
   * The texts of a v1 cgroup's files; {@code stat} and {@code failcnt} may be empty when not
   * read.
   */
  public record V1Files(String usage, String limit, String oomControl, String stat,
      String failcnt) {}

  /**
   * The texts of a v2 cgroup's files; {@code stat}, {@code high}, {@code swapCurrent} and
   * {@code pressure} may be empty when not read or absent (no swap accounting, no PSI).
   */
  public record V2Files(String current, String max, String events, String stat, String high,
      String swapCurrent, String pressure) {}

  /** From the texts of the v1 files; {@code statText} may be empty when not read. */
  public static CgroupMemory fromV1(String path, String usageText, String limitText,
      String oomControlText, String statText) {
    return fromV1(path, new V1Files(usageText, limitText, oomControlText, statText, ""));
  }

  public static CgroupMemory fromV1(String path, V1Files f) {
    Long kills = CgroupFiles.parseFlatKeyed(f.oomControl()).get("oom_kill");
    return new CgroupMemory(1, path,
        CgroupFiles.parseBytes(f.usage()),
        CgroupFiles.parseLimit(f.limit()),
        boxed(kills),
        CgroupFiles.parseFlatKeyed(f.stat()),
        OptionalLong.empty(),
        OptionalLong.empty(),
        optionalNumber(f.failcnt()),
        OptionalLong.empty(),
        Optional.empty());
  }

  /** From the texts of the v2 files; {@code statText} may be empty when not read. */
  public static CgroupMemory fromV2(String path, String currentText, String maxText,
      String eventsText, String statText) {
    return fromV2(path, new V2Files(currentText, maxText, eventsText, statText, "", "", ""));
  }

  public static CgroupMemory fromV2(String path, V2Files f) {
    Map<String, Long> events = CgroupFiles.parseFlatKeyed(f.events());
    OptionalLong high = f.high().isBlank() ? OptionalLong.empty()
        : CgroupFiles.parseLimit(f.high());
    return new CgroupMemory(2, path,
        CgroupFiles.parseBytes(f.current()),
        CgroupFiles.parseLimit(f.max()),
        boxed(events.get("oom_kill")),
        CgroupFiles.parseFlatKeyed(f.stat()),
        high,
        boxed(events.get("high")),
        boxed(events.get("max")),
        optionalNumber(f.swapCurrent()),
        f.pressure().isBlank() ? Optional.empty() : MemoryPressure.parse(f.pressure()));
  }

  /** Anonymous memory charged to the cgroup: v1 {@code total_rss}, v2 {@code anon}. */
  public OptionalLong anonBytes() {
    return statValue("total_rss", "rss", "anon");
  }

  /** Page cache charged to the cgroup: v1 {@code total_cache}, v2 {@code file}. */
  public OptionalLong fileBytes() {
    return statValue("total_cache", "cache", "file");
  }

  /** Shared memory and tmpfs: v1 {@code total_shmem}, v2 {@code shmem}. */
  public OptionalLong shmemBytes() {
    return statValue("total_shmem", "shmem", "shmem");
  }

  /** Inactive page cache: v1 {@code total_inactive_file}, v2 {@code inactive_file}. */
  public OptionalLong inactiveFileBytes() {
    return statValue("total_inactive_file", "inactive_file", "inactive_file");
  }

  /**
   * Usage minus inactive file, floored at 0 (as kubelet and cAdvisor compute the working set);
   * empty when memory.stat was not read.
   */
  public OptionalLong workingSetBytes() {
    OptionalLong inactive = inactiveFileBytes();
    return inactive.isPresent() ? OptionalLong.of(Math.max(0, usageBytes - inactive.getAsLong()))
        : OptionalLong.empty();
  }

  /** Swap used: v1 {@code total_swap} (with swap accounting), v2 {@code memory.swap.current}. */
  public OptionalLong swapBytes() {
    return version == 1 ? statValue("total_swap", "swap", null) : swapCurrentBytes;
  }

  /** This reading with the cgroup's or the host's memory pressure. */
  public CgroupMemory withPressure(Optional<MemoryPressure> psi) {
    return new CgroupMemory(version, path, usageBytes, limitBytes, oomKills, stat, highBytes,
        highEvents, maxEvents, swapCurrentBytes, psi);
  }

  private OptionalLong statValue(String v1Total, String v1Local, String v2) {
    Long v = version == 1 ? stat.getOrDefault(v1Total, stat.get(v1Local))
        : v2 == null ? null : stat.get(v2);
    return boxed(v);
  }

  private static OptionalLong boxed(Long v) {
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }

  /** A file holding one number; empty when absent (blank) or not a number. */
  private static OptionalLong optionalNumber(String text) {
    if (text == null || text.isBlank()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(text.strip()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
