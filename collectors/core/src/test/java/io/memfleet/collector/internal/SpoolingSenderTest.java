package io.memfleet.collector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.SinkStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender's handling of a damaged spool and of what a killed predecessor left. */
class SpoolingSenderTest {
  @TempDir Path dir;

  private static DiskSpool.Entry entry(int i) {
    return new DiskSpool.Entry("t", ("k" + i).getBytes(StandardCharsets.UTF_8),
        ("value-" + i).getBytes(StandardCharsets.UTF_8));
  }

  private static MockProducer<byte[], byte[]> producer() {
    return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static List<String> values(List<ProducerRecord<byte[], byte[]>> records) {
    List<String> out = new ArrayList<>();
    records.forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  void aDamagedSpooledRecordIsDiscardedCountedAndTheRestIsReplayedInOrder() throws Exception {
    long third;
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      third = 0;
      for (int i = 0; i < 20; i++) {
        if (i == 3) {
          third = spool.diskBytes();
        }
        spool.append(entry(i));
      }
    }
    Path segment;
    try (Stream<Path> files = Files.list(dir)) {
      segment = files.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(segment);
    bytes[(int) third + 20] ^= 0x5a; // inside record 3
    Files.write(segment, bytes);

    MockProducer<byte[], byte[]> producer = producer();
    DiskSpool spool = DiskSpool.open(dir, 1024 * 1024);
    SpoolingSender sender = new SpoolingSender("t", producer, spool, 100, Duration.ofSeconds(1));
    sender.start();
    try {
      assertThat(sender.awaitIdle(Duration.ofSeconds(20))).isTrue();
      SinkStats s = sender.stats();
      assertThat(s.dropped("spool-corrupt")).isEqualTo(1);
      assertThat(s.replayed()).isEqualTo(19);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        if (i != 3) {
          expected.add("value-" + i);
        }
      }
      assertThat(values(producer.history())).isEqualTo(expected);
      // and it sends directly again
      sender.offer(entry(20));
      assertThat(sender.awaitIdle(Duration.ofSeconds(10))).isTrue();
      assertThat(sender.stats().sent()).isEqualTo(1);
    } finally {
      sender.close();
    }
  }

  @Test
  void eventsAcceptedButNeitherSentNorSpooledAreCountedByTheNextSenderOnce() throws Exception {
    // a sender whose sends never complete holds everything in memory or in flight
    MockProducer<byte[], byte[]> stuck =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    DiskSpool spool = DiskSpool.open(dir, 1024 * 1024);
    SpoolingSender first = new SpoolingSender("a", stuck, spool, 100, Duration.ofSeconds(1));
    first.start();
    for (int i = 0; i < 30; i++) {
      first.offer(entry(i));
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (stuck.history().size() < 30 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    // three of them acknowledged; then the process "dies": nothing is closed or settled
    stuck.completeNext();
    stuck.completeNext();
    stuck.completeNext();
    deadline = System.nanoTime() + 5_000_000_000L;
    while (first.stats().sent() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(spool.ledger().unsettled()).isEqualTo(27);
    // the process ends without closing the sink (as after kill -9): the spool's files are
    // released, the ledger keeps what the sender never settled
    spool.close();

    try (DiskSpool next = DiskSpool.open(dir, 1024 * 1024)) {
      SpoolingSender second = new SpoolingSender("b", producer(), next, 100,
          Duration.ofSeconds(1));
      assertThat(second.stats().dropped("lost-on-kill")).isEqualTo(27);
      assertThat(second.stats().dropped()).isEqualTo(27);
      second.start();
      assertThat(second.awaitIdle(Duration.ofSeconds(5))).isTrue();
      second.close();
    }
    try (DiskSpool again = DiskSpool.open(dir, 1024 * 1024)) {
      assertThat(again.ledger().unsettledAtOpen()).isZero();
    }
  }
}
