package io.memfleet.collector.node.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.node.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * v1 files were captured on this machine from a 64 MiB cgroup running the Go demo, before and
 * after its OOM kill; v2 files are written from the kernel documentation (see the README next to
 * them), because this machine has no v2 memory controller.
 */
class CgroupParsersTest {
  private static final String V1 = "cgroup-v1/";
  private static final String V2 = "cgroup-v2/";

  private static CgroupMemory v1(String prefix) {
    return CgroupMemory.fromV1("/memfleet-capture",
        Golden.read(V1 + prefix + ".memory.usage_in_bytes"),
        Golden.read(V1 + prefix + ".memory.limit_in_bytes"),
        Golden.read(V1 + prefix + ".memory.oom_control"),
        Golden.read(V1 + prefix + ".memory.stat"));
  }

  private static CgroupMemory v2(String prefix) {
    return CgroupMemory.fromV2("/kubepods/pod/c",
        Golden.read(V2 + prefix + ".memory.current"),
        Golden.read(V2 + prefix + ".memory.max"),
        Golden.read(V2 + prefix + ".memory.events"),
        Golden.read(V2 + prefix + ".memory.stat"));
  }

  @Test
  void v1RunningCgroup() {
    CgroupMemory m = v1("running");
    assertThat(m.version()).isEqualTo(1);
    assertThat(m.usageBytes()).isEqualTo(39473152L);
    assertThat(m.limitBytes()).hasValue(64L * 1024 * 1024);
    assertThat(m.oomKills()).hasValue(1);
    assertThat(m.anonBytes()).hasValue(38866944L);
    assertThat(m.stat()).containsEntry("hierarchical_memory_limit", 67108864L)
        .doesNotContainKey(CgroupFiles.MALFORMED_KEY);
  }

  @Test
  void v1CounterIncrementsAcrossAnOomKill() {
    assertThat(v1("after-oom").oomKills()).hasValue(2);
    assertThat(v1("after-oom").usageBytes()).isLessThan(v1("running").usageBytes());
  }

  @Test
  void v1RootIsUnlimited() {
    CgroupMemory root = v1("root");
    assertThat(root.limitBytes()).isEmpty();
    assertThat(root.oomKills()).hasValue(0);
  }

  @Test
  void v2LimitedCgroup() {
    CgroupMemory m = v2("limited");
    assertThat(m.version()).isEqualTo(2);
    assertThat(m.usageBytes()).isEqualTo(201326592L);
    assertThat(m.limitBytes()).hasValue(268435456L);
    assertThat(m.oomKills()).hasValue(2);
    assertThat(m.anonBytes()).hasValue(188743680L);
  }

  @Test
  void v2MaxMeansUnlimited() {
    CgroupMemory m = v2("unlimited");
    assertThat(m.limitBytes()).isEmpty();
    assertThat(m.oomKills()).hasValue(0);
  }

  @Test
  void oldKernelWithoutOomKillCounter() {
    CgroupMemory m = CgroupMemory.fromV1("/x", "4096\n", "8192\n",
        "oom_kill_disable 0\nunder_oom 0\n", "");
    assertThat(m.oomKills()).isEmpty();
  }

  @Test
  void malformedFlatKeyedLinesAreCounted() {
    assertThat(CgroupFiles.parseFlatKeyed("a 1\nb\nc x\nd 4\n"))
        .containsEntry("a", 1L).containsEntry("d", 4L)
        .containsEntry(CgroupFiles.MALFORMED_KEY, 2L);
  }

  @Test
  void mountsOfThisMachine() {
    CgroupMounts mounts = CgroupMounts.parse(Golden.read("procfs/self.mountinfo"));
    assertThat(mounts.v1Memory().orElseThrow().mountPoint())
        .isEqualTo(Path.of("/sys/fs/cgroup/memory"));
    assertThat(mounts.v2().orElseThrow().mountPoint())
        .isEqualTo(Path.of("/sys/fs/cgroup/unified"));
    assertThat(mounts.v1Memory().get().directoryOf("/memfleet-it-1"))
        .contains(Path.of("/sys/fs/cgroup/memory/memfleet-it-1"));
    assertThat(mounts.v1Memory().get().directoryOf("/"))
        .contains(Path.of("/sys/fs/cgroup/memory"));
  }

  @Test
  void mountWithNamespacedRootAndEscapedSpace() {
    String line = "50 31 0:40 /kubepods/pod1 /host\\040cg rw - cgroup2 cgroup2 rw\n";
    CgroupMounts.Mount v2 = CgroupMounts.parse(line).v2().orElseThrow();
    assertThat(v2.mountPoint()).isEqualTo(Path.of("/host cg"));
    assertThat(v2.directoryOf("/kubepods/pod1/c1")).contains(Path.of("/host cg/c1"));
    assertThat(v2.directoryOf("/system.slice")).isEmpty();
  }

  // found by CgroupParsersFuzzTest: InvalidPathException for a NUL in a cgroup path or mount point
  @Test
  void aNulInACgroupPathOrMountPointNamesNoDirectory() {
    CgroupMounts mounts = CgroupMounts.parse(
        "35 25 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
            + "36 25 0:31 / /sys/fs/cgroup/un\\000ified rw - cgroup2 cgroup2 rw\n");
    assertThat(mounts.v2()).isEmpty();
    CgroupMounts.Mount v1 = mounts.v1Memory().orElseThrow();
    assertThat(v1.directoryOf("/kubepods/a\u0000b")).isEmpty();
    assertThat(v1.directoryOf("/kubepods/ab")).hasValue(Path.of("/sys/fs/cgroup/memory/kubepods/ab"));
  }
}
