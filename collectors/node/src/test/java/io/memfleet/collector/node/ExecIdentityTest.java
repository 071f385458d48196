package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process that execs another program keeps its pid and start time: the scan must notice the
 * new program ({@code sh -c 'exec app'}, a container entrypoint script) and a runtime that shows
 * only after discovery (a JVM maps {@code libjvm.so} a moment after its exec), or a Go program
 * started through a shell is never scraped and a JVM is judged as native.
 */
class ExecIdentityTest {
  private static final long MIB = 1024 * 1024;
  private static final String LIBJVM =
      "7f0000000000-7f0000100000 r-xp 00000000 08:01 42 /usr/lib/jvm/lib/server/libjvm.so";
  @TempDir Path dir;
  private FakeProcTree tree;
  private final RecordingEventSink sink = new RecordingEventSink();

  @BeforeEach
  void setUp() {
    tree = new FakeProcTree(dir);
  }

  private NodeCollector collector(NodeCollectorOptions.Builder options) throws Exception {
    return NodeCollector.builder()
        .options(options.procRoot(tree.proc).cgroupRoots(tree.cgroupV1, tree.cgroupV2).build())
        .identities(ProcessIdentities.builder().procRoot(tree.proc).cluster("test").build())
        .headers(new EventHeaders("node/test"))
        .sink(sink)
        .build();
  }

  private ResidentMemory last() {
    List<ResidentMemory> all = sink.eventsOf(ResidentMemory.class);
    return all.get(all.size() - 1);
  }

  @Test
  void anExecIsSeenByItsNewNameAndRuntime() throws Exception {
    tree.process(100, "sh", 5000, 2048, 1, "/", true).maps(100)
        .cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      assertThat(last().getHeader().getProcess().getComm()).isEqualTo("sh");
      tree.exec(100, "java", LIBJVM);
      c.scanOnce(); // sees the new name; reads the identity at the next scan, after the exec
      assertThat(last().getHeader().getProcess().getComm()).isEqualTo("sh");
      c.scanOnce();
      assertThat(last().getHeader().getProcess().getComm()).isEqualTo("java");
      assertThat(last().getHeader().getProcess().getRuntime()).isEqualTo(Runtime.JVM);
      assertThat(last().getHeader().getProcess().getProcessStartTimeMs())
          .isEqualTo(sink.eventsOf(ResidentMemory.class).get(0).getHeader().getProcess()
              .getProcessStartTimeMs());
      assertThat(sink.eventsOf(ProcessLifecycle.class))
          .extracting(l -> l.getPhase() + " " + l.getHeader().getProcess().getComm() + " "
              + l.getCmdline())
          .containsExactly("STARTED sh /usr/bin/sh --flag", "STARTED java /usr/bin/java");
    }
  }

  @Test
  void aLauncherThatJoinsACgroupAndExecsIsReadInItsNewCgroup() throws Exception {
    // sh -c 'echo $$ > /sys/fs/cgroup/memory/job/cgroup.procs && exec app': first seen as sh in
    // the root cgroup, then app in a cgroup with a 96 MiB limit
    tree.process(100, "sh", 5000, 2048, 1, "/", true).maps(100)
        .cgroupV1("/", 5000 * MIB, Long.MAX_VALUE, 0);
    tree.cgroupV1("/job", 40 * MIB, 96 * MIB, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      assertThat(last().getCgroupLimitBytes()).isNull();
      tree.joinCgroupV1(100, "/job").exec(100, "app");
      c.scanOnce();
      c.scanOnce();
      assertThat(last().getHeader().getProcess().getComm()).isEqualTo("app");
      assertThat(last().getCgroupLimitBytes()).isEqualTo(96 * MIB);
      assertThat(last().getCgroupUsageBytes()).isEqualTo(40 * MIB);
    }
  }

  @Test
  void aRuntimeMappedAfterDiscoveryIsFoundAtTheNextChecks() throws Exception {
    // exec'd already, libjvm not mapped yet when first scanned
    tree.process(100, "java", 5000, 2048, 1, "/", true).maps(100)
        .cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      assertThat(last().getHeader().getProcess().getRuntime()).isEqualTo(Runtime.UNKNOWN);
      tree.maps(100, LIBJVM);
      c.scanOnce(); // the first recheck, one scan after discovery
      assertThat(last().getHeader().getProcess().getRuntime()).isEqualTo(Runtime.JVM);
      assertThat(sink.eventsOf(ProcessLifecycle.class)).hasSize(2)
          .allSatisfy(l -> assertThat(l.getPhase()).isEqualTo(LifecyclePhase.STARTED));
    }
  }

  @Test
  void aNativeProcessIsCheckedAgainOnlyAFewTimes() throws Exception {
    tree.process(100, "app", 5000, 2048, 1, "/", true).maps(100)
        .cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      for (int scan = 0; scan < 40; scan++) {
        c.scanOnce();
      }
      // late checks stop after the 32nd scan: a runtime appearing now is not looked for
      tree.maps(100, LIBJVM);
      for (int scan = 0; scan < 40; scan++) {
        c.scanOnce();
      }
      assertThat(last().getHeader().getProcess().getRuntime()).isEqualTo(Runtime.UNKNOWN);
      assertThat(sink.eventsOf(ProcessLifecycle.class)).hasSize(1);
    }
  }

  @Test
  void aFilteredOutWrapperThatExecsASelectedProgramAtOnceIsTrackedAtTheNextScan()
      throws Exception {
    // sh -c '... && exec app', listed while still sh: app may not live to the next recheck
    tree.process(100, "sh", 5000, 2048, 1, "/", true).cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder().comms(Set.of("app")))) {
      c.scanOnce();
      tree.exec(100, "app");
      c.scanOnce();
      assertThat(sink.eventsOf(ResidentMemory.class))
          .extracting(e -> e.getHeader().getProcess().getComm()).containsExactly("app");
    }
  }

  @Test
  void aFilteredOutWrapperThatExecsASelectedProgramLaterIsTrackedAtTheRecheck() throws Exception {
    tree.process(100, "sh", 5000, 2048, 1, "/", true).cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    int young = io.memfleet.collector.node.internal.ProcessScanner.YOUNG_IGNORED_SCANS;
    try (NodeCollector c = collector(NodeCollectorOptions.builder().comms(Set.of("app")))) {
      for (int scan = 1; scan <= young + 1; scan++) {
        c.scanOnce();
      }
      tree.exec(100, "app");
      for (int scan = young + 2; scan < io.memfleet.collector.node.internal.ProcessScanner
          .IGNORED_RECHECK_SCANS; scan++) {
        c.scanOnce();
      }
      assertThat(sink.eventsOf(ResidentMemory.class)).isEmpty();
      c.scanOnce();
      assertThat(sink.eventsOf(ResidentMemory.class))
          .extracting(e -> e.getHeader().getProcess().getComm()).containsExactly("app");
    }
  }
}
