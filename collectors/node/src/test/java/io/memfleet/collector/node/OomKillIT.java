package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.demo.GoDemo;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.Source;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real OOM kill: the Go demo leaks heap inside a cgroup v1 memory cgroup limited to 64 MiB,
 * the kernel kills it, and the {@code OomKill} event arrives through a real broker with the
 * victim's identity (pid and start time), cgroup and resident memory.
 */
class OomKillIT {
  private static final Path V1_MEMORY = Path.of("/sys/fs/cgroup/memory");
  private static final long LIMIT = 64L * 1024 * 1024;

  @TempDir Path dir;

  @Test
  void oomKillInALimitedCgroupArrivesWithTheVictimsIdentity() throws Exception {
    Capabilities.require("root".equals(System.getProperty("user.name")), "root");
    Capabilities.require(Files.isWritable(V1_MEMORY.resolve("cgroup.procs")),
        "a writable cgroup v1 memory hierarchy at " + V1_MEMORY);
    Capabilities.require(GoDemo.findGo().isPresent(), "the go tool (apt-get install golang-go)");
    Path binary = GoDemo.build(Path.of("target/go-demo"));
    String name = "memfleet-it-" + UUID.randomUUID().toString().substring(0, 8);
    Path cgroup = V1_MEMORY.resolve(name);
    Files.createDirectory(cgroup);
    try (KafkaBroker broker = TestServers.kafka(dir)) {
      Files.writeString(cgroup.resolve("memory.limit_in_bytes"), Long.toString(LIMIT));
      KafkaEvents.createTopics(broker);
      ProcessIdentities identities = ProcessIdentities.builder().cluster("it").build();
      ProcessIdentity victim;
      try (KafkaEventSink sink = KafkaEventSink.builder()
          .bootstrapServers(broker.bootstrapServers()).collectorId("node-oom-it")
          .spoolDir(dir.resolve("spool")).build();
          NodeCollector collector = NodeCollector.builder()
              .options(NodeCollectorOptions.builder().interval(Duration.ofMillis(200))
                  .cgroupPrefixes(List.of("/" + name)).build())
              .identities(identities).headers(new EventHeaders("node-oom-it")).sink(sink)
              .build()) {
        collector.start();
        // ~20 MiB/s against 64 MiB: a few seconds of samples, then the kill
        try (GoDemo.Running demo = GoDemo.runner(binary).modes("heap-leak").rate(20)
            .chunkBytes(1024 * 1024).cgroup(cgroup).start()) {
          victim = identities.forPid(demo.pid());
          // at its limit the program thrashes (the kernel evicts and it faults back its own
          // code) before the kill: measured here 17–48 s after its start, once over 60 s
          assertThat(demo.process().waitFor(150, TimeUnit.SECONDS)).as("killed").isTrue();
          assertThat(demo.process().exitValue()).isEqualTo(128 + 9); // SIGKILL
        }
        assertThat(Files.readString(cgroup.resolve("memory.oom_control"))).contains("oom_kill 1");
        // a loaded host may hold the scan thread for seconds
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (collector.status().oomKillsAttributed() == 0 && System.nanoTime() < end) {
          Thread.sleep(100);
        }
        NodeCollector.Status status = collector.status();
        assertThat(status.oomKillsAttributed()).as("%s", status).isEqualTo(1);
        assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      }

      List<SpecificRecord> events = KafkaEvents.read(broker.bootstrapServers(),
          List.of(Topics.EVENTS_PROCFS),
          e -> !KafkaEvents.of(e, OomKill.class).isEmpty()
              && KafkaEvents.of(e, ProcessLifecycle.class).stream()
                  .anyMatch(l -> l.getPhase() == LifecyclePhase.EXITED),
          Duration.ofSeconds(30));
      List<OomKill> kills = KafkaEvents.of(events, OomKill.class);
      assertThat(kills).hasSize(1);
      OomKill kill = kills.get(0);
      assertThat(kill.getHeader().getProcess().getPid()).isEqualTo(victim.getPid());
      assertThat(kill.getHeader().getProcess().getProcessStartTimeMs())
          .isEqualTo(victim.getProcessStartTimeMs());
      assertThat(kill.getHeader().getProcess().getCgroupPath()).isEqualTo("/" + name);
      assertThat(kill.getHeader().getSource()).isEqualTo(Source.CGROUP);
      assertThat(kill.getDetectedBy()).isEqualTo(OomDetection.CGROUP_COUNTER);
      assertThat(kill.getVictimComm()).isEqualTo("memfleet-demo");
      assertThat(kill.getCgroupPath()).isEqualTo("/" + name);
      assertThat(kill.getCgroupLimitBytes()).isEqualTo(LIMIT);
      assertThat(kill.getOomKillCount()).isEqualTo(1);
      // last RSS seen before the kill: most of the limit was in use
      assertThat(kill.getRssBytesAtKill()).isBetween(LIMIT / 4, LIMIT + LIMIT / 4);
      assertThat(KafkaEvents.of(events, ProcessLifecycle.class))
          .filteredOn(l -> l.getPhase() == LifecyclePhase.EXITED)
          .singleElement()
          .satisfies(l -> {
            assertThat(l.getOomKilled()).isTrue();
            assertThat(l.getHeader().getProcess().getPid()).isEqualTo(victim.getPid());
          });
    } finally {
      removeCgroup(cgroup);
    }
  }

  private static void removeCgroup(Path cgroup) throws Exception {
    for (int i = 0; i < 50 && Files.exists(cgroup); i++) {
      try {
        Files.delete(cgroup); // rmdir; fails while a task is still in it
      } catch (java.io.IOException e) {
        Thread.sleep(100);
      }
    }
  }
}
