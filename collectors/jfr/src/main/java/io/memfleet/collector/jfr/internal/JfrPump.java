package io.memfleet.collector.jfr.internal;

import io.memfleet.collector.EventSink;
import io.memfleet.collector.jfr.JfrEventMapper;
import jdk.jfr.consumer.EventStream;
import jdk.jfr.consumer.RecordedEvent;
import org.apache.avro.specific.SpecificRecord;

/**
 * Connects a JFR event stream (local or remote) to a mapper and a sink. Mapping errors are
 * reported once per event type and never stop the stream.
 */
public final class JfrPump {
  private JfrPump() {}

  public static void wire(EventStream stream, JfrEventMapper mapper, EventSink sink,
      AgentLog log) {
    stream.onEvent(e -> publishAll(e, mapper, sink, log));
    stream.onFlush(() -> {
      for (SpecificRecord r : mapper.onFlush()) {
        sink.publish(r);
      }
    });
    stream.onError(t -> log.once("stream-error:" + t.getClass().getName(),
        "JFR stream error: " + t));
  }

  private static void publishAll(RecordedEvent e, JfrEventMapper mapper, EventSink sink,
      AgentLog log) {
    try {
      for (SpecificRecord r : mapper.map(e)) {
        sink.publish(r);
      }
    } catch (RuntimeException ex) {
      String type = e.getEventType().getName();
      log.once("map:" + type, "cannot map " + type + " (further failures not reported): " + ex);
    }
  }
}
