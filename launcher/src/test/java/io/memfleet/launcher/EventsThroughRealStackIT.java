package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * P1 end to end on the real servers the test starts itself: every record type, Avro single-object
 * encoded, goes through a real KRaft broker and comes back identical; the migrations apply to a
 * real ClickHouse server twice with the same result.
 */
class EventsThroughRealStackIT {
  @TempDir Path dir;

  @Test
  void everyRecordTypeRoundTripsThroughKafkaAndMigrationsApplyOnClickHouse() throws Exception {
    try (KafkaBroker kafka = TestServers.kafka(dir); ClickHouseServer server = TestServers.clickHouse(dir)) {
      String topic = "it-events-" + System.nanoTime();
      kafka.createTopics(List.of(new NewTopic(topic, 3, (short) 1)));
      EventCodec codec = EventCodec.fromClasspath();
      List<SpecificRecord> sent = SampleEvents.all();

      Properties p = new Properties();
      p.put("bootstrap.servers", kafka.bootstrapServers());
      p.put("enable.idempotence", "true");
      p.put("acks", "all");
      p.put("compression.type", "zstd");
      try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
        for (SpecificRecord r : sent) {
          producer.send(new ProducerRecord<>(topic, Topics.key(SampleEvents.process()), codec.encode(r)));
        }
        producer.flush();
      }

      List<SpecificRecord> received = new ArrayList<>();
      Properties c = new Properties();
      c.put("bootstrap.servers", kafka.bootstrapServers());
      c.put("group.id", topic);
      c.put("auto.offset.reset", "earliest");
      try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(topic));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (received.size() < sent.size() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(r -> received.add(codec.decode(r.value())));
        }
      }
      // one key = one partition, so the records keep the order they were sent in
      assertThat(received).containsExactlyElementsOf(sent);

      try (ClickHouseConnection ch = ClickHouseConnection.builder(server.httpUrl()).build()) {
        MigrationRunner runner = MigrationRunner.builder(ch).database("it_stack").build();
        runner.migrate(MigrationSource.bundled());
        String tables = ch.queryTsv("SELECT name FROM system.tables WHERE database = 'it_stack'"
            + " ORDER BY name").toString();
        assertThat(runner.migrate(MigrationSource.bundled()).applied()).isEmpty();
        assertThat(ch.queryTsv("SELECT name FROM system.tables WHERE database = 'it_stack'"
            + " ORDER BY name").toString()).isEqualTo(tables).contains("events_raw");
      }
    }
  }
}
