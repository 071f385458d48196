package io.memfleet.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.localstack.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real servers start in their own directories, serve, refuse a taken port, and stop. */
class LocalServersIT {
  @TempDir Path dir;

  @Test
  void clickHouseServesQueriesAndStops() throws Exception {
    long pid;
    try (ClickHouseServer ch = TestServers.clickHouse(dir)) {
      assertThat(ch.version()).matches("\\d+\\.\\d+.*");
      assertThat(ch.query("SELECT 40 + 2").trim()).isEqualTo("42");
      pid = ch.running().orElseThrow().pid();
      // a second start on the same work dir finds the running server instead of starting another
      assertThat(ch.start()).isFalse();
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void kafkaBrokerRoundTripsRecordsAndStops() throws Exception {
    long pid;
    try (KafkaBroker kafka = TestServers.kafka(dir)) {
      String topic = "localstack-it-" + System.nanoTime();
      assertThat(kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))).containsExactly(topic);
      assertThat(kafka.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))).isEmpty();

      Properties p = new Properties();
      p.put("bootstrap.servers", kafka.bootstrapServers());
      try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(topic, "k".getBytes(), "hello".getBytes())).get();
      }
      Properties c = new Properties();
      c.put("bootstrap.servers", kafka.bootstrapServers());
      c.put("group.id", "it-" + topic);
      c.put("auto.offset.reset", "earliest");
      try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topic));
        ConsumerRecord<byte[], byte[]> got = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (got == null && System.nanoTime() < deadline) {
          for (var r : consumer.poll(Duration.ofMillis(500))) {
            got = r;
          }
        }
        assertThat(got).isNotNull();
        assertThat(new String(got.value(), StandardCharsets.UTF_8)).isEqualTo("hello");
      }
      pid = kafka.running().orElseThrow().pid();

      KafkaBroker clash = KafkaBroker.builder(dir.resolve("other")).port(kafka.port()).build();
      assertThatThrownBy(clash::start).isInstanceOf(LocalStackException.class)
          .hasMessageContaining("port " + kafka.port() + " is taken");
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }
}
