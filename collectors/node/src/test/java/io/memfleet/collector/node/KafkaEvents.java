package io.memfleet.collector.node;

import io.memfleet.localstack.KafkaBroker;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads back, through a real consumer, what collectors published to a test broker. */
public final class KafkaEvents {
  private KafkaEvents() {}

  /** Creates every memfleet topic (the test brokers do not auto-create). */
  public static void createTopics(KafkaBroker broker) throws Exception {
    broker.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 3, (short) 1)).toList());
  }

  /**
   * Consumes {@code topics} from the start until {@code done} holds for what was read, or the
   * timeout passes; returns the decoded events.
   */
  public static List<SpecificRecord> read(String bootstrap, List<String> topics,
      Predicate<List<SpecificRecord>> done, Duration timeout) {
    EventCodec codec = EventCodec.fromClasspath();
    List<SpecificRecord> events = new ArrayList<>();
    Map<String, Object> config = Map.of(
        "bootstrap.servers", bootstrap,
        "group.id", "node-it-" + System.nanoTime(),
        "auto.offset.reset", "earliest",
        "enable.auto.commit", "false");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(topics);
      long end = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < end && !done.test(events)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          events.add(codec.decode(r.value()));
        }
      }
    }
    return events;
  }

  public static <T> List<T> of(List<SpecificRecord> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
