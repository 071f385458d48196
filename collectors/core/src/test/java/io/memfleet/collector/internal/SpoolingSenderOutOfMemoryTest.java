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
    CountDownLatch die = new CountDownLatch(1);
    Thread io = ioThread(die);
    // sends are never acknowledged, as with a producer whose I/O thread is gone
    MockProducer<byte[], byte[]> stalled = producer(false);
    MockProducer<byte[], byte[]> fresh = producer(true);
    SpoolingSender sender = watchedSender(io, Duration.ofSeconds(1), stalled, fresh);
    try {
      offer(sender, 5);
      awaitSends(stalled, 5);
      assertThat(fresh.history()).isEmpty();
      die.countDown();
      io.join();
      assertThat(sender.awaitIdle(Duration.ofSeconds(20))).as("%s", sender.stats()).isTrue();
      SinkStats s = sender.stats();
      assertThat(s.dropped()).isZero();
      assertThat(s.spooled()).isEqualTo(5);
      assertThat(s.replayed()).isEqualTo(5);
      assertThat(stalled.closed()).isTrue();
      assertThat(values(fresh)).containsExactly("0", "1", "2", "3", "4");
    } finally {
      die.countDown();
      sender.close();
    }
  }

  @Test
  void lateFailuresFromAProducerGivenUpDoNotSendTheNextRecordsToTheSpool() throws Exception {
    // what a dead producer held is spooled and replayed; when that producer later fails those
    // records after all (aborted at its close), the failures concern records already settled
    CountDownLatch die = new CountDownLatch(1);
    Thread io = ioThread(die);
    MockProducer<byte[], byte[]> stalled = producer(false);
    MockProducer<byte[], byte[]> fresh = producer(true);
    SpoolingSender sender = watchedSender(io, Duration.ofSeconds(1), stalled, fresh);
    try {
      offer(sender, 3);
      awaitSends(stalled, 3);
      die.countDown();
      io.join();
      assertThat(sender.awaitIdle(Duration.ofSeconds(20))).as("%s", sender.stats()).isTrue();
      assertThat(sender.stats().spooled()).isEqualTo(3);
      for (int i = 0; i < 3; i++) {
        assertThat(stalled.errorNext(new org.apache.kafka.common.KafkaException(
            "Producer is closed forcefully."))).isTrue();
      }
      // later records go straight out, not through another round of spooling
      for (int i = 3; i < 6; i++) {
        sender.offer(entry(i));
      }
      assertThat(sender.awaitIdle(Duration.ofSeconds(20))).as("%s", sender.stats()).isTrue();
      assertThat(values(fresh)).containsExactly("0", "1", "2", "3", "4", "5");
      assertThat(sender.stats().spooled()).as("%s", sender.stats()).isEqualTo(3);
      assertThat(sender.stats().dropped()).isZero();
    } finally {
      die.countDown();
      sender.close();
    }
  }

  @Test
  void whatAProducerThatDiedHoldsIsSentThroughANewOneBeforeCloseReturns() throws Exception {
    // a JVM exiting after an OutOfMemoryError: its last events (the error's report) must get out
    CountDownLatch die = new CountDownLatch(1);
    Thread io = ioThread(die);
    MockProducer<byte[], byte[]> stalled = producer(false);
    MockProducer<byte[], byte[]> fresh = producer(true);
    SpoolingSender sender = watchedSender(io, Duration.ofSeconds(2), stalled, fresh);
    try {
      offer(sender, 3);
      awaitSends(stalled, 3);
      die.countDown();
      io.join();
    } finally {
      die.countDown();
      sender.close();
    }
    assertThat(values(fresh)).containsExactly("0", "1", "2");
    assertThat(sender.stats().replayed()).isEqualTo(3);
    assertThat(sender.stats().dropped()).isZero();
  }

  @Test
  void aProducerWhoseIoThreadDiesWhileTheSenderWaitsForItsAnswersDoesNotHoldTheSender()
      throws Exception {
    // a send fails (the broker went away); while the sender waits for the producer's answers on
    // the rest, the producer's I/O thread dies: Kafka's flush() would wait for good
    CountDownLatch die = new CountDownLatch(1);
    Thread io = ioThread(die);
    MockProducer<byte[], byte[]> stalled = producer(false);
    MockProducer<byte[], byte[]> fresh = producer(true);
    SpoolingSender sender = watchedSender(io, Duration.ofSeconds(1), stalled, fresh);
    try {
      offer(sender, 3);
      awaitSends(stalled, 3);
      assertThat(stalled.errorNext(new org.apache.kafka.common.errors.TimeoutException(
          "broker gone"))).isTrue();
      Thread.sleep(300); // the sender waits for the answers on records 1 and 2
      assertThat(fresh.history()).isEmpty();
      die.countDown();
      io.join();
      assertThat(sender.awaitIdle(Duration.ofSeconds(20))).as("%s", sender.stats()).isTrue();
      assertThat(values(fresh)).containsExactly("0", "1", "2");
      assertThat(sender.stats().dropped()).isZero();
    } finally {
      die.countDown();
      sender.close();
    }
  }

  @Test
  void closingDoesNotWaitPastItsTimeoutForAProducerThatNeverAnswers() throws Exception {
    // the producer died; its replacement (its I/O thread alive) answers nothing while the sender
    // replays through it: close returns within its timeout, the records stay spooled
    CountDownLatch die = new CountDownLatch(1);
    Thread io = ioThread(die);
    MockProducer<byte[], byte[]> stalled = producer(false);
    MockProducer<byte[], byte[]> silent = producer(false);
    SpoolingSender sender = watchedSender(io, Duration.ofSeconds(1), stalled, silent);
    CountDownLatch keep = new CountDownLatch(1);
    Thread io2 = null;
    try {
      offer(sender, 3);
      awaitSends(stalled, 3);
      die.countDown();
      io.join();
      io2 = new Thread(() -> {
        try {
          keep.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, io.getName()); // the replacement's I/O thread, as Kafka names it again
      io2.start();
      awaitSends(silent, 1); // the replay's first record: the sender now waits for its answer
      long start = System.nanoTime();
      sender.close();
      double seconds = (System.nanoTime() - start) / 1e9;
      assertThat(seconds).as("close took %.1f s", seconds).isLessThan(8.0);
      assertThat(sender.stats().spooled()).isEqualTo(3);
      assertThat(sender.stats().replayed()).isZero();
      assertThat(sender.stats().dropped()).isZero();
      try (DiskSpool again = DiskSpool.open(dir.resolve("spool"), 1 << 20)) {
        assertThat(again.size()).as("kept for the next start").isEqualTo(3);
      }
    } finally {
      keep.countDown();
      die.countDown();
      sender.close();
    }
  }

  /** A started sender taking {@code producers} in turn, watching {@code io} as their thread. */
  @SafeVarargs
  private SpoolingSender watchedSender(Thread io, Duration closeTimeout,
      Producer<byte[], byte[]>... producers) throws Exception {
    Deque<Producer<byte[], byte[]>> queue = new ArrayDeque<>(List.of(producers));
    SpoolingSender sender = new SpoolingSender("t", queue::poll,
        DiskSpool.open(dir.resolve("spool"), 1 << 20), 100, closeTimeout);
    sender.watchProducerThread(io.getName());
    sender.start();
    return sender;
  }

  private static void offer(SpoolingSender sender, int n) {
    for (int i = 0; i < n; i++) {
      sender.offer(entry(i));
    }
  }

  /** A stand-in for a producer's I/O thread: alive until {@code die} counts down. */
  private static Thread ioThread(CountDownLatch die) {
    Thread io = new Thread(() -> {
      try {
        die.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "test-producer-io-" + System.nanoTime());
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
