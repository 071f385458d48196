package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.schema.codec.EventCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scans over a fake procfs/cgroup tree, step by step (the real-kernel runs are the ITs). */
class NodeCollectorScanTest {
  private static final long MIB = 1024 * 1024;
  @TempDir Path dir;
  private FakeProcTree tree;
  private final RecordingEventSink sink = new RecordingEventSink();

  @BeforeEach
  void setUp() {
    tree = new FakeProcTree(dir);
  }

  /** What the scans built must be what the Kafka sink can send: every event encodes. */
  @AfterEach
  void everyEventEncodes() {
    EventCodec codec = EventCodec.fromClasspath();
    for (SpecificRecord event : sink.events()) {
      assertThat(codec.encode(event)).as(event.getSchema().getName()).isNotEmpty();
    }
  }

  private NodeCollector collector(NodeCollectorOptions.Builder options) throws Exception {
    return NodeCollector.builder()
        .options(options.procRoot(tree.proc).cgroupRoots(tree.cgroupV1, tree.cgroupV2).build())
        .identities(ProcessIdentities.builder().procRoot(tree.proc).cluster("test")
            .node("node-1").labels(java.util.Map.of("env", "test")).service("collector-wide")
            .build())
        .headers(new EventHeaders("node/test"))
        .sink(sink)
        .build();
  }

  @Test
  void startSampleExit() throws Exception {
    tree.process(100, "app", 5000, 2048, 7, "/svc", true).cgroupV1("/svc", 3 * MIB, 64 * MIB, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      ProcessLifecycle started = sink.eventsOf(ProcessLifecycle.class).get(0);
      assertThat(started.getPhase()).isEqualTo(LifecyclePhase.STARTED);
      assertThat(started.getParentPid()).isEqualTo(1);
      assertThat(started.getCmdline()).isEqualTo("/usr/bin/app --flag");
      assertThat(started.getHeader().getProcess().getPid()).isEqualTo(100);
      assertThat(started.getHeader().getProcess().getProcessStartTimeMs())
          .isEqualTo(FakeProcTree.BTIME * 1000 + 5000 * 10);
      assertThat(started.getHeader().getProcess().getCgroupPath()).isEqualTo("/svc");

      ResidentMemory rm = sink.eventsOf(ResidentMemory.class).get(0);
      assertThat(rm.getHeader().getSource()).isEqualTo(Source.PROCFS);
      assertThat(rm.getHeader().getClockDomain()).isEqualTo(ClockDomain.REALTIME);
      assertThat(rm.getRssBytes()).isEqualTo(2048 * 1024L);
      assertThat(rm.getPssBytes()).isEqualTo(1998 * 1024L);
      assertThat(rm.getAnonBytes()).isEqualTo(1948 * 1024L);
      assertThat(rm.getCgroupVersion()).isEqualTo(1);
      assertThat(rm.getCgroupUsageBytes()).isEqualTo(3 * MIB);
      assertThat(rm.getCgroupLimitBytes()).isEqualTo(64 * MIB);
      assertThat(rm.getCgroupOomKills()).isZero();
      ThreadCount tc = sink.eventsOf(ThreadCount.class).get(0);
      assertThat(tc.getKind()).isEqualTo(ThreadKind.OS_THREADS);
      assertThat(tc.getCount()).isEqualTo(7);

      tree.exit(100);
      c.scanOnce();
      ProcessLifecycle exited = sink.eventsOf(ProcessLifecycle.class).get(1);
      assertThat(exited.getPhase()).isEqualTo(LifecyclePhase.EXITED);
      assertThat(exited.getOomKilled()).isFalse();
      assertThat(sink.eventsOf(OomKill.class)).isEmpty();
      assertThat(c.status().trackedProcesses()).isZero();
    }
  }

  @Test
  void oneProcessesTroubleCostsNeitherTheScanNorAnotherProcesssOomKill() throws Exception {
    tree.process(200, "leaker", 6000, 60_000, 5, "/limited", true)
        .cgroupV1("/limited", 61 * MIB, 64 * MIB, 0);
    ProcessListener failsOnNewcomer = new ProcessListener() {
      @Override
      public void started(io.memfleet.event.ProcessIdentity process) {
        if (process.getPid() == 150) {
          throw new IllegalStateException("listener failed");
        }
      }

      @Override
      public void exited(io.memfleet.event.ProcessIdentity process) {}
    };
    try (NodeCollector c = NodeCollector.builder()
        .options(NodeCollectorOptions.builder().procRoot(tree.proc)
            .cgroupRoots(tree.cgroupV1, tree.cgroupV2).build())
        .identities(ProcessIdentities.builder().procRoot(tree.proc).cluster("test").build())
        .headers(new EventHeaders("node/test")).sink(sink).processListener(failsOnNewcomer)
        .build()) {
      c.scanOnce();
      // in the scan that finds the leaker killed, a process listed before it fails
      tree.process(150, "newcomer", 6100, 1_000, 1, "/", true)
          .cgroupV1("/", MIB, Long.MAX_VALUE, 0);
      tree.cgroupV1("/limited", 1 * MIB, 64 * MIB, 1).exit(200);
      c.scanOnce();
      assertThat(sink.eventsOf(OomKill.class)).singleElement()
          .satisfies(k -> assertThat(k.getHeader().getProcess().getPid()).isEqualTo(200));
      assertThat(c.status().oomKillsAttributed()).isEqualTo(1);
      assertThat(c.status().procReadErrors()).isEqualTo(1);
      // the listener's failure cost the newcomer nothing of its own: its STARTED went out
      assertThat(sink.eventsOf(ProcessLifecycle.class))
          .filteredOn(e -> e.getPhase() == LifecyclePhase.STARTED)
          .extracting(e -> e.getHeader().getProcess().getPid()).contains(150);
      // the troubled process stays tracked: not reported gone, sampled at the next scan
      c.scanOnce();
      assertThat(sink.eventsOf(ProcessLifecycle.class))
          .filteredOn(e -> e.getPhase() == LifecyclePhase.EXITED)
          .extracting(e -> e.getHeader().getProcess().getPid()).containsExactly(200);
      assertThat(sink.eventsOf(io.memfleet.event.ResidentMemory.class))
          .filteredOn(e -> e.getHeader().getProcess().getPid() == 150).isNotEmpty();
    }
  }

  @Test
  void oomKillFromV1CounterGoesToTheVanishedLargestProcess() throws Exception {
    tree.process(200, "leaker", 6000, 60_000, 5, "/limited", true)
        .process(201, "sidecar", 6001, 1_000, 2, "/limited", true)
        .process(202, "bystander", 6002, 90_000, 2, "/other", true)
        .cgroupV1("/limited", 61 * MIB, 64 * MIB, 0)
        .cgroupV1("/other", 90 * MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      tree.rss(200, 65_000, 5);
      c.scanOnce();
      // the kernel kills the leaker: counter first, then the process is gone
      tree.cgroupV1("/limited", 1 * MIB, 64 * MIB, 1).exit(200);
      tree.exit(202); // an ordinary exit elsewhere at the same time
      c.scanOnce();

      OomKill kill = sink.eventsOf(OomKill.class).get(0);
      assertThat(sink.eventsOf(OomKill.class)).hasSize(1);
      assertThat(kill.getHeader().getProcess().getPid()).isEqualTo(200);
      assertThat(kill.getHeader().getProcess().getProcessStartTimeMs())
          .isEqualTo(FakeProcTree.BTIME * 1000 + 6000 * 10);
      assertThat(kill.getHeader().getSource()).isEqualTo(Source.CGROUP);
      assertThat(kill.getDetectedBy()).isEqualTo(OomDetection.CGROUP_COUNTER);
      assertThat(kill.getVictimComm()).isEqualTo("leaker");
      assertThat(kill.getCgroupPath()).isEqualTo("/limited");
      assertThat(kill.getRssBytesAtKill()).isEqualTo(65_000 * 1024L);
      assertThat(kill.getCgroupLimitBytes()).isEqualTo(64 * MIB);
      assertThat(kill.getOomKillCount()).isEqualTo(1);

      List<ProcessLifecycle> exits = sink.eventsOf(ProcessLifecycle.class).stream()
          .filter(e -> e.getPhase() == LifecyclePhase.EXITED).toList();
      assertThat(exits).extracting(e -> e.getHeader().getProcess().getPid())
          .containsExactlyInAnyOrder(200, 202);
      assertThat(exits).filteredOn(ProcessLifecycle::getOomKilled)
          .extracting(e -> e.getHeader().getProcess().getPid()).containsExactly(200);
      assertThat(c.status().oomKillsAttributed()).isEqualTo(1);
    }
  }

  @Test
  void v2CounterAndUnlimitedMax() throws Exception {
    tree.process(300, "go-svc", 7000, 10_000, 9, "/kubepods/pod-a/c1", false)
        .cgroupV2("/kubepods/pod-a/c1", 12 * MIB, "max", 4);
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      ResidentMemory rm = sink.eventsOf(ResidentMemory.class).get(0);
      assertThat(rm.getCgroupVersion()).isEqualTo(2);
      assertThat(rm.getCgroupUsageBytes()).isEqualTo(12 * MIB);
      assertThat(rm.getCgroupLimitBytes()).isNull();
      assertThat(rm.getCgroupOomKills()).isEqualTo(4);
      tree.cgroupV2("/kubepods/pod-a/c1", 0, "max", 5).exit(300);
      c.scanOnce();
      assertThat(sink.eventsOf(OomKill.class)).singleElement()
          .satisfies(k -> assertThat(k.getOomKillCount()).isEqualTo(5));
    }
  }

  @Test
  void reusedPidIsANewProcess() throws Exception {
    tree.process(400, "first", 8000, 1000, 1, "/", true).cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      tree.exit(400).process(400, "second", 9000, 1000, 1, "/", true);
      c.scanOnce();
      List<ProcessLifecycle> events = sink.eventsOf(ProcessLifecycle.class);
      assertThat(events).extracting(ProcessLifecycle::getPhase).containsExactly(
          LifecyclePhase.STARTED, LifecyclePhase.STARTED, LifecyclePhase.EXITED);
      assertThat(events.get(2).getHeader().getProcess().getComm()).isEqualTo("first");
      assertThat(events.get(1).getHeader().getProcess().getComm()).isEqualTo("second");
      assertThat(c.status().trackedProcesses()).isEqualTo(1);
    }
  }

  @Test
  void filtersByCommPidAndCgroup() throws Exception {
    tree.process(500, "keep", 1, 100, 1, "/team/a", true)
        .process(501, "drop", 2, 100, 1, "/team/a", true)
        .process(502, "keep", 3, 100, 1, "/other", true)
        .cgroupV1("/team/a", MIB, 2 * MIB, 0).cgroupV1("/other", MIB, 2 * MIB, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder()
        .comms(Set.of("keep")).cgroupPrefixes(List.of("/team")))) {
      c.scanOnce();
      assertThat(sink.eventsOf(ResidentMemory.class))
          .extracting(e -> e.getHeader().getProcess().getPid()).containsExactly(500);
    }
  }

  @Test
  void labelFilterUsesDeclaredCollectorAndCgroupLabels() throws Exception {
    String pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6f2a1c3e_9b7d_4e21"
        + "_8c55_0d1e2f3a4b5c.slice/cri-containerd-3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7"
        + "e6f5a4b3c2d1e0f9a.scope";
    tree.process(700, "cart", 1, 100, 1, "/svc", true)
        .environ(700, "PATH=/usr/bin", "MEMFLEET_LABELS=team=payments,tier=gold",
            "MEMFLEET_SERVICE=cart")
        .process(701, "search", 2, 100, 1, "/svc", true)
        .environ(701, "MEMFLEET_LABELS=team=search")
        .process(702, "noenv", 3, 100, 1, "/svc", true) // environ unreadable: no declared labels
        .process(703, "podded", 4, 100, 1, pod, false)
        .environ(703, "MEMFLEET_LABELS=team=payments")
        .cgroupV1("/svc", MIB, 2 * MIB, 0).cgroupV2(pod, MIB, "max", 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder()
        .labels(java.util.Map.of("team", "payments", "env", "test")))) {
      c.scanOnce();
      assertThat(sink.eventsOf(ResidentMemory.class))
          .extracting(e -> e.getHeader().getProcess().getPid())
          .containsExactlyInAnyOrder(700, 703);
      var cart = sink.eventsOf(ProcessLifecycle.class).stream()
          .map(e -> e.getHeader().getProcess()).filter(p -> p.getPid() == 700).findFirst()
          .orElseThrow();
      assertThat(cart.getService()).isEqualTo("cart");
      assertThat(cart.getLabels()).containsEntry("team", "payments")
          .containsEntry("tier", "gold").containsEntry("env", "test");
      assertThat(c.status().environReadFailures()).isEqualTo(1);
    }
    sink.clear();
    try (NodeCollector c = collector(NodeCollectorOptions.builder()
        .labels(java.util.Map.of("k8s.pod.uid", "6f2a1c3e-9b7d-4e21-8c55-0d1e2f3a4b5c")))) {
      c.scanOnce();
      var podded = sink.eventsOf(ResidentMemory.class).stream()
          .map(e -> e.getHeader().getProcess()).toList();
      assertThat(podded).extracting(p -> p.getPid()).containsOnly(703);
      assertThat(podded.get(0).getLabels()).containsEntry("container.id",
          "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a");
      assertThat(podded.get(0).getService()).isEqualTo("collector-wide");
    }
    // without per-process labels only the collector's and the cgroup's labels count
    sink.clear();
    try (NodeCollector c = collector(NodeCollectorOptions.builder().processLabels(false)
        .labels(java.util.Map.of("team", "payments")))) {
      c.scanOnce();
      assertThat(sink.eventsOf(ResidentMemory.class)).isEmpty();
      assertThat(c.status().environReadFailures()).isZero();
    }
  }

  @Test
  void vanishedCgroupAndUnreadableFilesAreNotFatal() throws Exception {
    tree.process(600, "orphan", 1, 100, 1, "/gone", true); // no cgroup dir at all
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      ResidentMemory rm = sink.eventsOf(ResidentMemory.class).get(0);
      assertThat(rm.getCgroupVersion()).isNull();
      assertThat(rm.getRssBytes()).isEqualTo(100 * 1024L);
    }
  }

  @Test
  void cgroupBreakdownAndPressureInResidentMemory() throws Exception {
    tree.process(100, "app", 5000, 2048, 7, "/svc", true).cgroupV1("/svc", 3 * MIB, 64 * MIB, 0);
    java.nio.file.Files.writeString(tree.cgroupV1.resolve("svc/memory.stat"),
        "total_rss 1048576\ntotal_cache 2097152\ntotal_shmem 4096\n"
            + "total_inactive_file 1048576\ntotal_swap 0\n");
    java.nio.file.Files.writeString(tree.cgroupV1.resolve("svc/memory.failcnt"), "12\n");
    java.nio.file.Files.createDirectories(tree.proc.resolve("pressure"));
    java.nio.file.Files.writeString(tree.proc.resolve("pressure/memory"),
        "some avg10=1.50 avg60=0.00 avg300=0.00 total=1\n"
            + "full avg10=0.25 avg60=0.00 avg300=0.00 total=1\n");
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      ResidentMemory rm = sink.eventsOf(ResidentMemory.class).get(0);
      assertThat(rm.getCgroupAnonBytes()).isEqualTo(MIB);
      assertThat(rm.getCgroupFileBytes()).isEqualTo(2 * MIB);
      assertThat(rm.getCgroupShmemBytes()).isEqualTo(4096L);
      assertThat(rm.getCgroupInactiveFileBytes()).isEqualTo(MIB);
      assertThat(rm.getCgroupWorkingSetBytes()).isEqualTo(2 * MIB);
      assertThat(rm.getCgroupSwapBytes()).isZero();
      assertThat(rm.getCgroupMaxEvents()).isEqualTo(12L);
      assertThat(rm.getCgroupHighBytes()).isNull();
      assertThat(rm.getPsiSomeAvg10()).isEqualTo(1.5); // v1: the host's PSI
      assertThat(rm.getPsiFullAvg10()).isEqualTo(0.25);
    }
    sink.clear();
    try (NodeCollector c = collector(NodeCollectorOptions.builder().readCgroupStat(false))) {
      c.scanOnce();
      ResidentMemory rm = sink.eventsOf(ResidentMemory.class).get(0);
      assertThat(rm.getCgroupWorkingSetBytes()).isNull();
      assertThat(rm.getCgroupUsageBytes()).isEqualTo(3 * MIB);
    }
  }

  @Test
  void jvmPoolsFromHsperfdataEveryScan() throws Exception {
    tree.process(200, "java", 6000, 65536, 20, "/", true).cgroupV1("/", 3 * MIB, 64 * MIB, 0);
    Path proc = tree.proc.resolve("200");
    java.nio.file.Files.writeString(proc.resolve("maps"),
        "7f0000000000-7f0000100000 r-xp 00000000 08:01 123 /usr/lib/jvm/lib/server/libjvm.so\n");
    Path perf = proc.resolve("root/tmp/hsperfdata_app/200");
    java.nio.file.Files.createDirectories(perf.getParent());
    java.nio.file.Files.write(perf,
        io.memfleet.collector.node.jvm.PerfDataParsersTestAccess.golden("parallel"));
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      c.scanOnce();
      List<io.memfleet.event.MemoryPools> pools =
          sink.eventsOf(io.memfleet.event.MemoryPools.class);
      assertThat(pools).hasSize(2);
      assertThat(pools.get(0).getHeader().getSource()).isEqualTo(Source.PROCFS);
      assertThat(pools.get(0).getHeader().getProcess().getRuntime())
          .isEqualTo(io.memfleet.event.Runtime.JVM);
      assertThat(pools.get(0).getSettings()).containsEntry("gc", "Parallel");
      assertThat(pools.get(0).getPools()).extracting(p -> p.getPool()).contains(
          io.memfleet.event.MemoryPool.HEAP, io.memfleet.event.MemoryPool.METASPACE,
          io.memfleet.event.MemoryPool.THREAD_STACKS);
      List<io.memfleet.event.HeapSummary> heaps =
          sink.eventsOf(io.memfleet.event.HeapSummary.class);
      assertThat(heaps).hasSize(2);
      assertThat(heaps.get(0).getPhase()).isEqualTo(io.memfleet.event.HeapPhase.PERIODIC);
      assertThat(heaps.get(0).getUsedBytes()).isEqualTo(5927592L + 10358600L);
      assertThat(heaps.get(0).getMaxBytes()).isEqualTo(256 * MIB);
      assertThat(c.status().diagnosis().hsperfdataJvms()).isEqualTo(1);

      // a corrupt file is counted, not fatal; the scan goes on
      java.nio.file.Files.write(perf, new byte[32768]);
      tree.exit(200);
      c.scanOnce();
      assertThat(c.status().diagnosis().hsperfdataJvms()).isZero();
    }
  }

  @Test
  void corruptHsperfdataIsCounted() throws Exception {
    tree.process(201, "java", 6000, 65536, 20, "/", true).cgroupV1("/", 3 * MIB, 64 * MIB, 0);
    Path proc = tree.proc.resolve("201");
    java.nio.file.Files.writeString(proc.resolve("maps"), "x /usr/lib/libjvm.so\n");
    Path perf = proc.resolve("root/tmp/hsperfdata_app/201");
    java.nio.file.Files.createDirectories(perf.getParent());
    byte[] bytes = io.memfleet.collector.node.jvm.PerfDataParsersTestAccess.golden("g1");
    java.util.Arrays.fill(bytes, 40, 400, (byte) 0x7f);
    java.nio.file.Files.write(perf, bytes);
    try (NodeCollector c = collector(NodeCollectorOptions.builder())) {
      c.scanOnce();
      assertThat(c.status().diagnosis().hsperfdataMalformed()).isEqualTo(1);
      assertThat(sink.eventsOf(io.memfleet.event.MemoryPools.class)).isEmpty();
      assertThat(sink.eventsOf(ResidentMemory.class)).hasSize(1);
    }
  }
}
