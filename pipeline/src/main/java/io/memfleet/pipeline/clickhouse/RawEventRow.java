package io.memfleet.pipeline.clickhouse;

import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.EventCodec;
import org.apache.avro.Schema;

/**
 * The {@code events_raw} row of an event whose text is all ASCII, written as one array of bytes
 * ({@link AsciiJsonRow}): the same row {@link Rows#rawEvent} builds with {@link JsonRow},
 * character for character, at a fraction of the copies. Every event has one, and it was the
 * largest single cost of the per-process task (a quarter of its samples, half of that the
 * builders and strings around the payload's text rather than the text itself).
 *
 * <pre>{@code
 * String row = RawEventRow.ascii(e, record.getSchema(), e.payload, mainValue);
 * if (row == null) { ... JsonRow ... } // beyond ASCII: the general path
 * }</pre>
 */
final class RawEventRow {
  private static final byte[] EVENT_DATE = AsciiJsonRow.key("event_date");
  private static final byte[] UTC_NS = AsciiJsonRow.key("utc_ns");
  private static final byte[] ERROR_BOUND_NS = AsciiJsonRow.key("error_bound_ns");
  private static final byte[] CLUSTER = AsciiJsonRow.key("cluster");
  private static final byte[] NODE = AsciiJsonRow.key("node");
  private static final byte[] SERVICE = AsciiJsonRow.key("service");
  private static final byte[] POD = AsciiJsonRow.key("pod");
  private static final byte[] CONTAINER = AsciiJsonRow.key("container");
  private static final byte[] PID = AsciiJsonRow.key("pid");
  private static final byte[] PROCESS_START_MS = AsciiJsonRow.key("process_start_ms");
  private static final byte[] COMM = AsciiJsonRow.key("comm");
  private static final byte[] RUNTIME = AsciiJsonRow.key("runtime");
  private static final byte[] SOURCE = AsciiJsonRow.key("source");
  private static final byte[] KIND = AsciiJsonRow.key("kind");
  private static final byte[] SEQUENCE = AsciiJsonRow.key("sequence");
  private static final byte[] VALUE = AsciiJsonRow.key("value");
  private static final byte[] PAYLOAD = AsciiJsonRow.key("payload");

  private RawEventRow() {}

  /**
   * The row of {@code e}, whose record of {@code schema} is {@code binary} (written with that
   * schema; its body from {@link EventCodec#BODY_OFFSET}), with {@code value} as its main
   * measure; null when something in it is not ASCII (or a date is outside the years 1-9999),
   * for {@link JsonRow} to write.
   */
  static String ascii(TimedEvent e, Schema schema, byte[] binary, double value) {
    AsciiJsonRow row = AsciiJsonRow.start();
    if (!row.putDate(EVENT_DATE, e.eventTimeMs())) {
      return null;
    }
    row.put(UTC_NS, e.utcNs);
    row.put(ERROR_BOUND_NS, e.errorBoundNs);
    if (!(row.put(CLUSTER, e.cluster) && row.put(NODE, e.node) && row.put(SERVICE, e.service)
        && row.put(POD, e.pod) && row.put(CONTAINER, e.container))) {
      return null;
    }
    row.put(PID, e.pid);
    row.put(PROCESS_START_MS, e.processStartTimeMs);
    if (!(row.put(COMM, e.comm)
        && row.put(RUNTIME, e.runtime == null ? "" : e.runtime.name())
        && row.put(SOURCE, e.source == null ? "" : e.source.name())
        && row.put(KIND, e.kind))) {
      return null;
    }
    row.put(SEQUENCE, e.sequence);
    row.put(VALUE, value);
    if (!row.putAvro(PAYLOAD, binary, EventCodec.BODY_OFFSET, schema)) {
      return null;
    }
    return row.finish();
  }
}
