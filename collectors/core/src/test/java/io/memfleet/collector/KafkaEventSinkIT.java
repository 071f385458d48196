package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.localstack.FreePorts;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink against a real broker: delivery, an outage with spool and replay, the spool bound. */
class KafkaEventSinkIT {
  @TempDir Path dir;

  private final EventCodec codec = EventCodec.fromClasspath();

  @Test
  void outageIsSpooledAndReplayedInOrderWithoutLossOrDuplicates() throws Exception {
    int port = FreePorts.find();
    int controllerPort = FreePorts.find();
    Path work = dir.resolve("kafka");
    ProcessIdentity me = ProcessIdentities.builder().build().self();
    EventHeaders headers = new EventHeaders("sink-it");
    KafkaBroker broker = broker(work, port, controllerPort);
    try {
      broker.start();
      broker.createTopics(List.of(new NewTopic(Topics.EVENTS_JFR, 3, (short) 1)));
      try (KafkaEventSink sink = KafkaEventSink.builder()
          .bootstrapServers(broker.bootstrapServers()).collectorId("sink-it")
          .spoolDir(dir.resolve("spool")).build()) {
        for (int i = 0; i < 200; i++) {
          sink.publish(event(me, headers, i));
        }
        assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
        assertThat(sink.stats().sent()).isEqualTo(200);
        assertThat(sink.stats().brokerReachable()).isTrue();

        broker.stop();
        // keep publishing while the broker is gone, as a collector would
        for (int i = 200; i < 500; i++) {
          sink.publish(event(me, headers, i));
          Thread.sleep(10);
        }
        await(() -> {
          SinkStats s = sink.stats();
          return s.sent() + s.spooled() == 500;
        }, Duration.ofSeconds(40));
        SinkStats during = sink.stats();
        assertThat(during.brokerReachable()).isFalse();
        assertThat(during.spooled()).isPositive();
        assertThat(during.spoolBytes()).isPositive();
        assertThat(during.dropped()).isZero();
        assertThat(sink.flush(Duration.ofMillis(200))).isFalse();

        // a broker comes back on the same data directory and port
        broker = broker(work, port, controllerPort);
        broker.start();
        assertThat(sink.flush(Duration.ofSeconds(60))).isTrue();
        SinkStats after = sink.stats();
        assertThat(after.replayed()).isEqualTo(during.spooled());
        assertThat(after.sent() + after.replayed()).isEqualTo(500);
        assertThat(after.dropped()).isZero();
        assertThat(after.brokerReachable()).isTrue();
        assertThat(after.spoolBytes()).isZero();
      }
      List<Long> sequences = consumeSequences(broker, 500);
      List<Long> expected = new ArrayList<>();
      for (long s = 1; s <= 500; s++) {
        expected.add(s);
      }
      // one key, one partition: the log order is the publish order, with no gap and no repeat
      assertThat(sequences).isEqualTo(expected);
    } finally {
      broker.close();
    }
  }

  @Test
  void spoolBoundDropsAreCountedAndLeftoversReplayAfterRestart() throws Exception {
    int port = FreePorts.find(); // nothing listens here until the broker starts below
    ProcessIdentity me = ProcessIdentities.builder().build().self();
    EventHeaders headers = new EventHeaders("sink-it-bound");
    Path spoolDir = dir.resolve("spool");
    long spooled;
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers("127.0.0.1:" + port)
        .collectorId("sink-it-bound").spoolDir(spoolDir).spoolMaxBytes(16 * 1024).build()) {
      long start = System.nanoTime();
      for (int i = 0; i < 1000; i++) {
        sink.publish(event(me, headers, i));
      }
      // Kafka down at start must not block the publisher: one send blocked on metadata alone
      // would take max.block.ms (2 s); 1000 spooled events took 1.4-1.6 s at load 50-80 here
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
      await(() -> {
        SinkStats s = sink.stats();
        return s.spooled() + s.dropped() == 1000;
      }, Duration.ofSeconds(40));
      SinkStats s = sink.stats();
      assertThat(s.dropped("spool-full")).isPositive();
      assertThat(s.dropped()).isEqualTo(s.dropped("spool-full"));
      assertThat(s.spoolBytes()).isBetween(1L, 16L * 1024);
      assertThat(s.brokerReachable()).isFalse();
      spooled = s.spooled();
    }
    try (KafkaBroker broker = broker(dir.resolve("kafka"), port, FreePorts.find())) {
      broker.start();
      broker.createTopics(List.of(new NewTopic(Topics.EVENTS_JFR, 3, (short) 1)));
      try (KafkaEventSink sink = KafkaEventSink.builder()
          .bootstrapServers(broker.bootstrapServers()).collectorId("sink-it-bound-2")
          .spoolDir(spoolDir).build()) {
        boolean drained = sink.flush(Duration.ofSeconds(60));
        assertThat(drained).as("drained, stats %s", sink.stats()).isTrue();
        assertThat(sink.stats().replayed()).isEqualTo(spooled);
      }
      List<Long> sequences = consumeSequences(broker, (int) spooled);
      // the oldest events were kept; the bound cut off the newest
      List<Long> expected = new ArrayList<>();
      for (long q = 1; q <= spooled; q++) {
        expected.add(q);
      }
      assertThat(sequences).isEqualTo(expected);
    }
  }

  private static KafkaBroker broker(Path work, int port, int controllerPort) {
    return KafkaBroker.builder(work).port(port).controllerPort(controllerPort).heap("384m")
        .jvmOptions(TestServers.KAFKA_JVM_OPTIONS).build();
  }

  private static ThreadCount event(ProcessIdentity p, EventHeaders headers, int i) {
    return ThreadCount.newBuilder()
        .setHeader(headers.next(p, Source.JFR, ClockDomain.REALTIME, System.currentTimeMillis()))
        .setKind(ThreadKind.JAVA_THREADS).setCount(i).build();
  }

  private List<Long> consumeSequences(KafkaBroker broker, int expected) {
    Map<String, Object> config = Map.of("bootstrap.servers", broker.bootstrapServers(),
        "group.id", "sink-it-" + System.nanoTime(), "auto.offset.reset", "earliest");
    List<Long> sequences = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.EVENTS_JFR));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (sequences.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          sequences.add(codec.decode(r.value(), ThreadCount.class).getHeader().getSequence());
        }
      }
      // a little longer, to catch duplicates arriving after the expected count
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
        sequences.add(codec.decode(r.value(), ThreadCount.class).getHeader().getSequence());
      }
    }
    return sequences;
  }

  private static void await(BooleanSupplier condition, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(50);
    }
  }
}
