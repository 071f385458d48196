package io.memfleet.pipeline.clickhouse;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * An Avro value as JSON text, written straight into a JSON string of a row: the text's own
 * escapes and the string's are applied in the same pass, so {@code events_raw.payload} costs one
 * walk of the record instead of Avro's {@code toString} (a second walk with an identity map for
 * cycles) followed by a second escape of its result — half of the job's join task went there.
 *
 * <pre>{@code
 * json.append('"');
 * AvroJsonText.appendEscaped(json, record, record.getSchema());   // {\"header\":{...},...}
 * json.append('"');
 * }</pre>
 *
 * <p>The text is plain JSON: fields in schema order, no spaces, a union's value without its
 * branch name, enums as strings, bytes and fixed as base64 strings, NaN and infinities (not JSON)
 * as {@code null}. ClickHouse's {@code JSONExtract*} and {@code visitParam*} functions read it.
 */
final class AvroJsonText {
  /**
   * Per record schema (by identity: generated records share one instance), what goes before each
   * field's value: the separator and the field's name, quoted and escaped twice. Bounded: a
   * program that makes schemas at run time gets its entries dropped, not kept forever.
   */
  private static final ThreadLocal<Map<Schema, String[]>> FIELD_PREFIXES =
      ThreadLocal.withInitial(java.util.IdentityHashMap::new);
  private static final int MAX_SCHEMAS = 1024;

  private AvroJsonText() {}

  private static String[] fieldPrefixes(Schema record) {
    Map<Schema, String[]> cache = FIELD_PREFIXES.get();
    String[] prefixes = cache.get(record);
    if (prefixes == null) {
      List<Schema.Field> fields = record.getFields();
      prefixes = new String[fields.size()];
      for (int i = 0; i < prefixes.length; i++) {
        StringBuilder b = new StringBuilder(i > 0 ? "," : "");
        appendString(b, fields.get(i).name());
        prefixes[i] = b.append(':').toString();
      }
      if (cache.size() >= MAX_SCHEMAS) {
        cache.clear();
      }
      cache.put(record, prefixes);
    }
    return prefixes;
  }

  /** Appends {@code value} of {@code schema} as JSON text, escaped for a JSON string. */
  static void appendEscaped(StringBuilder out, Object value, Schema schema) {
    switch (schema.getType()) {
      case RECORD -> {
        IndexedRecord record = (IndexedRecord) value;
        out.append('{');
        List<Schema.Field> fields = schema.getFields();
        String[] prefixes = fieldPrefixes(schema);
        for (int i = 0; i < prefixes.length; i++) {
          Schema.Field f = fields.get(i);
          out.append(prefixes[i]);
          appendEscaped(out, record.get(f.pos()), f.schema());
        }
        out.append('}');
      }
      case UNION -> appendEscaped(out, value, branch(schema, value));
      case ARRAY -> {
        out.append('[');
        boolean first = true;
        for (Object element : (Collection<?>) value) {
          if (!first) {
            out.append(',');
          }
          first = false;
          appendEscaped(out, element, schema.getElementType());
        }
        out.append(']');
      }
      case MAP -> {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          appendString(out, String.valueOf(e.getKey()));
          out.append(':');
          appendEscaped(out, e.getValue(), schema.getValueType());
        }
        out.append('}');
      }
      case NULL -> out.append("null");
      case BOOLEAN, INT, LONG -> appendScalar(out, value);
      case FLOAT, DOUBLE -> {
        if (value instanceof Number n && !Double.isFinite(n.doubleValue())) {
          out.append("null");
        } else {
          appendScalar(out, value);
        }
      }
      case BYTES -> {
        ByteBuffer b = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        appendString(out, Base64.getEncoder().encodeToString(bytes));
      }
      case FIXED -> appendString(out, Base64.getEncoder().encodeToString(
          ((GenericFixed) value).bytes()));
      default -> appendString(out, String.valueOf(value)); // STRING, ENUM
    }
  }

  /** A number or boolean as is; a logical type's value object (e.g. an Instant) as a string. */
  private static void appendScalar(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Long l) {
      out.append(l.longValue()); // no String in between
    } else if (value instanceof Integer i) {
      out.append(i.intValue());
    } else if (value instanceof Number || value instanceof Boolean) {
      out.append(value);
    } else {
      appendString(out, value.toString());
    }
  }

  /** The union's branch that holds {@code value}; the common nullable pair without a lookup. */
  private static Schema branch(Schema union, Object value) {
    List<Schema> types = union.getTypes();
    if (types.size() == 2) {
      boolean firstNull = types.get(0).getType() == Schema.Type.NULL;
      boolean secondNull = types.get(1).getType() == Schema.Type.NULL;
      if (firstNull != secondNull) {
        return (value == null) == firstNull ? types.get(0) : types.get(1);
      }
    }
    return types.get(GenericData.get().resolveUnion(union, value));
  }

  /** A JSON string inside the row's JSON string: quotes as {@code \"}, content escaped twice. */
  private static void appendString(StringBuilder out, String s) {
    out.append("\\\"");
    JsonRow.appendEscaped(out, s, true);
    out.append("\\\"");
  }
}
