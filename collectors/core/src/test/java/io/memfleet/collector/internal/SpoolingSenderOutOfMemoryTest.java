package io.memfleet.collector.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.SinkStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's sender shares its JVM's heap: an {@code OutOfMemoryError} in a send, or one that
 * kills the Kafka producer's I/O thread, must neither stop the sender nor lose the records.
 */
class SpoolingSenderOutOfMemoryTest {
  @TempDir Path dir;

  @Test
  void aSendThatRunsOutOfMemoryKeepsItsRecordAndANewProducerSendsIt() throws Exception {
    AtomicInteger errorsLeft = new AtomicInteger(3);
    MockProducer<byte[], byte[]> exhausted = new MockProducer<>(true, null,
        new ByteArraySerializer(), new ByteArraySerializer()) {
      @Override
      public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record,
          Callback callback) {
        if (errorsLeft.getAndDecrement() > 0) {
          throw new OutOfMemoryError("Java heap space");
        }
        return super.send(record, callback);
      }
    };
    MockProducer<byte[], byte[]> fresh = producer(true);
    Deque<Producer<byte[], byte[]>> producers = new ArrayDeque<>(List.of(exhausted, fresh));
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
      assertThat(exhausted.closed()).as("the producer that threw is replaced").isTrue();
      assertThat(values(fresh)).startsWith("0").contains("1", "2", "3", "4", "5", "6", "7", "8",
          "9");
      // the sender thread is still alive: later records go out too
      sender.offer(entry(10));
      assertThat(sender.awaitIdle(Duration.ofSeconds(20))).as("%s", sender.stats()).isTrue();
      assertThat(values(fresh)).contains("10");
    } finally {
      sender.close();
    }
  }

  @Test
  void whenTheProducersIoThreadDiesWhatItHeldIsSpooledAndReplayedThroughANewOne()
      throws Exception {
    MockProducer<byte[], byte[]> fresh = producer(true);
    try (DyingProducer p = new DyingProducer(Duration.ofSeconds(1), fresh)) {
      p.hold(5); // sends are never acknowledged, as with a producer whose I/O thread is gone
      assertThat(fresh.history()).isEmpty();
      p.die();
      assertThat(p.sender.awaitIdle(Duration.ofSeconds(20))).as("%s", p.sender.stats()).isTrue();
      SinkStats s = p.sender.stats();
      assertThat(s.dropped()).isZero();
      assertThat(s.spooled()).isEqualTo(5);
      assertThat(s.replayed()).isEqualTo(5);
      assertThat(p.stalled.closed()).isTrue();
      assertThat(values(fresh)).containsExactly("0", "1", "2", "3", "4");
    }
  }

  @Test
  void lateFailuresFromAProducerGivenUpDoNotSendTheNextRecordsToTheSpool() throws Exception {
    // what a dead producer held is spooled and replayed; when that producer later fails those
    // records after all (aborted at its close), the failures concern records already settled
    MockProducer<byte[], byte[]> fresh = producer(true);
    try (DyingProducer p = new DyingProducer(Duration.ofSeconds(1), fresh)) {
      p.hold(3);
      p.die();
      assertThat(p.sender.awaitIdle(Duration.ofSeconds(20))).as("%s", p.sender.stats()).isTrue();
      assertThat(p.sender.stats().spooled()).isEqualTo(3);
      for (int i = 0; i < 3; i++) {
        assertThat(p.stalled.errorNext(new org.apache.kafka.common.KafkaException(
            "Producer is closed forcefully."))).isTrue();
      }
      // later records go straight out, not through another round of spooling
      for (int i = 3; i < 6; i++) {
        p.sender.offer(entry(i));
      }
      assertThat(p.sender.awaitIdle(Duration.ofSeconds(20))).as("%s", p.sender.stats()).isTrue();
      assertThat(values(fresh)).containsExactly("0", "1", "2", "3", "4", "5");
      assertThat(p.sender.stats().spooled()).as("%s", p.sender.stats()).isEqualTo(3);
      assertThat(p.sender.stats().dropped()).isZero();
    }
  }

  @Test
  void whatAProducerThatDiedHoldsIsSentThroughANewOneBeforeCloseReturns() throws Exception {
    // a JVM exiting after an OutOfMemoryError: its last events (the error's report) must get out
    MockProducer<byte[], byte[]> fresh = producer(true);
    DyingProducer p = new DyingProducer(Duration.ofSeconds(2), fresh);
    try (p) {
      p.hold(3);
      p.die();
    }
    assertThat(values(fresh)).containsExactly("0", "1", "2");
    assertThat(p.sender.stats().replayed()).isEqualTo(3);
    assertThat(p.sender.stats().dropped()).isZero();
  }

  @Test
  void aProducerWhoseIoThreadDiesWhileTheSenderWaitsForItsAnswersDoesNotHoldTheSender()
      throws Exception {
    // a send fails (the broker went away); while the sender waits for the producer's answers on
    // the rest, the producer's I/O thread dies: Kafka's flush() would wait for good
    MockProducer<byte[], byte[]> fresh = producer(true);
    try (DyingProducer p = new DyingProducer(Duration.ofSeconds(1), fresh)) {
      p.hold(3);
      assertThat(p.stalled.errorNext(new org.apache.kafka.common.errors.TimeoutException(
          "broker gone"))).isTrue();
      Thread.sleep(300); // the sender waits for the answers on records 1 and 2
      assertThat(fresh.history()).isEmpty();
      p.die();
      assertThat(p.sender.awaitIdle(Duration.ofSeconds(20))).as("%s", p.sender.stats()).isTrue();
      assertThat(values(fresh)).containsExactly("0", "1", "2");
      assertThat(p.sender.stats().dropped()).isZero();
    }
  }

  @Test
  void closingDoesNotWaitPastItsTimeoutForAProducerThatNeverAnswers() throws Exception {
    // the producer died; its replacement (its I/O thread alive) answers nothing while the sender
    // replays through it: close returns within its timeout, the records stay spooled
    MockProducer<byte[], byte[]> silent = producer(false);
    CountDownLatch keep = new CountDownLatch(1);
    try (DyingProducer p = new DyingProducer(Duration.ofSeconds(1), silent)) {
      p.hold(3);
      p.die();
      ioThread(keep, p.io.getName()); // the replacement's I/O thread, as Kafka names it again
      awaitSends(silent, 1); // the replay's first record: the sender now waits for its answer
      long start = System.nanoTime();
      p.sender.close();
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(seconds).as("close took %.1f s", seconds).isLessThan(8.0);
      assertThat(p.sender.stats().spooled()).isEqualTo(3);
      assertThat(p.sender.stats().replayed()).isZero();
      assertThat(p.sender.stats().dropped()).isZero();
      try (DiskSpool again = DiskSpool.open(dir.resolve("spool"), 1 << 20)) {
        assertThat(again.size()).as("kept for the next start").isEqualTo(3);
      }
    } finally {
      keep.countDown();
    }
  }

  /**
   * A started sender whose first producer never answers and whose I/O thread (a stand-in,
   * watched by name) dies on demand; {@code next} is the producer that replaces it.
   */
  private final class DyingProducer implements AutoCloseable {
    final CountDownLatch dead = new CountDownLatch(1);
    final Thread io = ioThread(dead, "test-producer-io-" + System.nanoTime());
    final MockProducer<byte[], byte[]> stalled = producer(false);
    final SpoolingSender sender;

    DyingProducer(Duration closeTimeout, MockProducer<byte[], byte[]> next) throws Exception {
      Deque<Producer<byte[], byte[]>> queue = new ArrayDeque<>(List.of(stalled, next));
      sender = new SpoolingSender("t", queue::poll,
          DiskSpool.open(dir.resolve("spool"), 1 << 20), 100, closeTimeout);
      sender.watchProducerThread(io.getName());
      sender.start();
    }

    /** Offers records 0 … n−1 and waits until the stalled producer holds them. */
    void hold(int n) throws Exception {
      offer(sender, n);
      awaitSends(stalled, n);
    }

    /** Ends the I/O thread, as an {@code OutOfMemoryError} in it would. */
    void die() throws InterruptedException {
      dead.countDown();
      io.join();
    }

    @Override
    public void close() {
      dead.countDown();
      sender.close();
    }
  }

  private static void offer(SpoolingSender sender, int n) {
    for (int i = 0; i < n; i++) {
      sender.offer(entry(i));
    }
  }

  /** A stand-in for a producer's I/O thread named {@code name}: alive until {@code die}. */
  private static Thread ioThread(CountDownLatch die, String name) {
    Thread io = new Thread(() -> {
      try {
        die.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, name);
    io.start();
    return io;
  }

  /** Waits until {@code p} has been handed {@code n} records. */
  private static void awaitSends(MockProducer<byte[], byte[]> p, int n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (p.history().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(p.history()).hasSize(n);
  }

  private static List<String> values(MockProducer<byte[], byte[]> p) {
    return p.history().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
  }

  private static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  private static DiskSpool.Entry entry(int i) {
    return new DiskSpool.Entry("memfleet.events.jfr", new byte[] {'k'},
        String.valueOf(i).getBytes(StandardCharsets.UTF_8));
  }
}
