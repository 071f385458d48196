package io.memfleet.bench.pipeline;

import io.memfleet.event.ClockSync;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The baseline: the least a program can do to read memfleet events — one {@link KafkaConsumer}
 * with default fetch settings, assigned every partition of the run's topics from the beginning,
 * and {@link EventCodec#decode} of every value, on one thread. No alignment, no state, no
 * framework. A checksum of the decoded headers keeps the JIT from discarding the decode.
 *
 * <pre>{@code
 * Throughput t = new BareConsumerBaseline(bootstrap, written.topics().all()).run();
 * }</pre>
 */
final class BareConsumerBaseline {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private final String bootstrap;
  private final List<String> topics;
  private long checksum;
  private long clockSamples;
  private long failures;

  BareConsumerBaseline(String bootstrap, List<String> topics) {
    this.bootstrap = bootstrap;
    this.topics = List.copyOf(topics);
  }

  /** Reads every record up to the end offsets found at start; fails if they are not reached. */
  Throughput run() {
    long start = System.nanoTime();
    checksum = 0;
    clockSamples = 0;
    failures = 0;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-baseline-" + UUID.randomUUID());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    EventCodec codec = EventCodec.fromClasspath();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
          partitions.add(new TopicPartition(topic, info.partition()));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> remaining = new HashMap<>();
      long expected = 0;
      for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(partitions).entrySet()) {
        long begin = consumer.position(end.getKey());
        if (end.getValue() > begin) {
          remaining.put(end.getKey(), end.getValue());
          expected += end.getValue() - begin;
        }
      }

      long records = 0;
      long first = 0;
      long last = 0;
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!remaining.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("baseline: " + records + " of " + expected
              + " records after " + TIMEOUT);
        }
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
        if (batch.isEmpty()) {
          continue;
        }
        if (first == 0) {
          first = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          decode(codec, r.value());
          records++;
        }
        for (TopicPartition tp : batch.partitions()) {
          List<ConsumerRecord<byte[], byte[]>> part = batch.records(tp);
          Long end = remaining.get(tp);
          if (end != null && part.get(part.size() - 1).offset() + 1 >= end) {
            remaining.remove(tp);
          }
        }
        last = System.nanoTime();
      }
      if (records != expected) {
        throw new IllegalStateException("baseline read " + records + " records, expected "
            + expected);
      }
      return new Throughput("baseline", records, records - failures, last - first,
          System.nanoTime() - start);
    }
  }

  private void decode(EventCodec codec, byte[] value) {
    try {
      SpecificRecord record = codec.decode(value);
      if (record instanceof ClockSync) {
        clockSamples++;
      }
      checksum += Events.header(record).getSequence();
    } catch (RuntimeException e) {
      failures++; // counted and reported: the workload has no bad records, so this must stay 0
    }
  }

  /** ClockSync samples among the decoded records of the last run. */
  long clockSamples() {
    return clockSamples;
  }

  /** Records that did not decode. */
  long failures() {
    return failures;
  }

  /** Sum of the decoded headers' sequence numbers (so the decode is not dead code). */
  long checksum() {
    return checksum;
  }
}
