package io.memfleet.collector.node.cgroup;

import java.util.Map;
import java.util.OptionalLong;

/**
 * One reading of a memory cgroup, v1 or v2, in one shape.
 *
 * <pre>{@code
 * CgroupMemory m = CgroupMemory.fromV2("/kubepods/pod1/c1",
 *     read("memory.current"), read("memory.max"), read("memory.events"), read("memory.stat"));
 * if (m.limitBytes().isPresent()) { ... headroom = limit - usage ... }
 * }</pre>
 *
 * @param version 1 or 2
 * @param path the cgroup path as {@code /proc/PID/cgroup} names it
 * @param usageBytes {@code memory.usage_in_bytes} (v1) or {@code memory.current} (v2)
 * @param limitBytes the limit; empty when unlimited
 * @param oomKills cumulative {@code oom_kill} counter; empty on kernels that do not report it
 *     (v1 before 4.13)
 * @param stat {@code memory.stat} as parsed by {@link CgroupFiles#parseFlatKeyed}
 */
public record CgroupMemory(
    int version,
    String path,
    long usageBytes,
    OptionalLong limitBytes,
    OptionalLong oomKills,
    Map<String, Long> stat) {

  public CgroupMemory {
    stat = Map.copyOf(stat);
  }

  /** From the texts of the v1 files; {@code statText} may be empty when not read. */
  public static CgroupMemory fromV1(String path, String usageText, String limitText,
      String oomControlText, String statText) {
    Map<String, Long> oomControl = CgroupFiles.parseFlatKeyed(oomControlText);
    Long kills = oomControl.get("oom_kill");
    return new CgroupMemory(1, path,
        CgroupFiles.parseBytes(usageText),
        CgroupFiles.parseLimit(limitText),
        kills == null ? OptionalLong.empty() : OptionalLong.of(kills),
        CgroupFiles.parseFlatKeyed(statText));
  }

  /** From the texts of the v2 files; {@code statText} may be empty when not read. */
  public static CgroupMemory fromV2(String path, String currentText, String maxText,
      String eventsText, String statText) {
    Long kills = CgroupFiles.parseFlatKeyed(eventsText).get("oom_kill");
    return new CgroupMemory(2, path,
        CgroupFiles.parseBytes(currentText),
        CgroupFiles.parseLimit(maxText),
        kills == null ? OptionalLong.empty() : OptionalLong.of(kills),
        CgroupFiles.parseFlatKeyed(statText));
  }

  /** Anonymous memory charged to the cgroup: v1 {@code total_rss}, v2 {@code anon}. */
  public OptionalLong anonBytes() {
    Long v = version == 1 ? stat.getOrDefault("total_rss", stat.get("rss")) : stat.get("anon");
    return v == null ? OptionalLong.empty() : OptionalLong.of(v);
  }
}
