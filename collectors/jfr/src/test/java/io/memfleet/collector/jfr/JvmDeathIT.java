package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.jfr.repository.JfrRepositoryCollector;
import io.memfleet.collector.jfr.repository.RepositoryReader;
import io.memfleet.collector.jfr.testing.LeakyCacheApp;
import io.memfleet.collector.testing.PublishedEvents;
import io.memfleet.event.GcCycle;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.Events;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JVMs that die — of an OutOfMemoryError, and by {@code kill -9} — while memfleet's recording runs
 * in them (started by memfleet's flags): the collector reads their last chunk from outside after
 * the death, so the last seconds before it reach a real broker. One broker for the class; each
 * test looks only at its own JVM's pid.
 */
class JvmDeathIT {
  @TempDir static Path dir;
  private static KafkaBroker kafka;

  @BeforeAll
  static void broker() throws Exception {
    kafka = TestServers.kafka(dir);
    kafka.createTopics(List.of(new NewTopic(Topics.EVENTS_JFR, 3, (short) 1),
        new NewTopic(Topics.CLOCK, 1, (short) 1)));
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void lastSecondsBeforeAnOutOfMemoryErrorReachKafka() throws Exception {
    Path work = dir.resolve("oom");
    Path oomMarker = work.resolve("oom-thrown");
    // HotSpot runs this when the first OutOfMemoryError is thrown: its mtime is that moment
    List<String> flags = new ArrayList<>(List.of("-Xmx64m", "-XX:+UseG1GC",
        "-XX:OnOutOfMemoryError=touch " + oomMarker));
    flags.addAll(MemfleetRecording.defaults().prepareFlags(JfrSettings.defaults(),
        work.resolve("jfr"), work.resolve("memfleet.jfc")));
    try (Collector c = new Collector(work);
        ChildJvm app = ChildJvm.start(work.resolve("app"), flags,
            LeakyCacheApp.class.getName(), "--leak-mb-per-s", "8")) {
      AttachIT.awaitOutput(app, "ops/s=");
      RepositoryReader reader = c.follow(app);
      assertThat(app.process.waitFor(90, TimeUnit.SECONDS)).as("died of OOM").isTrue();
      long diedAt = System.currentTimeMillis();
      assertThat(app.stderr()).contains("java.lang.OutOfMemoryError");
      assertThat(reader.awaitEnd(Duration.ofSeconds(60))).as("reader drained").isTrue();
      assertThat(reader.endReason()).isEqualTo("process exited");

      List<SpecificRecord> events = c.eventsOf(app);
      long newestMs = newestMillis(events);
      long thrownAt = Files.getLastModifiedTime(oomMarker).toMillis();
      System.out.printf("JVM DEATH (OOM): newest event %d ms before the OutOfMemoryError was"
          + " thrown, %d ms before the exit was noticed; %s%n", thrownAt - newestMs,
          diedAt - newestMs, reader.stats());
      assertThat(thrownAt - newestMs).as("newest event before the OutOfMemoryError")
          .isLessThan(3_000);
      // JFR flushes once a second; a JVM dying of OOM may not manage its final flush (the
      // shutdown hook needs heap too), so up to about a second before the end can be missing
      // the heap was full at the end: the last heap summary shows (nearly) all of -Xmx64m
      HeapSummary last = KafkaRecords.of(events, HeapSummary.class).stream()
          .max(Comparator.comparingLong(h -> h.getHeader().getRawTimestamp())).orElseThrow();
      assertThat(last.getUsedBytes()).isGreaterThan(48L << 20);
      assertThat(last.getMaxBytes()).isEqualTo(64L << 20);
      assertThat(KafkaRecords.of(events, GcCycle.class).stream()
          .filter(g -> g.getHeader().getRawTimestamp() / 1_000_000 > thrownAt - 3_000))
          .as("collections of the last 3 s").isNotEmpty();
      assertThat(pins(work)).as("pins removed").isEmpty();
    }
  }

  @Test
  void withTheAgentTheOutOfMemoryErrorItselfReachesKafka() throws Exception {
    // the in-process agent reads its JVM's recording from inside, and the collections that say
    // the heap ran out come in the JVM's last second, which a dying JVM's stream does not read:
    // the error that ends main is seen by the agent's uncaught-exception handler and reported
    // from its shutdown hook. The cache is main's own, garbage once main ends: a heap that
    // stays full leaves the shutdown no heap to report with (UncaughtOutOfMemory).
    // Every thread that allocates while the heap is exhausted may get the error, the agent's
    // own too (seen in about one run in five): its sink's thread carries on, and when the Kafka
    // producer's thread dies of it a new producer sends what it held (SpoolingSender)
    List<SpecificRecord> events =
        agentOutOfMemory(Path.of(System.getProperty("java.home")), "agent-oom");
    // the error comes after the last collections the stream read: measured here, 0.06–1.1 s
    // after the newest one (on JDK 25 with RecordingStream.stop draining the recording before
    // the agent closed it no closer, which therefore it does not)
    long oomMs = KafkaRecords.of(events, OomKill.class).stream()
        .filter(o -> o.getErrorMessage().contains("uncaught")).findFirst().orElseThrow()
        .getHeader().getRawTimestamp() / 1_000_000L;
    System.out.printf("JVM DEATH (OOM, agent): the error %d ms after the newest collection%n",
        oomMs - newestMillis(KafkaRecords.of(events, GcCycle.class).stream()
            .map(SpecificRecord.class::cast).toList()));
  }

  /**
   * Runs a JVM with the agent on {@code jdk} until its heap runs out; asserts the
   * {@code OutOfMemoryError} reported and returns the JVM's events.
   */
  private static List<SpecificRecord> agentOutOfMemory(Path jdk, String service)
      throws Exception {
    Path work = dir.resolve(service);
    String agent = "-javaagent:" + ChildJvm.agentJar() + "=bootstrap=" + kafka.bootstrapServers()
        + ",spoolDir=" + work.resolve("spool") + ",service=" + service;
    try (ChildJvm app = ChildJvm.start(jdk, work.resolve("app"),
        List.of("-Xmx64m", "-XX:+UseG1GC", agent), java.util.Map.of(),
        LeakyCacheApp.class.getName(), "--leak-mb-per-s", "8", "--cache-in-main", "1")) {
      long startedMs = app.process.info().startInstant().orElseThrow().toEpochMilli();
      assertThat(app.process.waitFor(90, TimeUnit.SECONDS)).as("died of OOM").isTrue();
      long exitNoticedMs = System.currentTimeMillis();
      assertThat(app.stderr()).contains("java.lang.OutOfMemoryError");
      System.out.println("JVM DEATH (OOM, agent): errors on stderr: "
          + app.stderr().lines().filter(l -> l.contains("OutOfMemoryError")).toList());
      int pid = (int) app.process.pid();
      List<SpecificRecord> events = KafkaRecords.read(kafka.bootstrapServers(),
          List.of(Topics.EVENTS_JFR), all -> all.stream().anyMatch(e -> e instanceof OomKill
              && Events.header(e).getProcess().getPid() == pid), Duration.ofSeconds(30))
          .stream().filter(e -> Events.header(e).getProcess().getPid() == pid).toList();
      List<OomKill> oomes = KafkaRecords.of(events, OomKill.class);
      System.out.println("JVM DEATH (OOM, agent): " + oomes);
      // the error itself, and when the stream did read the last collections, the inference
      // from them too (the pipeline keeps the first report of a kill)
      assertThat(oomes).as("stderr: %s", app.stderr()).isNotEmpty().allSatisfy(o -> {
        assertThat(o.getDetectedBy()).isEqualTo(OomDetection.JAVA_OUT_OF_MEMORY);
        assertThat(o.getPool()).isEqualTo(MemoryPool.HEAP);
        assertThat(o.getHeader().getProcess().getService()).isEqualTo(service);
      });
      // the program's thread, not one of the agent's that got the error too
      assertThat(oomes).extracting(OomKill::getErrorMessage)
          .containsOnlyOnce("Java heap space (uncaught in thread \"main\")");
      // stamped when main ended: after the JVM started, before its exit was noticed
      assertThat(oomes.stream().filter(o -> o.getErrorMessage().contains("uncaught")).findFirst()
          .orElseThrow().getHeader().getRawTimestamp() / 1_000_000L)
          .isBetween(startedMs, exitNoticedMs);
      return events;
    }
  }

  @Test
  void lastSecondsBeforeKillMinus9ReachKafka() throws Exception {
    Path work = dir.resolve("kill");
    List<String> flags = new ArrayList<>(List.of("-Xmx128m", "-XX:+UseG1GC"));
    flags.addAll(MemfleetRecording.defaults().prepareFlags(JfrSettings.defaults(),
        work.resolve("jfr"), work.resolve("memfleet.jfc")));
    try (Collector c = new Collector(work);
        ChildJvm app = ChildJvm.start(work.resolve("app"), flags,
            LeakyCacheApp.class.getName(), "--leak-mb-per-s", "1", "--gc-every-s", "1")) {
      AttachIT.awaitOutput(app, "ops/s=");
      RepositoryReader reader = c.follow(app);
      Path repository = reader.repository();
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (reader.stats().published() < 50 && System.nanoTime() < until) {
        Thread.sleep(200);
      }
      Thread.sleep(3_000);
      long killedAt = System.currentTimeMillis();
      app.process.destroyForcibly(); // SIGKILL: no shutdown hook, JFR cannot finish its chunk
      assertThat(app.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(reader.awaitEnd(Duration.ofSeconds(60))).as("reader drained").isTrue();
      assertThat(reader.endReason()).isEqualTo("process exited");

      List<SpecificRecord> events = c.eventsOf(app);
      long newestMs = newestMillis(events);
      System.out.printf("JVM DEATH (kill -9): newest event %d ms before the kill; %s%n",
          killedAt - newestMs, reader.stats());
      // JFR flushes its buffers to the chunk about once a second: at most that much is lost
      assertThat(killedAt - newestMs).as("newest event before the kill").isLessThan(2_500);
      assertThat(KafkaRecords.of(events, GcCycle.class).stream()
          .filter(g -> g.getHeader().getRawTimestamp() / 1_000_000 > killedAt - 3_000))
          .as("collections of the last 3 s").isNotEmpty();
      // a killed JVM cannot delete its repository: the collector does, once it has read it
      assertThat(Files.exists(repository)).isFalse();
      assertThat(pins(work)).as("pins removed").isEmpty();
    }
  }

  private static long newestMillis(List<SpecificRecord> events) {
    return events.stream().mapToLong(e -> Events.header(e).getRawTimestamp()).max()
        .orElseThrow() / 1_000_000;
  }

  private static List<Path> pins(Path work) throws Exception {
    Path pins = work.resolve("jfr/.memfleet-pins");
    if (!Files.isDirectory(pins)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(pins)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  /** The repository collector of a node, publishing to the class's broker. */
  private static final class Collector implements AutoCloseable {
    final CollectorOptions common = new CollectorOptions();
    final KafkaEventSink sink;
    final JfrRepositoryCollector jvms;

    Collector(Path work) {
      common.set("bootstrap", kafka.bootstrapServers());
      common.set("spoolDir", work.resolve("spool").toString());
      common.set("cluster", "it");
      sink = common.sinkBuilder("it", "death-it").build();
      jvms = JfrRepositoryCollector.builder().options(new JfrOptions(common)).sink(sink)
          .recheck(Duration.ofMillis(200)).build();
      jvms.start();
    }

    RepositoryReader follow(ChildJvm app) throws Exception {
      ProcessIdentity id = common.identities().forPid((int) app.process.pid());
      jvms.processStarted(id);
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (jvms.readers().isEmpty()) {
        assertThat(System.nanoTime()).as("JVM followed").isLessThan(until);
        Thread.sleep(50);
      }
      return jvms.readers().get(0);
    }

    List<SpecificRecord> eventsOf(ChildJvm app) {
      // the reader has ended: once the sink has delivered everything, the topic holds all of
      // this JVM's events and reading it to its end offsets sees each of them
      assertThat(sink.flush(Duration.ofSeconds(30))).as("sink drained, %s", sink.stats())
          .isTrue();
      int pid = (int) app.process.pid();
      List<SpecificRecord> all = PublishedEvents.readToEnd(kafka.bootstrapServers(),
          List.of(Topics.EVENTS_JFR), Duration.ofSeconds(30));
      return all.stream().filter(e -> Events.header(e).getProcess().getPid() == pid).toList();
    }

    @Override
    public void close() {
      jvms.close();
      sink.close();
    }
  }
}
