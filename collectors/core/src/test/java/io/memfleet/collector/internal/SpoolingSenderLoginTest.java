package io.memfleet.collector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.SinkStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolingSenderLoginTest {
  @TempDir Path dir;

  @Test
  void aRefusedLoginSpoolsAndANewProducerReplaysOnceItLogsIn() throws Exception {
    // an idempotent producer whose login was refused fails every later send, as Kafka's does
    MockProducer<byte[], byte[]> refused = producer();
    refused.sendException = new KafkaException("Cannot perform send because at least one"
        + " previous transactional or idempotent request has failed with errors.",
        new SaslAuthenticationException("invalid credentials"));
    MockProducer<byte[], byte[]> fixed = producer();
    Deque<Producer<byte[], byte[]>> producers = new ArrayDeque<>(List.of(refused, fixed));
    SpoolingSender sender = new SpoolingSender("t", producers::poll,
        DiskSpool.open(dir.resolve("spool"), 1 << 20), 100, Duration.ofSeconds(1));
    sender.start();
    try {
      for (int i = 0; i < 10; i++) {
        sender.offer(entry(i));
      }
      assertThat(sender.awaitIdle(Duration.ofSeconds(20))).as("%s", sender.stats()).isTrue();
      SinkStats s = sender.stats();
      assertThat(s.dropped()).isZero();
      assertThat(s.spooled()).isEqualTo(10);
      assertThat(s.replayed()).isEqualTo(10);
      assertThat(refused.closed()).isTrue();
      assertThat(fixed.history()).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
          .containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    } finally {
      sender.close();
    }
  }

  @Test
  void aMissingAclKeepsEventsInTheSpoolInsteadOfDroppingThem() throws Exception {
    MockProducer<byte[], byte[]> denied = producer();
    denied.sendException = new TopicAuthorizationException("not allowed");
    SpoolingSender sender = new SpoolingSender("t", denied,
        DiskSpool.open(dir.resolve("spool"), 1 << 20), 100, Duration.ofSeconds(1));
    sender.start();
    try {
      for (int i = 0; i < 5; i++) {
        sender.offer(entry(i));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (sender.stats().spooled() < 5 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      SinkStats s = sender.stats();
      assertThat(s.spooled()).isEqualTo(5);
      assertThat(s.dropped()).isZero();
      assertThat(s.brokerReachable()).isFalse();
    } finally {
      sender.close();
    }
  }

  private static MockProducer<byte[], byte[]> producer() {
    return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static DiskSpool.Entry entry(int i) {
    return new DiskSpool.Entry("memfleet.events.jfr", new byte[] {'k'},
        String.valueOf(i).getBytes(StandardCharsets.UTF_8));
  }
}
