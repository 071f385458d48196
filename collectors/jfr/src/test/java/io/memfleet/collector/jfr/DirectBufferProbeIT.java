package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.jfr.attach.HotSpotAttach;
import io.memfleet.collector.jfr.attach.RecordingControl;
import io.memfleet.collector.jfr.attach.TargetProcess;
import io.memfleet.collector.jfr.repository.JfrRepositoryCollector;
import io.memfleet.collector.jfr.testing.ConnectionPoolApp;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A JVM read from outside whose direct buffers grow gets memfleet's direct-buffer probe from the
 * collector, without a flag or a restart: the stack that keeps its buffers is then published with
 * a rising level of live bytes, the stack whose buffers it drops is not, and a stop of memfleet's
 * recording takes the probe out again.
 *
 * <p>Runs beside the module's other test classes (junit-platform.properties): most of its minute
 * is spent waiting for the pool's windows.
 */
@Execution(ExecutionMode.CONCURRENT)
class DirectBufferProbeIT {
  @TempDir Path dir;

  @Test
  void aJvmWhoseDirectBuffersGrowGetsTheProbeAndItsKeepingStackIsPublished() throws Exception {
    try (KafkaBroker kafka = TestServers.kafka(dir)) {
      kafka.createTopics(List.of(new NewTopic(Topics.EVENTS_JFR, 1, (short) 1),
          new NewTopic(Topics.CLOCK, 1, (short) 1)));
      try (ChildJvm app = ChildJvm.start(dir.resolve("app"),
          List.of("-Xmx64m", "-XX:MaxDirectMemorySize=1g"), Map.of(),
          ConnectionPoolApp.class.getName(), "--leak-kib-per-s", "1024")) {
        int pid = (int) app.process.pid();
        AttachIT.awaitOutput(app, "kept=");
        CollectorOptions common = new CollectorOptions();
        common.set("bootstrap", kafka.bootstrapServers());
        common.set("spoolDir", dir.resolve("spool").toString());
        common.set("cluster", "it");
        JfrOptions options = new JfrOptions(common);
        try (KafkaEventSink sink = common.sinkBuilder("it", "probe-it").build();
            JfrRepositoryCollector jvms = JfrRepositoryCollector.builder().options(options)
                .sink(sink).procRoot(Path.of("/proc")).attach(true)
                .recheck(Duration.ofSeconds(1)).build()) {
          jvms.start();
          ProcessIdentity id = common.identities().withProcessLabels().forPid(pid);
          jvms.processStarted(id);

          // the pool must rise through three 10-s windows before the probe is loaded
          List<SpecificRecord> events = KafkaRecords.read(kafka.bootstrapServers(),
              List.of(Topics.EVENTS_JFR), e -> keeping(e).size() >= 3,
              Duration.ofSeconds(100));
          List<Allocation> keeping = keeping(events);
          assertThat(keeping).as("reports of the keeping stack; status %s, stderr %s",
              jvms.status(), app.stderr()).hasSizeGreaterThanOrEqualTo(3);
          assertThat(jvms.status().probed()).isEqualTo(1);
          Allocation first = keeping.get(0);
          Allocation last = keeping.get(keeping.size() - 1);
          assertThat(last.getOutstandingBytes()).as("live bytes rise")
              .isGreaterThan(first.getOutstandingBytes() + (4L << 20));
          assertThat(last.getStack().getFrames()).anyMatch(f -> f.contains("keepConnectionBuffer"));
          assertThat(last.getStack().getFrames().get(0)).startsWith("java.nio.");
          assertThat(last.getHeader().getProcess().getPid()).isEqualTo(pid);
          // what readScratch drops is freed by young collections: little of what it allocated is
          // live, while the keeping stack's buffers stay (compared with what each allocated, not
          // with each other: how much scratch is live at a report depends on when the last young
          // collection ran, which a busy machine moves — a clean CI run saw 6.2 MB of it live
          // against 11.9 MB kept)
          Allocation scratch = directSites(events).stream()
              .filter(a -> a.getStack().getFrames().stream().anyMatch(f -> f.contains("readScratch")))
              .reduce((a, b) -> b).orElseThrow();
          assertThat(scratch.getOutstandingBytes()).as("scratch live of %d allocated",
              scratch.getWeightBytes()).isLessThan(scratch.getWeightBytes() / 4);
          assertThat(last.getOutstandingBytes()).as("kept live of %d allocated",
              last.getWeightBytes()).isGreaterThan(last.getWeightBytes() / 2);

          TargetProcess target = TargetProcess.of(Path.of("/proc"), pid, List.of());
          assertThat(RecordingControl.directBufferProbeLoaded(target)).isTrue();
          RecordingControl control =
              RecordingControl.builder().settings(JfrSettings.of(options)).build();
          assertThat(control.stop(target)).isTrue();
          assertThat(HotSpotAttach.to(pid).jcmd("JFR.check")).doesNotContain("memfleet");
          assertThat(app.process.isAlive()).isTrue();
          assertThat(app.stderr()).doesNotContain("Error").doesNotContain("Exception");
        }
      }
    }
  }

  private static List<Allocation> directSites(List<SpecificRecord> events) {
    return KafkaRecords.of(events, Allocation.class).stream()
        .filter(a -> a.getKind() == AllocationKind.OUTSTANDING
            && JfrEventMapper.DIRECT_BUFFER_CLASS.equals(a.getObjectClass()))
        .toList();
  }

  /** The probe's reports of the stack that keeps ConnectionPoolApp's buffers. */
  static List<Allocation> keeping(List<SpecificRecord> events) {
    return directSites(events).stream().filter(a -> a.getStack() != null && a.getStack()
        .getFrames().stream().anyMatch(f -> f.contains("keepConnectionBuffer"))).toList();
  }
}
