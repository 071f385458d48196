package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.jfr.testing.ConnectionPoolApp;
import io.memfleet.event.Allocation;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A JVM collected by the in-process agent whose direct buffers grow gets memfleet's direct-buffer
 * probe from its agent, as one read from outside gets it from the node collector: the stack that
 * keeps its buffers is then published with a rising level of live bytes.
 *
 * <p>Runs beside the module's other test classes (junit-platform.properties): most of its time is
 * spent waiting for the pool's windows.
 */
@Execution(ExecutionMode.CONCURRENT)
class AgentDirectBufferProbeIT {
  @TempDir Path dir;

  @Test
  void theAgentStartsTheProbeOnceItsJvmsDirectBuffersGrow() throws Exception {
    try (KafkaBroker kafka = TestServers.kafka(dir)) {
      kafka.createTopics(List.of(new NewTopic(Topics.EVENTS_JFR, 1, (short) 1),
          new NewTopic(Topics.CLOCK, 1, (short) 1)));
      String agent = "-javaagent:" + ChildJvm.agentJar() + "=bootstrap="
          + kafka.bootstrapServers() + ",spoolDir=" + dir.resolve("spool")
          + ",cluster=it,service=pool-demo";
      try (ChildJvm app = ChildJvm.start(dir.resolve("app"),
          List.of("-Xmx64m", "-XX:MaxDirectMemorySize=1g", agent),
          ConnectionPoolApp.class.getName(), "--leak-kib-per-s", "1024")) {
        // the pool must rise through three 10-s windows before the probe is started
        List<SpecificRecord> events = KafkaRecords.read(kafka.bootstrapServers(),
            List.of(Topics.EVENTS_JFR), e -> DirectBufferProbeIT.keeping(e).size() >= 3,
            Duration.ofSeconds(100));
        List<Allocation> keeping = DirectBufferProbeIT.keeping(events);
        assertThat(keeping).as("reports of the keeping stack; stderr %s", app.stderr())
            .hasSizeGreaterThanOrEqualTo(3);
        Allocation first = keeping.get(0);
        Allocation last = keeping.get(keeping.size() - 1);
        assertThat(last.getOutstandingBytes()).as("live bytes rise")
            .isGreaterThan(first.getOutstandingBytes() + (4L << 20));
        assertThat(last.getStack().getFrames().get(0)).startsWith("java.nio.");
        assertThat(last.getHeader().getProcess().getPid()).isEqualTo((int) app.process.pid());
        assertThat(last.getHeader().getProcess().getService()).isEqualTo("pool-demo");
        assertThat(app.stderr()).contains("started the direct-buffer probe")
            .doesNotContain("Exception").doesNotContain("[memfleet-probe]");
        assertThat(app.process.isAlive()).isTrue();
      }
    }
  }
}
