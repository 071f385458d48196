package io.memfleet.collector.ebpf;

import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic of a test broker back from the start, decoded with the event codec. */
public final class KafkaEvents {
  private KafkaEvents() {}

  /** Every event on {@code topic}, polling until three polls in a row return nothing new. */
  public static List<SpecificRecord> read(String bootstrap, String topic) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "ebpf-it-" + topic);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    EventCodec codec = EventCodec.fromClasspath();
    List<SpecificRecord> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int emptyPolls = 0;
      while (System.nanoTime() < deadline && emptyPolls < 3) {
        var records = consumer.poll(Duration.ofSeconds(1));
        if (records.isEmpty() && !out.isEmpty()) {
          emptyPolls++;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          out.add(codec.decode(r.value()));
        }
      }
    }
    return out;
  }
}
