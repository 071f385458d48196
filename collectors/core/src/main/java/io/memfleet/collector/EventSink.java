package io.memfleet.collector;

import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;

/**
 * Where a collector puts the events it observed. The production sink is {@link KafkaEventSink};
 * tests use {@code io.memfleet.collector.testing.RecordingEventSink} from the core test-jar.
 *
 * <pre>{@code
 * try (EventSink sink = KafkaEventSink.builder().bootstrapServers("127.0.0.1:19092")
 *     .collectorId("node/host-1").spoolDir(dir).build()) {
 *   sink.publish(gcCycle);          // returns at once; delivery happens on the sink's thread
 *   sink.flush(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Contract: {@link #publish} is thread-safe, never blocks the caller for long and never throws
 * because of broker trouble (outages are spooled, losses are counted in {@link #stats()}). The
 * topic is {@code Topics.forRecord(event)}, the key {@code Topics.key(header.process)}.
 */
public interface EventSink extends AutoCloseable {

  /** Hands an event over for delivery. */
  void publish(SpecificRecord event);

  /** Counters since the sink was built. */
  SinkStats stats();

  /**
   * Waits until everything published so far was delivered (or dropped and counted).
   *
   * @return true when nothing is pending any more, false when the timeout ran out first (for
   *     example because the broker is down and events wait in the spool)
   */
  boolean flush(Duration timeout);

  /** Stops the sink; what could not be delivered stays in the spool for the next run. */
  @Override
  void close();
}
