package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.demo.GoDemo;
import io.memfleet.collector.node.go.GcTraceSource;
import io.memfleet.collector.node.go.GoTarget;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on the real thing: the Go demo (built with Debian's Go) leaking goroutines and
 * heap under {@code GODEBUG=gctrace=1}, the node collector scanning procfs, scraping expvar and
 * pprof and following the trace log, a real Kafka broker, and a consumer decoding what arrived.
 * Malformed lines in the trace log are counted and do not stop the follower.
 */
class GoDemoCollectIT {
  @TempDir Path dir;

  @Test
  void demoIsCollectedEndToEnd() throws Exception {
    Capabilities.require(GoDemo.findGo().isPresent(), "the go tool (apt-get install golang-go)");
    Path binary = GoDemo.build(Path.of("target/go-demo"));
    Path trace = dir.resolve("demo.stderr");
    // garbage already in the log before the program starts writing to it
    Files.writeString(trace, "gc 1 @0.1s 0%: 0.01+\nstarting demo\n");
    ProcessIdentities identities = ProcessIdentities.builder().cluster("it").build();

    try (KafkaBroker broker = TestServers.kafka(dir);
        GoDemo.Running demo = GoDemo.runner(binary).modes("healthy,heap-leak,goroutine-leak")
            .rate(50).chunkBytes(256 * 1024).forceGc(Duration.ofMillis(300))
            .gctraceLog(trace).start()) {
      KafkaEvents.createTopics(broker);
      ProcessIdentity demoId = identities.forPid(demo.pid());
      NodeCollector.Status status;
      try (KafkaEventSink sink = KafkaEventSink.builder()
          .bootstrapServers(broker.bootstrapServers()).collectorId("node-it")
          .spoolDir(dir.resolve("spool")).build();
          NodeCollector collector = NodeCollector.builder()
              .options(NodeCollectorOptions.builder()
                  .interval(Duration.ofMillis(250))
                  .pids(Set.of(demo.pid()))
                  .clockSyncInterval(Duration.ofSeconds(1))
                  // no pids given: found from the listening port and the open log file
                  .goTarget(GoTarget.parse("demo=" + demo.baseUrl()))
                  .gctraceSource(GcTraceSource.parse(trace.toString()))
                  .build())
              .identities(identities).headers(new EventHeaders("node-it")).sink(sink).build()) {
        collector.start();
        Thread.sleep(2500);
        Files.writeString(trace, "gc 77 @oops\n", StandardOpenOption.APPEND);
        Thread.sleep(2500);
        status = collector.status();
        assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      }

      // every cycle parsed before the status was taken must arrive (later ones may too)
      long parsed = status.gctraceLines();
      List<SpecificRecord> events = KafkaEvents.read(broker.bootstrapServers(),
          List.of(Topics.EVENTS_GO, Topics.EVENTS_PROCFS, Topics.CLOCK),
          e -> !KafkaEvents.of(e, ClockSync.class).isEmpty()
              && KafkaEvents.of(e, GcCycle.class).size() >= Math.max(5, parsed)
              && KafkaEvents.of(e, ThreadCount.class).size() >= 10,
          Duration.ofSeconds(30));

      // gctrace: cycles in the process-relative clock, anchored on the demo's identity
      List<GcCycle> cycles = KafkaEvents.of(events, GcCycle.class);
      assertThat(cycles).hasSizeGreaterThanOrEqualTo(5);
      assertThat(cycles).allSatisfy(c -> {
        assertThat(c.getHeader().getSource()).isEqualTo(Source.GO_GCTRACE);
        assertThat(c.getHeader().getClockDomain()).isEqualTo(ClockDomain.GO_PROCESS_RELATIVE);
        assertThat(c.getHeader().getProcess().getPid()).isEqualTo(demo.pid());
        assertThat(c.getHeader().getProcess().getProcessStartTimeMs())
            .isEqualTo(demoId.getProcessStartTimeMs());
        assertThat(c.getHeader().getProcess().getRuntime()).isEqualTo(Runtime.GO);
        assertThat(c.getHeapGoalBytes()).isPositive();
      });
      assertThat(cycles).anyMatch(GcCycle::getForced);
      assertThat(cycles.get(cycles.size() - 1).getLiveBytes())
          .isGreaterThan(cycles.get(0).getLiveBytes()); // the heap leak shows
      List<GcPause> pauses = KafkaEvents.of(events, GcPause.class);
      assertThat(pauses).anyMatch(p -> p.getHeader().getSource() == Source.GO_GCTRACE);
      // each pause once: gctrace covers the demo, so memstats add no pauses or cycles of it
      assertThat(pauses).noneMatch(p -> p.getHeader().getSource() == Source.GO_EXPVAR);

      // expvar and pprof scrapes, wall clock
      List<HeapSummary> heaps = KafkaEvents.of(events, HeapSummary.class);
      assertThat(heaps).isNotEmpty().allSatisfy(h -> {
        assertThat(h.getHeader().getClockDomain()).isEqualTo(ClockDomain.REALTIME);
        assertThat(h.getHeader().getProcess().getPid()).isEqualTo(demo.pid());
        assertThat(h.getUsedBytes()).isPositive();
        assertThat(h.getCommittedBytes()).isGreaterThanOrEqualTo(h.getUsedBytes());
        assertThat(h.getNextGcBytes()).isPositive();
      });
      List<ThreadCount> goroutines = KafkaEvents.of(events, ThreadCount.class).stream()
          .filter(t -> t.getKind() == ThreadKind.GOROUTINES).toList();
      assertThat(goroutines).hasSizeGreaterThanOrEqualTo(5);
      assertThat(goroutines.get(goroutines.size() - 1).getCount())
          .as("goroutines, in order: %s", goroutines.stream().map(t ->
              t.getCount() + "@" + t.getHeader().getRawTimestamp() / 1_000_000 % 100_000).toList())
          .isGreaterThan(goroutines.get(0).getCount() + 50); // 50 leaked per second

      // procfs: the demo's resident memory, threads and start
      List<ResidentMemory> rss = KafkaEvents.of(events, ResidentMemory.class);
      assertThat(rss).hasSizeGreaterThanOrEqualTo(10).allSatisfy(r -> {
        assertThat(r.getHeader().getProcess().getPid()).isEqualTo(demo.pid());
        assertThat(r.getRssBytes()).isPositive();
        assertThat(r.getPssBytes()).isPositive();
        assertThat(r.getCgroupVersion()).isNotNull();
      });
      assertThat(KafkaEvents.of(events, ThreadCount.class))
          .anyMatch(t -> t.getKind() == ThreadKind.OS_THREADS && t.getCount() > 1);
      assertThat(KafkaEvents.of(events, ProcessLifecycle.class))
          .anyMatch(l -> l.getPhase() == LifecyclePhase.STARTED
              && l.getCmdline().contains("-mode=healthy,heap-leak,goroutine-leak"));
      assertThat(KafkaEvents.of(events, ClockSync.class)).isNotEmpty();

      // malformed lines were counted, and the follower went on parsing after them
      assertThat(status.gctraceMalformed()).isEqualTo(2);
      assertThat((long) cycles.size()).isGreaterThanOrEqualTo(status.gctraceLines());
      assertThat(status.gctraceUnattributed()).isZero();
      assertThat(status.goScrapeFailures()).isZero();
      assertThat(cycles).anyMatch(c -> c.getGcId() > 10);
    }
  }
}
