package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.jfr.testing.LeakyCacheApp;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockSync;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.ThreadCount;
import io.memfleet.localstack.FreePorts;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded agent in a real leaking JVM, publishing to a real broker (and to none). */
class JfrAgentIT {
  @TempDir Path dir;

  private final EventCodec codec = EventCodec.fromClasspath();

  @Test
  void leakingAppStreamsIdentifiedEventsWithGrowingHeapAfterFullGc() throws Exception {
    try (KafkaBroker kafka = TestServers.kafka(dir)) {
      kafka.createTopics(List.of(new NewTopic(Topics.EVENTS_JFR, 3, (short) 1),
          new NewTopic(Topics.CLOCK, 1, (short) 1)));
      String agent = "-javaagent:" + ChildJvm.agentJar() + "=bootstrap=" + kafka.bootstrapServers()
          + ",spoolDir=" + dir.resolve("spool") + ",cluster=it,service=leaky-demo"
          + ",labels=team=mem;tier=demo,oldObjectPeriod=4s,clockSyncPeriod=2s";
      try (ChildJvm app = ChildJvm.start(dir.resolve("app"),
          List.of("-Xmx256m", "-XX:+UseG1GC", agent), LeakyCacheApp.class.getName(),
          "--leak-mb-per-s", "6", "--gc-every-s", "2")) {
        List<SpecificRecord> events = new ArrayList<>();
        List<SpecificRecord> clock = new ArrayList<>();
        consume(kafka, Duration.ofSeconds(45), events, clock,
            () -> fullGcs(events).size() >= 5 && !ofType(events, ThreadCount.class).isEmpty()
                && events.stream().anyMatch(e -> e instanceof Allocation a
                    && a.getKind() == AllocationKind.JAVA_OLD_OBJECT));
        assertThat(app.process.isAlive()).as("app alive; stderr: %s", app.stderr()).isTrue();
        assertThat(app.stderr()).doesNotContain("[memfleet-jfr-agent]");

        ProcessIdentity id = Events.header(events.get(0)).getProcess();
        assertThat(id.getPid()).isEqualTo((int) app.process.pid());
        long jdkStart = app.process.info().startInstant().orElseThrow().toEpochMilli();
        assertThat(Math.abs(id.getProcessStartTimeMs() - jdkStart)).isLessThanOrEqualTo(20);
        assertThat(id.getRuntime()).isEqualTo(Runtime.JVM);
        assertThat(id.getService()).isEqualTo("leaky-demo");
        assertThat(id.getCluster()).isEqualTo("it");
        assertThat(id.getLabels()).containsEntry("team", "mem").containsEntry("tier", "demo");
        assertThat(events).allSatisfy(e -> assertThat(Events.header(e).getProcess()).isEqualTo(id));

        List<GcCycle> full = fullGcs(events);
        assertThat(full).as("full GCs (System.gc())").hasSizeGreaterThanOrEqualTo(5);
        List<Long> liveAfter = full.stream().map(GcCycle::getHeapAfterBytes).toList();
        for (int i = 1; i < liveAfter.size(); i++) {
          assertThat(liveAfter.get(i)).as("heap after full GC %s", liveAfter)
              .isGreaterThan(liveAfter.get(i - 1));
        }
        // 6 MB/s leak, ~2 s apart: several MB per cycle
        assertThat(liveAfter.get(liveAfter.size() - 1) - liveAfter.get(0))
            .isGreaterThan(10L * 1024 * 1024);
        assertThat(full).allSatisfy(c -> {
          assertThat(c.getForced()).isTrue();
          assertThat(c.getLiveBytes()).isEqualTo(c.getHeapAfterBytes());
        });
        List<HeapSummary> heap = ofType(events, HeapSummary.class);
        assertThat(heap).isNotEmpty();
        assertThat(heap).allSatisfy(h -> assertThat(h.getMaxBytes()).isEqualTo(256L << 20));
        assertThat(ofType(events, ThreadCount.class).get(0).getCount()).isPositive();
        assertThat(events).anySatisfy(e -> {
          assertThat(e).isInstanceOf(Allocation.class);
          Allocation a = (Allocation) e;
          assertThat(a.getKind()).isEqualTo(AllocationKind.JAVA_OLD_OBJECT);
          assertThat(a.getObjectClass()).isEqualTo("byte[]");
          assertThat(a.getAgeNs()).isPositive();
        });
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(Allocation.class,
            a -> assertThat(a.getKind()).isEqualTo(AllocationKind.JAVA_SAMPLE)));
        assertThat(clock).isNotEmpty();
        assertThat(((ClockSync) clock.get(0)).getHeader().getProcess().getPid())
            .isEqualTo(id.getPid());
        // one collector, one key: sequence numbers arrive strictly increasing
        List<Long> seq = events.stream().map(e -> Events.header(e).getSequence()).toList();
        assertThat(seq).isSorted().doesNotHaveDuplicates();
      }
    }
  }

  @Test
  void kafkaDownAtStartLeavesTheAppRunningAndSpools() throws Exception {
    int closedPort = FreePorts.find();
    Path spool = dir.resolve("spool");
    String agent = "-javaagent:" + ChildJvm.agentJar() + "=bootstrap=127.0.0.1:" + closedPort
        + ",spoolDir=" + spool;
    try (ChildJvm app = ChildJvm.start(dir.resolve("app"), List.of("-Xmx128m", agent),
        LeakyCacheApp.class.getName(), "--leak-mb-per-s", "2", "--duration-s", "8")) {
      assertThat(app.process.waitFor(40, TimeUnit.SECONDS)).as("exited by itself").isTrue();
      assertThat(app.process.exitValue()).as("exit; stderr: %s", app.stderr()).isZero();
      long reports = app.stdout().lines().filter(l -> l.startsWith("ops/s=")).count();
      assertThat(reports).isGreaterThanOrEqualTo(6);
      assertThat(app.stderr()).contains("unreachable; spooling events to");
      try (Stream<Path> files = Files.walk(spool)) {
        long bytes = files.filter(p -> p.toString().endsWith(".seg"))
            .mapToLong(p -> p.toFile().length()).sum();
        assertThat(bytes).as("spooled bytes").isPositive();
      }
    }
  }

  private static List<GcCycle> fullGcs(List<SpecificRecord> events) {
    return ofType(events, GcCycle.class).stream()
        .filter(c -> c.getGeneration() == GcGeneration.FULL).toList();
  }

  static <T> List<T> ofType(List<SpecificRecord> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private void consume(KafkaBroker kafka, Duration timeout, List<SpecificRecord> events,
      List<SpecificRecord> clock, java.util.function.BooleanSupplier done) {
    Map<String, Object> config = Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "group.id", "jfr-it-" + System.nanoTime(), "auto.offset.reset", "earliest");
    try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.EVENTS_JFR, Topics.CLOCK));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline && !(done.getAsBoolean() && !clock.isEmpty())) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          SpecificRecord e = codec.decode(r.value());
          (r.topic().equals(Topics.CLOCK) ? clock : events).add(e);
        }
      }
    }
  }
}
