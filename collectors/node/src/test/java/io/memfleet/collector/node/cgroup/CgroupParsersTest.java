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
  void flatKeyedNumbersAtTheEdgesOfLong() {
    assertThat(CgroupFiles.parseFlatKeyed("max 9223372036854775807\nmin -9223372036854775808\n"
        + "over 9223372036854775808\nunder -9223372036854775809\nsign -\nplus +7\n"))
        .containsEntry("max", Long.MAX_VALUE).containsEntry("min", Long.MIN_VALUE)
        .containsEntry("plus", 7L).doesNotContainKeys("over", "under", "sign")
        .containsEntry(CgroupFiles.MALFORMED_KEY, 3L);
  }

  @Test
  void manyMalformedNumbersCostNoExceptionEach() throws Exception {
    // 1335 odd lines (found by the fuzz test): one exception per line allocated 1.4 MB, over the
    // bound of 1 MiB + 64 bytes per input byte
    String text = "k x\n".repeat(1_335);
    io.memfleet.fuzz.Bounded.call(() -> CgroupFiles.parseFlatKeyed(text), text.length());
    assertThat(CgroupFiles.parseFlatKeyed(text)).containsEntry(CgroupFiles.MALFORMED_KEY, 1_335L);
  }

  private static CgroupMemory v2Full(String prefix) {
    return CgroupMemory.fromV2("/kubepods/pod/c", new CgroupMemory.V2Files(
        Golden.read(V2 + prefix + ".memory.current"),
        Golden.read(V2 + prefix + ".memory.max"),
        Golden.read(V2 + prefix + ".memory.events"),
        Golden.read(V2 + prefix + ".memory.stat"),
        Golden.read(V2 + prefix + ".memory.high"),
        Golden.read(V2 + prefix + ".memory.swap.current"),
        Golden.read(V2 + prefix + ".memory.pressure")));
  }

  private static CgroupMemory v1Full(String prefix) {
    return CgroupMemory.fromV1("/memfleet-p11-capture", new CgroupMemory.V1Files(
        Golden.read(V1 + prefix + ".memory.usage_in_bytes"),
        Golden.read(V1 + prefix + ".memory.limit_in_bytes"),
        Golden.read(V1 + prefix + ".memory.oom_control"),
        Golden.read(V1 + prefix + ".memory.stat"),
        Golden.read(V1 + prefix + ".memory.failcnt")));
  }

  @Test
  void v1PageCacheShmemWorkingSetAndLimitHits() {
    CgroupMemory m = v1Full("pagecache");
    assertThat(m.usageBytes()).isEqualTo(32276480L);
    assertThat(m.anonBytes()).hasValue(0);
    assertThat(m.fileBytes()).hasValue(31457280L);
    assertThat(m.shmemBytes()).hasValue(8388608L);
    assertThat(m.inactiveFileBytes()).hasValue(23068672L);
    assertThat(m.workingSetBytes()).hasValue(32276480L - 23068672L);
    assertThat(m.swapBytes()).hasValue(0);
    assertThat(m.maxEvents()).hasValue(66); // memory.failcnt
    assertThat(m.highBytes()).isEmpty();
    assertThat(m.highEvents()).isEmpty();
    assertThat(m.pressure()).isEmpty();
  }

  @Test
  void v1RootKeys() {
    CgroupMemory root = CgroupMemory.fromV1("/", new CgroupMemory.V1Files(
        Golden.read(V1 + "root.memory.usage_in_bytes"),
        Golden.read(V1 + "root.memory.limit_in_bytes"),
        Golden.read(V1 + "root.memory.oom_control"),
        Golden.read(V1 + "root.memory.stat"),
        Golden.read(V1 + "root.memory.failcnt")));
    assertThat(root.fileBytes()).hasValue(504610816L);
    assertThat(root.shmemBytes()).hasValue(9068544L);
    assertThat(root.maxEvents()).hasValue(0);
  }

  @Test
  void v1WithoutStatHasNoBreakdown() {
    CgroupMemory m = v1("running");
    CgroupMemory noStat = CgroupMemory.fromV1("/x", "4096\n", "8192\n", "oom_kill 0\n", "");
    assertThat(m.workingSetBytes()).hasValue(39473152L - 4096L);
    assertThat(noStat.workingSetBytes()).isEmpty();
    assertThat(noStat.fileBytes()).isEmpty();
    assertThat(noStat.maxEvents()).isEmpty();
  }

  @Test
  void workingSetIsFlooredAtZero() {
    // usage is read before memory.stat: a shrinking cgroup can show more inactive file
    CgroupMemory m = CgroupMemory.fromV1("/x", "4096\n", "8192\n", "oom_kill 0\n",
        "total_inactive_file 8192\n");
    assertThat(m.workingSetBytes()).hasValue(0);
  }

  @Test
  void v2DiagnosisFields() {
    CgroupMemory m = v2Full("limited");
    assertThat(m.anonBytes()).hasValue(188743680L);
    assertThat(m.fileBytes()).hasValue(9437184L);
    assertThat(m.shmemBytes()).hasValue(0);
    assertThat(m.inactiveFileBytes()).hasValue(5242880L);
    assertThat(m.workingSetBytes()).hasValue(201326592L - 5242880L);
    assertThat(m.swapBytes()).hasValue(4194304L);
    assertThat(m.highBytes()).hasValue(234881024L);
    assertThat(m.highEvents()).hasValue(0);
    assertThat(m.maxEvents()).hasValue(57);
    assertThat(m.pressure()).hasValueSatisfying(p -> {
      assertThat(p.someAvg10()).isEqualTo(12.5);
      assertThat(p.fullAvg10()).hasValue(3.75);
    });
  }

  @Test
  void v2HighMaxIsUnset() {
    CgroupMemory m = v2Full("unlimited");
    assertThat(m.highBytes()).isEmpty();
    assertThat(m.swapBytes()).hasValue(0);
    assertThat(m.pressure().orElseThrow().someAvg10()).isZero();
  }

  @Test
  void v2OptionalFilesAbsent() {
    CgroupMemory m = v2("limited");
    assertThat(m.highBytes()).isEmpty();
    assertThat(m.swapBytes()).isEmpty();
    assertThat(m.pressure()).isEmpty();
  }

  @Test
  void hostPressureOfThisMachine() {
    MemoryPressure p = MemoryPressure.parse(Golden.read("procfs/pressure.memory")).orElseThrow();
    assertThat(p.someAvg10()).isZero();
    assertThat(p.fullAvg10()).hasValue(0.0);
  }

  @Test
  void malformedPressureIsAbsentNotAnError() {
    assertThat(MemoryPressure.parse("")).isEmpty();
    assertThat(MemoryPressure.parse("some avg10=abc avg60=0\n")).isEmpty();
    assertThat(MemoryPressure.parse("some avg10=250.0\n")).isEmpty();
    assertThat(MemoryPressure.parse("some avg10=1.5\n").orElseThrow().fullAvg10()).isEmpty();
    assertThat(MemoryPressure.parse("garbage\n\0\0")).isEmpty();
  }

  @Test
  void malformedOptionalNumbersAreAbsent() {
    CgroupMemory m = CgroupMemory.fromV2("/x", new CgroupMemory.V2Files("1\n", "max\n",
        "high x\nmax 3\n", "", "\n", "lots\n", "nonsense"));
    assertThat(m.highBytes()).isEmpty();
    assertThat(m.highEvents()).isEmpty();
    assertThat(m.maxEvents()).hasValue(3);
    assertThat(m.swapBytes()).isEmpty();
    assertThat(m.pressure()).isEmpty();
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
