package io.memfleet.pipeline.replay;

import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Records memfleet topics from Kafka into a {@link Trace}: every partition of the given topics,
 * assigned directly (no consumer group, so recording never moves anybody's offsets), from the
 * start of the retained data or from now.
 *
 * <pre>{@code
 * TraceRecorder.Result r = new TraceRecorder("127.0.0.1:19092", Topics.eventTopics() + clock,
 *     false).record(Path.of("leak.mftrace"), Duration.ofHours(6), () -> false, System.out::println);
 * }</pre>
 */
public final class TraceRecorder {
  private final String bootstrapServers;
  private final List<String> topics;
  private final boolean fromBeginning;
  private final KafkaSecurity security;

  public TraceRecorder(String bootstrapServers, List<String> topics, boolean fromBeginning) {
    this(bootstrapServers, topics, fromBeginning, KafkaSecurity.plaintext());
  }

  /** A recorder whose consumer authenticates and encrypts as {@code security} says. */
  public TraceRecorder(String bootstrapServers, List<String> topics, boolean fromBeginning,
      KafkaSecurity security) {
    this.bootstrapServers = bootstrapServers;
    this.topics = List.copyOf(topics);
    this.fromBeginning = fromBeginning;
    this.security = Objects.requireNonNull(security);
  }

  /** What a recording wrote. */
  public record Result(long records, long valueBytes, Duration took) {}

  /**
   * Records until {@code duration} has passed (zero: until {@code stop} says so) or {@code stop}
   * returns true; reports progress every {@code progressEvery}.
   */
  public Result record(Path out, Duration duration, BooleanSupplier stop,
      Consumer<String> progress) throws IOException {
    Properties p = new Properties();
    p.putAll(security.clientProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "memfleet-record");
    long started = System.nanoTime();
    long deadline = duration.isZero() ? Long.MAX_VALUE : started + duration.toNanos();
    long nextReport = started + 10_000_000_000L;
    long valueBytes = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p,
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Trace.Writer writer = Trace.writer(out)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
          throw new IOException("topic " + topic + " does not exist on " + bootstrapServers);
        }
        infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
      }
      consumer.assign(partitions);
      if (fromBeginning) {
        consumer.seekToBeginning(partitions);
      } else {
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fix the start now, not at the first poll
      }
      progress.accept("recording " + partitions.size() + " partitions of " + topics + " from "
          + bootstrapServers + " into " + out);
      while (System.nanoTime() < deadline && !stop.getAsBoolean()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          writer.write(RawRecord.of(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(),
              r.value()));
          valueBytes += r.value() == null ? 0 : r.value().length;
        }
        long now = System.nanoTime();
        if (now >= nextReport) {
          writer.flush();
          progress.accept(String.format(java.util.Locale.ROOT, "%.0f s: %d records, %.1f MB",
              (now - started) / 1e9, writer.records(), valueBytes / 1e6));
          nextReport = now + 10_000_000_000L;
        }
      }
      return new Result(writer.records(), valueBytes,
          Duration.ofNanos(System.nanoTime() - started));
    }
  }
}
