package io.memfleet.schema.codec;

import io.memfleet.event.EventHeader;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Type-independent access to decoded records, so code that handles every event kind (routing,
 * dead-lettering, the OOM snapshot buffer) need not switch on the class.
 *
 * <pre>{@code
 * SpecificRecord record = codec.decode(bytes);
 * EventHeader header = Events.header(record);   // null for Alert, OomSnapshot, DeadLetter
 * String kind = Events.kind(record);            // "GcCycle"
 * }</pre>
 */
public final class Events {

  /** Name of the field every event record starts with. */
  public static final String HEADER_FIELD = "header";

  private Events() {}

  /** The event's header, or {@code null} when the record is not an event (a pipeline output). */
  public static EventHeader header(SpecificRecord record) {
    Schema.Field field = record.getSchema().getField(HEADER_FIELD);
    if (field == null) {
      return null;
    }
    Object value = record.get(field.pos());
    return value instanceof EventHeader ? (EventHeader) value : null;
  }

  /** The record's kind: its simple schema name, e.g. {@code "ResidentMemory"}. */
  public static String kind(SpecificRecord record) {
    return record.getSchema().getName();
  }
}
