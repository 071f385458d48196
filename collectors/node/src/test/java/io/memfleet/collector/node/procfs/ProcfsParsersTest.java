package io.memfleet.collector.node.procfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.node.Golden;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden files: a Go demo process and kthreadd, captured on this machine (kernel 6.18). */
class ProcfsParsersTest {
  private static final long KB = 1024;

  @Test
  void smapsRollupOfGoDemo() {
    SmapsRollup r = SmapsRollup.parse(Golden.read("procfs/go-demo.smaps_rollup"));
    assertThat(r.rssBytes()).isEqualTo(43536 * KB);
    assertThat(r.pssBytes()).isEqualTo(42681 * KB);
    assertThat(r.pssAnonBytes()).isEqualTo(37956 * KB);
    assertThat(r.pssFileBytes()).isEqualTo(4725 * KB);
    assertThat(r.pssShmemBytes()).isZero();
    assertThat(r.anonymousBytes()).isEqualTo(37956 * KB);
    assertThat(r.swapBytes()).isZero();
    assertThat(r.malformedLines()).isZero();
  }

  @Test
  void emptySmapsRollupGivesNulls() {
    SmapsRollup r = SmapsRollup.parse("");
    assertThat(r.rssBytes()).isNull();
    assertThat(r.pssBytes()).isNull();
  }

  @Test
  void malformedSmapsLinesAreCountedNotFatal() {
    SmapsRollup r = SmapsRollup.parse("Rss: 12 kB\ngarbage line\nPss: lots kB\n");
    assertThat(r.rssBytes()).isEqualTo(12 * KB);
    assertThat(r.pssBytes()).isNull();
    assertThat(r.malformedLines()).isEqualTo(2);
  }

  @Test
  void statusOfGoDemo() {
    ProcStatus s = ProcStatus.parse(Golden.read("procfs/go-demo.status"));
    assertThat(s.name()).isEqualTo("memfleet-demo");
    assertThat(s.state()).isEqualTo("S");
    assertThat(s.pid()).isEqualTo(12539);
    assertThat(s.parentPid()).isEqualTo(12536);
    assertThat(s.kernelThread()).isFalse();
    assertThat(s.zombie()).isFalse();
    assertThat(s.vmRssBytes()).isPositive();
    assertThat(s.vmRssBytes())
        .isEqualTo(s.rssAnonBytes() + s.rssFileBytes() + s.rssShmemBytes());
    assertThat(s.vmSizeBytes()).isGreaterThan(s.vmRssBytes());
    assertThat(s.vmSwapBytes()).isZero();
    assertThat(s.threads()).isEqualTo(6);
    assertThat(s.malformedLines()).isZero();
  }

  @Test
  void statusIsReadUpToItsLastWantedKey() {
    String golden = Golden.read("procfs/go-demo.status");
    int threads = golden.indexOf("\nThreads:");
    int afterThreads = golden.indexOf('\n', threads + 1) + 1;
    // what follows Threads is not read: a garbled tail changes nothing
    ProcStatus s = ProcStatus.parse(golden.substring(0, afterThreads) + "garbled\nVmRSS:\tx\n");
    assertThat(s).isEqualTo(ProcStatus.parse(golden));
    // without the Kthread line (kernels before 6.x) the whole file is read, as before
    String noKthread = golden.replace("Kthread:\t0\n", "");
    ProcStatus old = ProcStatus.parse(noKthread + "VmRSS:\t1 kB\n");
    assertThat(old.vmRssBytes()).isEqualTo(1024L);
    assertThat(old.kernelThread()).isFalse();
    assertThat(old.threads()).isEqualTo(6);
  }

  @Test
  void statusOfKernelThreadHasNoMemory() {
    ProcStatus s = ProcStatus.parse(Golden.read("procfs/kthread.status"));
    assertThat(s.name()).isEqualTo("kthreadd");
    assertThat(s.kernelThread()).isTrue();
    assertThat(s.vmRssBytes()).isNull();
    assertThat(s.vmSizeBytes()).isNull();
    assertThat(s.threads()).isEqualTo(1);
  }

  @Test
  void statOfGoDemo() {
    ProcStat s = ProcStat.parse(Golden.read("procfs/go-demo.stat")).orElseThrow();
    assertThat(s.pid()).isEqualTo(12539);
    assertThat(s.comm()).isEqualTo("memfleet-demo");
    assertThat(s.state()).isEqualTo('S');
    assertThat(s.parentPid()).isEqualTo(12536);
    assertThat(s.startTicks()).isEqualTo(83099);
    assertThat(s.gone()).isFalse();
    assertThat(s.kernelThread()).isFalse();
  }

  @Test
  void kthreaddIsAKernelThreadByItsFlags() {
    String kthreadd = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 24 0 0"
        + " 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0";
    assertThat(ProcStat.parse(kthreadd).orElseThrow().kernelThread()).isTrue();
  }

  @Test
  void statWithParenthesesAndSpacesInComm() {
    String line = "77 (a) b (c) Z 1 77 77 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 4242 0 0";
    ProcStat s = ProcStat.parse(line).orElseThrow();
    assertThat(s.comm()).isEqualTo("a) b (c");
    assertThat(s.startTicks()).isEqualTo(4242);
    assertThat(s.gone()).isTrue();
  }

  @Test
  void truncatedStatIsEmpty() {
    assertThat(ProcStat.parse("12 (x) S 1 2")).isEmpty();
    assertThat(ProcStat.parse("")).isEmpty();
  }

  @Test
  void cgroupFileOfHybridHost() {
    ProcCgroups c = ProcCgroups.parse(Golden.read("procfs/go-demo.cgroup"));
    assertThat(c.v1Path("memory")).contains("/memfleet-capture");
    assertThat(c.v1Path("cpu")).contains("/");
    assertThat(c.v2Path()).contains("/");
    assertThat(c.malformedLines()).isZero();
  }

  @Test
  void cgroupV2OnlyFile() {
    ProcCgroups c = ProcCgroups.parse("0::/kubepods.slice/x.scope\nnonsense\n");
    assertThat(c.v1Path("memory")).isEmpty();
    assertThat(c.v2Path()).contains("/kubepods.slice/x.scope");
    assertThat(c.malformedLines()).isEqualTo(1);
  }

  @Test
  void cgroupHierarchyIdsAsIntegerParseIntReadsThem() {
    ProcCgroups c = ProcCgroups.parse("2147483647:a:/max\n-2147483648:b:/min\n+7:c:/plus\n"
        + "\u0661\u0662:d:/arabic-indic\n2147483648:e:/over\n-2147483649:f:/under\n"
        + "-:g:/sign\n:h:/empty\n1x:i:/letter\n");
    assertThat(c.entries()).extracting(ProcCgroups.Entry::hierarchyId)
        .containsExactly(Integer.MAX_VALUE, Integer.MIN_VALUE, 7, 12);
    assertThat(c.malformedLines()).isEqualTo(5);
  }

  @Test
  void manyMalformedHierarchyIdsCostNoExceptionEach() throws Exception {
    // an exception per odd line (a stack trace each) allocated ~300 bytes per input character,
    // over the fuzz bound of 1 MiB + 64 bytes per character
    String text = "::\n".repeat(5_000);
    io.memfleet.fuzz.Bounded.call(() -> ProcCgroups.parse(text), text.length());
    assertThat(ProcCgroups.parse(text).malformedLines()).isEqualTo(5_000);
  }

  @Test
  void byteParsersReadOnlyTheGivenLength() {
    byte[] status = (Golden.read("procfs/go-demo.status") + "VmRSS:\t1 kB\n")
        .getBytes(StandardCharsets.UTF_8);
    int realLength = Golden.read("procfs/go-demo.status").getBytes(StandardCharsets.UTF_8).length;
    assertThat(ProcStatus.parse(status, realLength))
        .isEqualTo(ProcStatus.parse(Golden.read("procfs/go-demo.status")));
    byte[] stat = (Golden.read("procfs/go-demo.stat") + "garbage")
        .getBytes(StandardCharsets.UTF_8);
    assertThat(ProcStat.parse(stat, stat.length - "garbage".length()))
        .isEqualTo(ProcStat.parse(Golden.read("procfs/go-demo.stat")));
  }

  @Test
  void statusLinesOutOfLayoutAreCounted() {
    ProcStatus s = ProcStatus.parse("Name:\tx\nno colon here\nVmRSS:\t12x kB\nThreads:\t3\n");
    assertThat(s.vmRssBytes()).isNull();
    assertThat(s.threads()).isEqualTo(3);
    assertThat(s.malformedLines()).isEqualTo(2);
  }

  @Test
  void readerReadsFilesLargerThanItsBuffer(@TempDir Path root) throws Exception {
    // a status of ~40 KiB (the reader starts with 8 KiB and grows), its Threads line last (the
    // parser reads up to the last key it wants)
    StringBuilder big = new StringBuilder(
        Golden.read("procfs/go-demo.status").replace("Threads:\t6\n", "VmSwap:\t7 kB\n"));
    while (big.length() < 40_000) {
      big.append("Padding:\t0\n");
    }
    big.append("Threads:\t6\n");
    Files.createDirectories(root.resolve("42"));
    Files.writeString(root.resolve("42/status"), big);
    Files.writeString(root.resolve("42/stat"), Golden.read("procfs/go-demo.stat"));
    Files.createDirectories(root.resolve("self"));
    ProcfsReader reader = new ProcfsReader(root);
    assertThat(reader.pids()).containsExactly(42);
    ProcStatus s = reader.status(42).orElseThrow();
    assertThat(s.vmSwapBytes()).isEqualTo(7 * KB);
    assertThat(s.threads()).isEqualTo(6);
    assertThat(reader.stat(42).orElseThrow().startTicks()).isEqualTo(83099);
    assertThat(reader.status(43)).isEmpty(); // a process that is gone
    assertThat(reader.readErrors()).isZero();
  }
}
