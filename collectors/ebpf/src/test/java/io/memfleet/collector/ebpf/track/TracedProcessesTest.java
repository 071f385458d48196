package io.memfleet.collector.ebpf.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.ProcessIdentities;
import io.memfleet.event.ProcessIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which processes are traced, with what identity, and that their state goes when they do. */
class TracedProcessesTest {
  private static final int SELF = 500;
  @TempDir Path dir;
  private FakeProc proc;

  @BeforeEach
  void procfs() throws Exception {
    proc = new FakeProc(dir);
    proc.process(100, 1, "checkout", 0, 1000, "/kubepods/pod-a/c1",
        "PATH=/bin MEMFLEET_SERVICE=checkout MEMFLEET_LABELS=team=pay")
        .process(101, 1, "batch", 0, 1100, "/system.slice/batch.service", "")
        .process(SELF, 1, "java", 0, 900, "/", "")
        .process(501, SELF, "bpftrace", 0, 950, "/", "")
        .process(502, SELF, "leaky", 0, 960, "/", "")
        .process(3, 2, "kworker/0:1", ProcStat.PF_KTHREAD, 5, "/", "");
  }

  private TracedProcesses processes(ProcessScope scope, int max) {
    ProcessIdentities ids = ProcessIdentities.builder().cluster("c").node("n").procRoot(dir)
        .build().withProcessLabels();
    return TracedProcesses.builder().identities(ids).procRoot(dir).scope(scope).selfPid(SELF)
        .maxProcesses(max).build();
  }

  @Test
  void hostWideTracesEveryProcessButTheCollectorItsChildrenAndKernelThreads() {
    TracedProcesses host = processes(ProcessScope.host(), 16);
    ProcessIdentity checkout = host.get(100).orElseThrow().identity();
    assertThat(checkout.getComm()).isEqualTo("checkout");
    assertThat(checkout.getService()).isEqualTo("checkout");
    assertThat(checkout.getLabels()).containsEntry("team", "pay");
    assertThat(checkout.getProcessStartTimeMs()).isEqualTo(1795783350L * 1000 + 10_000);
    assertThat(checkout.getCgroupPath()).isEqualTo("/kubepods/pod-a/c1");
    assertThat(host.get(101)).isPresent();
    assertThat(host.get(SELF)).isEmpty();
    assertThat(host.get(501)).as("bpftrace, a child of the collector").isEmpty();
    assertThat(host.get(502)).as("another child (a test's workload)").isPresent();
    assertThat(host.get(3)).as("kernel thread").isEmpty();
    assertThat(host.get(0)).isEmpty();
    assertThat(host.get(4242)).as("gone before it was read").isEmpty();
    var s = host.stats();
    assertThat(s.tracked()).isEqualTo(3);
    assertThat(s.goneBeforeRead()).isEqualTo(1);
    assertThat(s.notTraced()).isEqualTo(5);
    assertThat(host.get(100).orElseThrow().mappings().outstandingBytes()).isZero();
  }

  @Test
  void decisionsAreRememberedSoOtherProcessesCostNoReads() throws Exception {
    TracedProcesses pods = processes(ProcessScope.cgroups(List.of("/kubepods")), 16);
    assertThat(pods.get(100)).isPresent();
    assertThat(pods.get(101)).isEmpty();
    Files.delete(dir.resolve("101/cgroup")); // not read again
    assertThat(pods.get(101)).isEmpty();
    assertThat(pods.stats().notTraced()).isEqualTo(1);
    assertThat(pods.stats().eventsNotTraced()).isEqualTo(2);
  }

  @Test
  void exitedProcessesAndReusedPidsAreDroppedBySweep() throws Exception {
    TracedProcesses host = processes(ProcessScope.host(), 16);
    TracedProcess checkout = host.get(100).orElseThrow();
    synchronized (checkout) {
      checkout.mappings().mapped(0x7000_0000L, 1 << 20, 1);
    }
    host.get(101).orElseThrow();
    assertThat(host.get(4242)).isEmpty();
    proc.exit(100);
    proc.process(101, 1, "batch", 0, 7777, "/system.slice/batch.service", ""); // pid reused
    proc.process(4242, 1, "late", 0, 8000, "/", "");
    assertThat(host.sweep()).extracting(TracedProcess::pid).containsExactlyInAnyOrder(100, 101);
    assertThat(host.stats().tracked()).isZero();
    assertThat(host.stats().exited()).isEqualTo(2);
    // the new 101 is a new process; 4242, gone before, is read again now it exists
    assertThat(host.get(101).orElseThrow().startTicks()).isEqualTo(7777);
    assertThat(host.get(4242)).isPresent();
    assertThat(host.get(100)).isEmpty();
  }

  @Test
  void aProcessThatCallsExecIsReadAgain() throws Exception {
    TracedProcesses pods = processes(ProcessScope.cgroups(List.of("/kubepods")), 16);
    // forked into the selected cgroup by a runtime: not yet the program it will be
    proc.process(300, 1, "runc:[2:INIT]", 0, 3000, "/system.slice/runc", "");
    assertThat(pods.get(300)).isEmpty();
    proc.process(300, 1, "checkout", 0, 3000, "/kubepods/pod-b/c2", "MEMFLEET_SERVICE=cart");
    pods.forget(300); // the mmap script's exec event
    ProcessIdentity now = pods.get(300).orElseThrow().identity();
    assertThat(now.getComm()).isEqualTo("checkout");
    assertThat(now.getService()).isEqualTo("cart");
    // an event of the main thread under another name says so at once, before any exec event
    proc.process(300, 1, "cart-v1", 0, 3000, "/kubepods/pod-b/c2", "");
    assertThat(pods.get(300, "cart-v1").orElseThrow().identity().getComm()).isEqualTo("cart-v1");
    assertThat(pods.get(300, null).orElseThrow().identity().getComm()).isEqualTo("cart-v1");
    // without an exec event (no mmap script), the sweep sees the new comm
    proc.process(300, 1, "checkout-v2", 0, 3000, "/kubepods/pod-b/c2", "");
    assertThat(pods.sweep()).extracting(TracedProcess::pid).containsExactly(300);
    assertThat(pods.get(300).orElseThrow().identity().getComm()).isEqualTo("checkout-v2");
    assertThat(pods.stats().execs()).isEqualTo(3);
    assertThat(pods.stats().exited()).isZero();
    // a decision not to trace is taken again when the comm changed and the exec event was lost
    proc.process(301, 1, "sh", 0, 3100, "/system.slice/runc", "");
    assertThat(pods.get(301)).isEmpty();
    proc.process(301, 1, "cart", 0, 3100, "/kubepods/pod-c/c3", "");
    pods.sweep();
    assertThat(pods.get(301)).isPresent();
    // and a decision not to trace, by the main thread's new name
    proc.process(302, 1, "sh", 0, 3200, "/system.slice/runc", "");
    assertThat(pods.get(302, "sh")).isEmpty();
    proc.process(302, 1, "web", 0, 3200, "/kubepods/pod-d/c4", "");
    assertThat(pods.get(302, "web")).isPresent();
  }

  @Test
  void theTableIsBoundedByEvictingTheLongestQuiet() throws Exception {
    for (int pid = 200; pid < 210; pid++) {
      proc.process(pid, 1, "w" + pid, 0, pid, "/", "");
    }
    TracedProcesses host = processes(ProcessScope.host(), 4);
    for (int pid = 200; pid < 210; pid++) {
      host.get(pid).orElseThrow();
      host.get(200).orElseThrow(); // 200 stays busy
    }
    assertThat(host.snapshot()).extracting(TracedProcess::pid).contains(200).hasSize(4);
    assertThat(host.stats().evicted()).isEqualTo(6);
  }

  @Test
  void oneTargetGetsEveryEvent() throws Exception {
    TracedProcesses one = processes(ProcessScope.process(101), 1);
    ProcessIdentities ids = ProcessIdentities.builder().procRoot(dir).build();
    one.admit(ids.forPid(101));
    assertThat(one.get(101).orElseThrow().pid()).isEqualTo(101);
    assertThat(one.get(31337).orElseThrow().pid()).as("the scripts filter by pid").isEqualTo(101);
  }
}
