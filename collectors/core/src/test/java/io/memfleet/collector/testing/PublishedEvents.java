package io.memfleet.collector.testing;

import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads back, through a real consumer, what collectors published to a test broker, decoded with
 * the event codec.
 *
 * <pre>{@code
 * sink.flush(Duration.ofSeconds(10));
 * List<SpecificRecord> all = PublishedEvents.readToEnd(kafka.bootstrapServers(),
 *     List.of(Topics.EVENTS_EBPF), Duration.ofSeconds(60));
 * }</pre>
 */
public final class PublishedEvents {
  private PublishedEvents() {}

  /**
   * Consumes {@code topics} from the start up to the end offsets they have when the read begins:
   * everything a flushed sink delivered, without waiting a fixed time for records that will not
   * come. Fails when the end is not reached within {@code timeout}.
   */
  public static List<SpecificRecord> readToEnd(String bootstrap, List<String> topics,
      Duration timeout) {
    EventCodec codec = EventCodec.fromClasspath();
    List<SpecificRecord> events = new ArrayList<>();
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrap,
        "enable.auto.commit", "false", "max.poll.records", "5000");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        for (PartitionInfo p : consumer.partitionsFor(topic, timeout)) {
          partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("not read to the end offsets " + end + " within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
          events.add(codec.decode(r.value()));
        }
      }
    }
    return events;
  }
}
