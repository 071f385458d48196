package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.demo.GoDemo;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diagnosis events end to end, on real processes started without any memfleet help: the Go
 * demo WITHOUT {@code GODEBUG} and without {@code --go-target} (found by discovery: a Go binary
 * with a listening port that answers /debug/vars and /debug/pprof/), and a JVM started with no
 * flags (its hsperfdata read each scan). The real {@link NodeCollector} publishes to a real
 * Kafka broker; a consumer decodes what arrived.
 */
class DiagnosisCollectIT {
  @TempDir Path dir;

  @Test
  void goProgramAndJvmAreDiagnosedWithoutFlags() throws Exception {
    Capabilities.require(GoDemo.findGo().isPresent(), "the go tool (apt-get install golang-go)");
    Path binary = GoDemo.build(Path.of("target/go-demo"));
    Path source = dir.resolve("IdleJvm.java");
    try (var in = getClass().getResourceAsStream("/diagnosis/IdleJvm.java")) {
      Files.write(source, in.readAllBytes());
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process jvm = new ProcessBuilder(java.toString(), source.toString(), "120000")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    ProcessIdentities identities = ProcessIdentities.builder().cluster("it").build();
    try (KafkaBroker broker = TestServers.kafka(dir);
        GoDemo.Running demo = GoDemo.runner(binary).modes("heap-leak,goroutine-leak")
            .rate(50).chunkBytes(128 * 1024).forceGc(Duration.ofMillis(300)).start()) {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      assertThat(ready).as("the JVM started").startsWith("idle-jvm ready");
      int jvmPid = (int) jvm.pid();
      KafkaEvents.createTopics(broker);
      NodeCollector.Status status;
      try (KafkaEventSink sink = KafkaEventSink.builder()
          .bootstrapServers(broker.bootstrapServers()).collectorId("node-diagnosis-it")
          .spoolDir(dir.resolve("spool")).build();
          NodeCollector collector = NodeCollector.builder()
              .options(NodeCollectorOptions.builder()
                  .interval(Duration.ofMillis(250))
                  .pids(Set.of(demo.pid(), jvmPid))
                  .goHeapProfileInterval(Duration.ofSeconds(1))
                  .build()) // no Go target, no gctrace: discovery and hsperfdata are defaults
              .identities(identities).headers(new EventHeaders("node-diagnosis-it"))
              .sink(sink).build()) {
        collector.start();
        Thread.sleep(6000);
        status = collector.status();
        assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      }
      assertThat(status.diagnosis().goTargetsDiscovered()).isEqualTo(1);
      assertThat(status.diagnosis().hsperfdataJvms()).isEqualTo(1);
      assertThat(status.goScrapeFailures()).isZero();

      List<SpecificRecord> events = KafkaEvents.read(broker.bootstrapServers(),
          List.of(Topics.EVENTS_GO, Topics.EVENTS_PROCFS),
          e -> KafkaEvents.of(e, GcCycle.class).size() >= 3
              && KafkaEvents.of(e, Allocation.class).size() >= 2
              && !jvmEvents(KafkaEvents.of(e, MemoryPools.class), jvmPid).isEmpty(),
          Duration.ofSeconds(30));

      // Go: found by itself, pools from expvar
      List<MemoryPools> goPools = KafkaEvents.of(events, MemoryPools.class).stream()
          .filter(p -> p.getHeader().getSource() == Source.GO_EXPVAR).toList();
      assertThat(goPools).isNotEmpty().allSatisfy(p -> {
        assertThat(p.getHeader().getProcess().getPid()).isEqualTo(demo.pid());
        assertThat(p.getHeader().getProcess().getRuntime()).isEqualTo(Runtime.GO);
        assertThat(p.getSettings()).containsEntry("GOGC", "100");
        assertThat(p.getPools()).extracting(PoolUsage::getPool).contains(MemoryPool.HEAP,
            MemoryPool.GOROUTINE_STACKS, MemoryPool.GC_METADATA);
      });
      // GC cycles without gctrace: a live-heap series from the heap goal
      List<GcCycle> cycles = KafkaEvents.of(events, GcCycle.class);
      assertThat(cycles).allSatisfy(c -> {
        assertThat(c.getHeader().getSource()).isEqualTo(Source.GO_EXPVAR);
        assertThat(c.getHeader().getProcess().getPid()).isEqualTo(demo.pid());
      });
      assertThat(cycles).filteredOn(c -> c.getLiveBytes() != null).isNotEmpty()
          .allSatisfy(c -> {
            assertThat(c.getLiveBytes()).isPositive();
            assertThat(c.getHeapGoalBytes()).isCloseTo(Math.round(c.getLiveBytes() * 2.0),
                org.assertj.core.data.Offset.offset(2L));
          });
      assertThat(cycles).extracting(GcCycle::getGcId).doesNotHaveDuplicates();
      assertThat(KafkaEvents.of(events, GcPause.class)).extracting(GcPause::getGcId)
          .doesNotHaveDuplicates();
      // heap by stack: the leaking function is named
      List<Allocation> held = KafkaEvents.of(events, Allocation.class);
      assertThat(held).allSatisfy(a -> assertThat(a.getKind())
          .isEqualTo(AllocationKind.OUTSTANDING));
      assertThat(held).anyMatch(a -> a.getStack().getFrames().get(0).equals("main.leakHeap")
          && a.getOutstandingBytes() > 0);
      // goroutines by where they are parked
      List<ThreadCount> goroutines = KafkaEvents.of(events, ThreadCount.class).stream()
          .filter(t -> t.getKind() == ThreadKind.GOROUTINES).toList();
      assertThat(goroutines).isNotEmpty();
      assertThat(goroutines.get(goroutines.size() - 1).getStacks()).anyMatch(s ->
          s.getStack().getFrames().get(0).equals("main.leakGoroutine.func1"));

      // JVM: pools and a periodic heap summary from hsperfdata, no agent
      List<MemoryPools> jvmPools = jvmEvents(KafkaEvents.of(events, MemoryPools.class), jvmPid);
      assertThat(jvmPools).isNotEmpty().allSatisfy(p -> {
        assertThat(p.getHeader().getSource()).isEqualTo(Source.PROCFS);
        assertThat(p.getHeader().getProcess().getRuntime()).isEqualTo(Runtime.JVM);
        assertThat(p.getSettings()).containsEntry("gc", "G1");
        assertThat(p.getPools()).extracting(PoolUsage::getPool).contains(MemoryPool.HEAP,
            MemoryPool.METASPACE, MemoryPool.CLASS_SPACE, MemoryPool.THREAD_STACKS);
        PoolUsage heap = p.getPools().get(0);
        assertThat(heap.getUsedBytes()).isGreaterThan(4L << 20); // 64 × 64 KiB held
        assertThat(heap.getLimitBytes()).isPositive();
      });
      assertThat(KafkaEvents.of(events, HeapSummary.class)).anyMatch(h ->
          h.getHeader().getProcess().getPid() == jvmPid && h.getPhase() == HeapPhase.PERIODIC
              && h.getMaxBytes() != null);
      // kernel view: the cgroup breakdown (memory.stat is read by default now)
      assertThat(KafkaEvents.of(events, ResidentMemory.class))
          .anyMatch(r -> r.getCgroupWorkingSetBytes() != null);
    } finally {
      jvm.destroyForcibly();
      jvm.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static List<MemoryPools> jvmEvents(List<MemoryPools> pools, int pid) {
    return pools.stream().filter(p -> p.getHeader().getProcess().getPid() == pid).toList();
  }
}
