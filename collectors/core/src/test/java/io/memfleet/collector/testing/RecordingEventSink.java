package io.memfleet.collector.testing;

import io.memfleet.collector.EventSink;
import io.memfleet.collector.SinkStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * An {@link EventSink} for unit tests: keeps every published event in memory, in order.
 *
 * <pre>{@code
 * RecordingEventSink sink = new RecordingEventSink();
 * collector.pollOnce(sink);
 * assertThat(sink.eventsOf(ResidentMemory.class)).hasSize(1);
 * }</pre>
 *
 * <p>Thread-safe; the accessors return snapshots.
 */
public final class RecordingEventSink implements EventSink {
  private final List<SpecificRecord> events = new ArrayList<>();
  private boolean closed;

  @Override
  public synchronized void publish(SpecificRecord event) {
    events.add(event);
  }

  /** Everything published so far, in order. */
  public synchronized List<SpecificRecord> events() {
    return List.copyOf(events);
  }

  /** The published events of one type, in order. */
  public synchronized <T extends SpecificRecord> List<T> eventsOf(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (SpecificRecord e : events) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  public synchronized void clear() {
    events.clear();
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  @Override
  public synchronized SinkStats stats() {
    return new SinkStats(events.size(), events.size(), 0, 0, 0, Map.of(), 0, true);
  }

  @Override
  public boolean flush(Duration timeout) {
    return true;
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
