package io.memfleet.bench.pipeline;

import io.memfleet.pipeline.model.TimeBasis;
import io.memfleet.pipeline.model.TimedEvent;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The end of a measured pipeline: counts what arrives and when the first and the last record
 * arrived, for jobs on a MiniCluster in this JVM, live, so the harness can stop an unbounded job
 * once everything has arrived. Subtasks share one {@link Tally} of {@link LongAdder}s (made for
 * concurrent increments); the per-record cost is a few uncontended atomic operations.
 *
 * <p>{@link TimedEvent}s are also counted by how their time was obtained, so a run shows that
 * clock alignment really calibrated the MONOTONIC events rather than passing them through
 * uncalibrated; derived events (the join's native-memory points, no payload) are counted apart.
 *
 * <pre>{@code
 * CountingSink<TimedEvent> sink = new CountingSink<>();
 * aligned.sinkTo(sink);
 * JobClient job = env.executeAsync();
 * while (sink.tally().events() < expected) { Thread.sleep(50); }
 * job.cancel();   // then sink.release()
 * }</pre>
 */
final class CountingSink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;
  private static final Map<String, Tally> TALLIES = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();

  CountingSink() {
    TALLIES.put(id, new Tally());
  }

  Tally tally() {
    return TALLIES.get(id);
  }

  void release() {
    TALLIES.remove(id);
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    Tally tally = TALLIES.get(id);
    if (tally == null) {
      throw new IllegalStateException("counting sink used outside the JVM that created it");
    }
    return new Writer<>(tally);
  }

  /** Counts of all subtasks of one sink, readable while the job runs. */
  static final class Tally {
    final LongAdder records = new LongAdder();
    final LongAdder derived = new LongAdder();
    /** Events read from Kafka with a calibrated time. */
    final LongAdder calibrated = new LongAdder();
    /** Events read from Kafka whose time came from a fitted clock model. */
    final LongAdder clockModel = new LongAdder();
    final AtomicLong firstNs = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong lastNs = new AtomicLong(Long.MIN_VALUE);

    /** Records with a payload (read from Kafka, not derived). */
    long events() {
      return records.sum() - derived.sum();
    }

    /** First to last arrival, or 0 when nothing arrived. */
    long windowNs() {
      long first = firstNs.get();
      long last = lastNs.get();
      return first == Long.MAX_VALUE ? 0 : last - first;
    }
  }

  private static final class Writer<T> implements SinkWriter<T> {
    private final Tally tally;
    private boolean started;

    Writer(Tally tally) {
      this.tally = tally;
    }

    @Override
    public void write(T element, Context context) {
      long now = System.nanoTime();
      if (!started) {
        started = true;
        tally.firstNs.accumulateAndGet(now, Math::min);
      }
      if (element instanceof TimedEvent) {
        TimedEvent e = (TimedEvent) element;
        if (e.payload == null) {
          tally.derived.increment();
        } else {
          if (e.calibrated()) {
            tally.calibrated.increment();
          }
          if (e.timeBasis == TimeBasis.CLOCK_MODEL) {
            tally.clockModel.increment();
          }
        }
      }
      tally.lastNs.accumulateAndGet(now, Math::max);
      tally.records.increment(); // last: a reader that sees the count sees the time too
    }

    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public void close() {}
  }
}
