package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.jfr.attach.HotSpotAttach;
import io.memfleet.collector.jfr.attach.RecordingControl;
import io.memfleet.collector.jfr.attach.TargetProcess;
import io.memfleet.collector.jfr.repository.JfrRepositoryCollector;
import io.memfleet.collector.jfr.repository.RepositoryReader;
import io.memfleet.collector.jfr.testing.LeakyCacheApp;
import io.memfleet.collector.testing.PublishedEvents;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockSync;
import io.memfleet.event.GcCycle;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.ThreadCount;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.Events;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A JVM started without any memfleet flag or agent is onboarded by {@code memfleet attach PID}:
 * its recording is read from outside by the repository collector and reaches a real broker with
 * the JVM's identity; {@code memfleet detach PID} stops the recording and the reading.
 */
class AttachIT {
  @TempDir Path dir;

  @Test
  void attachOnboardsARunningJvmAndDetachStopsItsRecording() throws Exception {
    try (KafkaBroker kafka = TestServers.kafka(dir)) {
      kafka.createTopics(List.of(new NewTopic(Topics.EVENTS_JFR, 3, (short) 1),
          new NewTopic(Topics.CLOCK, 1, (short) 1)));
      try (ChildJvm app = ChildJvm.start(dir.resolve("app"), List.of("-Xmx128m", "-XX:+UseG1GC"),
          Map.of("MEMFLEET_SERVICE", "attached-demo", "MEMFLEET_LABELS", "team=mem"),
          LeakyCacheApp.class.getName(), "--leak-mb-per-s", "2", "--gc-every-s", "1")) {
        int pid = (int) app.process.pid();
        awaitOutput(app, "ops/s=");
        assertThat(HotSpotAttach.to(pid).jcmd("JFR.check")).contains("No available recordings");

        // two onboardings at once (a node collector finding the JVM while `memfleet attach`
        // runs): one recording
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
          var first = pool.submit(() ->
              new CommandLine(new AttachCommand()).execute(String.valueOf(pid)));
          var second = pool.submit(() ->
              new CommandLine(new AttachCommand()).execute(String.valueOf(pid)));
          assertThat(first.get()).isZero();
          assertThat(second.get()).isZero();
        } finally {
          pool.shutdownNow();
        }
        String check = HotSpotAttach.to(pid).jcmd("JFR.check");
        assertThat(check.lines().filter(l -> l.contains("name=memfleet "))).as(check).hasSize(1);
        assertThat(HotSpotAttach.to(pid).jcmd("JFR.check name=memfleet")).contains("(running)");

        CollectorOptions common = new CollectorOptions();
        common.set("bootstrap", kafka.bootstrapServers());
        common.set("spoolDir", dir.resolve("spool").toString());
        common.set("cluster", "it");
        common.set("service", "the-collectors-own");
        JfrOptions options = new JfrOptions(common);
        options.set("oldObjectPeriod", "3s");
        options.set("clockSyncPeriod", "2s");
        try (KafkaEventSink sink = common.sinkBuilder("it", "attach-it").build();
            JfrRepositoryCollector jvms = JfrRepositoryCollector.builder().options(options)
                .sink(sink).recheck(Duration.ofSeconds(1)).build()) {
          jvms.start();
          ProcessIdentity expected = common.identities().withProcessLabels().forPid(pid);
          jvms.processStarted(expected);

          List<SpecificRecord> events = KafkaRecords.read(kafka.bootstrapServers(),
              List.of(Topics.EVENTS_JFR, Topics.CLOCK), e -> KafkaRecords.of(e, GcCycle.class)
                  .size() >= 3 && !KafkaRecords.of(e, ThreadCount.class).isEmpty()
                  && !KafkaRecords.of(e, ClockSync.class).isEmpty()
                  && e.stream().anyMatch(r -> r instanceof Allocation a
                      && a.getKind() == AllocationKind.JAVA_OLD_OBJECT)
                  && e.stream().anyMatch(r -> r instanceof Allocation a
                      && a.getKind() == AllocationKind.JAVA_SAMPLE),
              Duration.ofSeconds(60));

          assertThat(KafkaRecords.of(events, GcCycle.class)).hasSizeGreaterThanOrEqualTo(3);
          assertThat(KafkaRecords.of(events, HeapSummary.class)).isNotEmpty()
              .allSatisfy(h -> assertThat(h.getMaxBytes()).isEqualTo(128L << 20));
          assertThat(KafkaRecords.of(events, ThreadCount.class)).isNotEmpty();
          assertThat(KafkaRecords.of(events, ClockSync.class)).isNotEmpty();
          assertThat(events).anySatisfy(r -> assertThat(r).isInstanceOfSatisfying(
              Allocation.class, a -> {
                assertThat(a.getKind()).isEqualTo(AllocationKind.JAVA_OLD_OBJECT);
                assertThat(a.getObjectClass()).isEqualTo("byte[]");
              }));
          // the JVM's identity, not the collector's: its pid and start, its declared service
          ProcessIdentity id = Events.header(events.get(0)).getProcess();
          assertThat(id.getPid()).isEqualTo(pid);
          long jdkStart = app.process.info().startInstant().orElseThrow().toEpochMilli();
          assertThat(Math.abs(id.getProcessStartTimeMs() - jdkStart)).isLessThanOrEqualTo(20);
          assertThat(id.getRuntime()).isEqualTo(Runtime.JVM);
          assertThat(id.getService()).isEqualTo("attached-demo");
          assertThat(id.getLabels()).containsEntry("team", "mem");
          assertThat(id.getCluster()).isEqualTo("it");
          assertThat(events).allSatisfy(e -> assertThat(Events.header(e).getProcess())
              .isEqualTo(id));

          // inside the JVM only JFR runs: no memfleet or Kafka thread
          assertThat(threadNames(pid)).noneMatch(n -> n.startsWith("memfleet")
              || n.startsWith("kafka"));

          // old-object stacks, which the collector turns on in a JVM's first minute (this one
          // is that young) and while a live set grows: a recording of their own that enables
          // only them, stopped again to turn them off
          long stacksBy = System.nanoTime() + Duration.ofSeconds(10).toNanos();
          while (jvms.status().stacksOn() == 0 && System.nanoTime() < stacksBy) {
            Thread.sleep(100);
          }
          assertThat(jvms.status().stacksOn()).as("stacks on in a young JVM").isEqualTo(1);
          String stacks = HotSpotAttach.to(pid).jcmd("JFR.check name="
              + MemfleetRecording.OLD_OBJECT_STACKS + " verbose=true");
          assertThat(stacks).as(stacks).contains("(running)").contains("stackTrace=true")
              .doesNotContain("jdk.GarbageCollection");
          RecordingControl control =
              RecordingControl.builder().settings(JfrSettings.of(options)).build();
          TargetProcess target = TargetProcess.of(Path.of("/proc"), pid, List.of());
          control.oldObjectStacks(target, false);
          assertThat(HotSpotAttach.to(pid).jcmd("JFR.check"))
              .doesNotContain(MemfleetRecording.OLD_OBJECT_STACKS).contains("name=memfleet ");

          RepositoryReader reader = jvms.readers().get(0);
          // a second recording of the name (as a JVM started with memfleet's flags and then
          // attached by an older memfleet has): the detach stops both
          assertThat(HotSpotAttach.to(pid).jcmd("JFR.start name=memfleet"))
              .startsWith("Started recording");
          assertThat(new CommandLine(new DetachCommand()).execute(String.valueOf(pid))).isZero();
          long detachedAt = System.currentTimeMillis();
          assertThat(HotSpotAttach.to(pid).jcmd("JFR.check")).doesNotContain("memfleet");
          assertThat(reader.awaitEnd(Duration.ofSeconds(30))).as("reader ends").isTrue();
          assertThat(reader.endReason()).isEqualTo("recording stopped");
          long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
          while (jvms.status().following() > 0 && System.nanoTime() < until) {
            Thread.sleep(100); // the keeper drops ended readers on its next tick
          }
          assertThat(jvms.status().following()).isZero();
          assertThat(jvms.status().ended()).isEqualTo(1);
          // no reader is left to publish: a drained sink has put all it ever will in the topic
          assertThat(sink.flush(Duration.ofSeconds(30))).as("sink drained, %s", sink.stats())
              .isTrue();

          List<SpecificRecord> all = PublishedEvents.readToEnd(kafka.bootstrapServers(),
              List.of(Topics.EVENTS_JFR), Duration.ofSeconds(30));
          long newest = all.stream().mapToLong(e -> Events.header(e).getRawTimestamp())
              .max().orElseThrow() / 1_000_000;
          assertThat(newest).as("no JFR data after the detach").isLessThan(detachedAt + 1_000);
          assertThat(app.process.isAlive()).isTrue();
        }
      }
    }
  }

  static List<String> threadNames(int pid) throws Exception {
    return HotSpotAttach.to(pid).jcmd("Thread.print").lines()
        .filter(l -> l.startsWith("\"")).map(l -> l.substring(1, l.indexOf('"', 1))).toList();
  }

  static void awaitOutput(ChildJvm app, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!app.stdout().contains(text)) {
      assertThat(System.nanoTime()).as("%s printed; stderr: %s", text, app.stderr())
          .isLessThan(deadline);
      assertThat(app.process.isAlive()).as("alive; stderr: %s", app.stderr()).isTrue();
      Thread.sleep(100);
    }
  }
}
