package io.memfleet.collector.jfr.internal;

import io.memfleet.collector.EventSink;
import io.memfleet.collector.jfr.JfrEventMapper;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jdk.jfr.consumer.EventStream;
import jdk.jfr.consumer.RecordedEvent;
import org.apache.avro.specific.SpecificRecord;

/**
 * Connects a JFR event stream (in process, over JMX, or read from a repository) to a mapper and
 * a sink. Mapping errors are reported once per event type and never stop the stream; an
 * OutOfMemoryError while mapping (the host heap is full: the in-process agent in a JVM about to
 * die of it) drops that event, counted, instead of ending the stream.
 */
public final class JfrPump {
  private final JfrEventMapper mapper;
  private final Consumer<SpecificRecord> out;
  private final Reporter log;
  private final AtomicLong read = new AtomicLong();
  private final AtomicLong droppedOutOfMemory = new AtomicLong();

  private JfrPump(JfrEventMapper mapper, Consumer<SpecificRecord> out, Reporter log) {
    this.mapper = mapper;
    this.out = out;
    this.log = log;
  }

  /** Maps every event of {@code stream} and publishes the results to {@code sink}. */
  public static JfrPump wire(EventStream stream, JfrEventMapper mapper, EventSink sink,
      Reporter log) {
    return wire(stream, mapper, sink::publish, log);
  }

  /** Maps every event of {@code stream} and hands the results to {@code out}. */
  public static JfrPump wire(EventStream stream, JfrEventMapper mapper,
      Consumer<SpecificRecord> out, Reporter log) {
    JfrPump pump = new JfrPump(mapper, out, log);
    stream.onEvent(pump::publishAll);
    stream.onFlush(() -> {
      for (SpecificRecord r : mapper.onFlush()) {
        out.accept(r);
      }
    });
    stream.onError(t -> log.once("stream-error:" + t.getClass().getName(),
        "JFR stream error: " + t));
    return pump;
  }

  /** JFR events handed to the mapper. */
  public long eventsRead() {
    return read.get();
  }

  /** JFR events dropped because mapping them ran out of heap. */
  public long droppedOutOfMemory() {
    return droppedOutOfMemory.get();
  }

  private void publishAll(RecordedEvent e) {
    read.incrementAndGet();
    try {
      for (SpecificRecord r : mapper.map(e)) {
        out.accept(r);
      }
    } catch (RuntimeException ex) {
      String type = e.getEventType().getName();
      log.once("map:" + type, "cannot map " + type + " (further failures not reported): " + ex);
    } catch (OutOfMemoryError oom) {
      droppedOutOfMemory.incrementAndGet();
      log.once("oom", "out of heap while mapping JFR events; dropping them (counted)");
    }
  }
}
