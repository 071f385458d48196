package io.memfleet.collector.jfr;

import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads back, through a real consumer, what a collector published to a test broker. */
final class KafkaRecords {
  private KafkaRecords() {}

  /** Consumes {@code topics} from the start until {@code done} holds or the timeout passes. */
  static List<SpecificRecord> read(String bootstrap, List<String> topics,
      Predicate<List<SpecificRecord>> done, Duration timeout) {
    EventCodec codec = EventCodec.fromClasspath();
    List<SpecificRecord> events = new ArrayList<>();
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrap,
        "group.id", "jfr-it-" + System.nanoTime(), "auto.offset.reset", "earliest",
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

  static <T> List<T> of(List<SpecificRecord> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
