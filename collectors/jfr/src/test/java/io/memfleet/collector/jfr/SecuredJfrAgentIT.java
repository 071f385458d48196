package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.jfr.testing.LeakyCacheApp;
import io.memfleet.localstack.testing.SecureKafka;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import io.memfleet.schema.kafka.KafkaAccess;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded agent (Kafka relocated inside it) publishing to a SASL_SSL broker with ACLs: its
 * option string names the user, the password file and the CA — the password itself is on no
 * command line, and an option string that tries to carry one keeps the agent from starting.
 */
class SecuredJfrAgentIT {
  @TempDir Path dir;

  private final EventCodec codec = EventCodec.fromClasspath();

  @Test
  void agentPublishesOverSaslSslWithThePasswordFromAFile() throws Exception {
    try (SecureKafka kafka = SecureKafka.start(dir)) {
      kafka.createTopics(List.of(new NewTopic(Topics.EVENTS_JFR, 1, (short) 1),
          new NewTopic(Topics.CLOCK, 1, (short) 1)));
      Path collector = kafka.createUser("collector");
      Path pipeline = kafka.createUser("pipeline");
      kafka.grant(KafkaAccess.COLLECTOR.aclBindings("User:collector"));
      kafka.grant(KafkaAccess.PIPELINE.aclBindings("User:pipeline"));
      String password = Files.readString(collector, StandardCharsets.UTF_8);

      String agent = "-javaagent:" + ChildJvm.agentJar() + "=bootstrap=" + kafka.bootstrapServers()
          + ",spoolDir=" + dir.resolve("spool") + ",service=secured-demo,clockSyncPeriod=2s"
          + ",kafkaSecurityProtocol=SASL_SSL,kafkaUsername=collector"
          + ",kafkaPasswordFile=" + collector + ",kafkaCaFile=" + kafka.caFile();
      try (ChildJvm app = ChildJvm.start(dir.resolve("app"), List.of("-Xmx128m", agent),
          LeakyCacheApp.class.getName(), "--leak-mb-per-s", "2")) {
        int events = countOwnEvents(kafka, pipeline, app.process.pid(), Duration.ofSeconds(45));
        assertThat(events).as("events of pid %d; stderr: %s", app.process.pid(), app.stderr())
            .isPositive();
        assertThat(app.stderr()).doesNotContain("[memfleet-jfr-agent]");
        String cmdline = Files.readString(Path.of("/proc/" + app.process.pid() + "/cmdline"),
            StandardCharsets.ISO_8859_1);
        assertThat(cmdline).contains("kafkaPasswordFile=").doesNotContain(password);
      }
    }
  }

  @Test
  void aPasswordInTheOptionStringKeepsTheAgentFromStartingAndIsNotEchoed() throws Exception {
    String agent = "-javaagent:" + ChildJvm.agentJar() + "=bootstrap=127.0.0.1:9,spoolDir="
        + dir.resolve("spool") + ",kafkaSecurityProtocol=SASL_SSL,kafkaUsername=collector"
        + ",kafkaPassword=hunter2-secret";
    try (ChildJvm app = ChildJvm.start(dir.resolve("app"), List.of("-Xmx64m", agent),
        LeakyCacheApp.class.getName(), "--leak-mb-per-s", "1", "--duration-s", "3")) {
      assertThat(app.process.waitFor(40, TimeUnit.SECONDS)).as("exited by itself").isTrue();
      assertThat(app.process.exitValue()).as("the application runs on").isZero();
      assertThat(app.stderr()).contains("not started").contains("never an option")
          .doesNotContain("hunter2-secret");
    }
  }

  /** Events on the JFR topic whose header names {@code pid}, read as the pipeline role. */
  private int countOwnEvents(SecureKafka kafka, Path pipelinePassword, long pid,
      Duration timeout) {
    KafkaSecurity security = KafkaSecurity.builder().protocol("SASL_SSL").username("pipeline")
        .passwordFile(pipelinePassword.toString()).caFile(kafka.caFile().toString()).build();
    Map<String, Object> config = new HashMap<>(security.clientProperties());
    config.put("bootstrap.servers", kafka.bootstrapServers());
    config.put("group.id", "memfleet-pipeline-jfr-it");
    config.put("auto.offset.reset", "earliest");
    int count = 0;
    try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.EVENTS_JFR));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (count < 5 && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (Events.header(codec.decode(r.value())).getProcess().getPid() == pid) {
            count++;
          }
        }
      }
    }
    return count;
  }
}
