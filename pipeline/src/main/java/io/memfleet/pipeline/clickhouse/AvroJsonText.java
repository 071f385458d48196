package io.memfleet.pipeline.clickhouse;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
 *
 * <p>Each schema is turned once into a {@link Writer}: what goes before each field (separator
 * and name, quoted and escaped twice), the writer of each field's schema, a nullable union's
 * other branch, an enum's symbols already quoted. Writing a record then walks its fields without
 * looking at its schema again (a walk that did cost a quarter of a row more).
 */
final class AvroJsonText {
  /** Writers by schema: a lookup by the schema instance itself finds it at once. */
  private static final WritersBySchema<Writer> WRITERS =
      new WritersBySchema<>(s -> compile(s, new IdentityHashMap<>()));

  private AvroJsonText() {}

  /** Appends {@code value} of {@code schema} as JSON text, escaped for a JSON string. */
  static void appendEscaped(StringBuilder out, Object value, Schema schema) {
    writer(schema).write(out, value);
  }

  private static Writer writer(Schema schema) {
    return WRITERS.of(schema);
  }

  /** Writes a value of one schema. */
  @FunctionalInterface
  private interface Writer {
    void write(StringBuilder out, Object value);
  }

  /**
   * The writer of {@code schema}; {@code records} holds the record writers being built, so that
   * a recursive schema refers to its own writer instead of building it forever.
   */
  private static Writer compile(Schema schema, Map<Schema, RecordWriter> records) {
    return switch (schema.getType()) {
      case RECORD -> {
        RecordWriter known = records.get(schema);
        if (known != null) {
          yield known;
        }
        RecordWriter w = new RecordWriter(schema.getFields().size());
        records.put(schema, w);
        List<Schema.Field> fields = schema.getFields();
        for (int i = 0; i < fields.size(); i++) {
          Schema.Field f = fields.get(i);
          StringBuilder prefix = new StringBuilder(i > 0 ? "," : "{");
          appendString(prefix, f.name());
          w.prefixes[i] = prefix.append(':').toString();
          w.positions[i] = f.pos();
          w.fields[i] = compile(f.schema(), records);
        }
        yield w;
      }
      case UNION -> union(schema, records);
      case ARRAY -> {
        Writer element = compile(schema.getElementType(), records);
        yield (out, value) -> {
          out.append('[');
          boolean first = true;
          for (Object e : (Collection<?>) value) {
            if (!first) {
              out.append(',');
            }
            first = false;
            element.write(out, e);
          }
          out.append(']');
        };
      }
      case MAP -> {
        Writer valueWriter = compile(schema.getValueType(), records);
        yield (out, value) -> {
          out.append('{');
          boolean first = true;
          for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            if (!first) {
              out.append(',');
            }
            first = false;
            appendString(out, String.valueOf(e.getKey()));
            out.append(':');
            valueWriter.write(out, e.getValue());
          }
          out.append('}');
        };
      }
      case NULL -> (out, value) -> out.append("null");
      case BOOLEAN, INT, LONG -> AvroJsonText::appendScalar;
      case FLOAT, DOUBLE -> (out, value) -> {
        if (value instanceof Number n && !Double.isFinite(n.doubleValue())) {
          out.append("null");
        } else {
          appendScalar(out, value);
        }
      };
      case BYTES -> (out, value) -> {
        ByteBuffer b = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        appendString(out, Base64.getEncoder().encodeToString(bytes));
      };
      case FIXED -> (out, value) -> appendString(out, Base64.getEncoder().encodeToString(
          ((GenericFixed) value).bytes()));
      case ENUM -> new EnumWriter(schema.getEnumSymbols());
      default -> (out, value) -> appendString(out, String.valueOf(value)); // STRING
    };
  }

  /** A nullable pair writes its other branch or {@code null}; any other union resolves. */
  private static Writer union(Schema union, Map<Schema, RecordWriter> records) {
    List<Schema> types = union.getTypes();
    if (types.size() == 2) {
      boolean firstNull = types.get(0).getType() == Schema.Type.NULL;
      boolean secondNull = types.get(1).getType() == Schema.Type.NULL;
      if (firstNull != secondNull) {
        Writer other = compile(types.get(firstNull ? 1 : 0), records);
        return (out, value) -> {
          if (value == null) {
            out.append("null");
          } else {
            other.write(out, value);
          }
        };
      }
    }
    Writer[] branches = new Writer[types.size()];
    for (int i = 0; i < branches.length; i++) {
      branches[i] = compile(types.get(i), records);
    }
    return (out, value) ->
        branches[GenericData.get().resolveUnion(union, value)].write(out, value);
  }

  /** A record's fields in schema order, each after its prefix (the first one's opens it). */
  private static final class RecordWriter implements Writer {
    final String[] prefixes;
    final int[] positions;
    final Writer[] fields;

    RecordWriter(int size) {
      prefixes = new String[size];
      positions = new int[size];
      fields = new Writer[size];
    }

    @Override
    public void write(StringBuilder out, Object value) {
      IndexedRecord record = (IndexedRecord) value;
      if (fields.length == 0) {
        out.append('{');
      }
      for (int i = 0; i < fields.length; i++) {
        out.append(prefixes[i]);
        fields[i].write(out, record.get(positions[i]));
      }
      out.append('}');
    }
  }

  /**
   * An enum's symbol, quoted in advance: a generated record's Java enum by its ordinal, any other
   * symbol (a generic record's) by its name.
   */
  private static final class EnumWriter implements Writer {
    private final Map<String, String> quoted = new HashMap<>();
    /** The Java enum last written and its constants' quoted names, by ordinal. */
    private volatile ByOrdinal byOrdinal;

    private record ByOrdinal(Class<?> type, String[] quoted) {}

    EnumWriter(List<String> symbols) {
      for (String symbol : symbols) {
        quoted.put(symbol, quote(symbol));
      }
    }

    @Override
    public void write(StringBuilder out, Object value) {
      if (value instanceof Enum<?> e) {
        ByOrdinal known = byOrdinal;
        if (known == null || known.type != e.getDeclaringClass()) {
          known = byOrdinal(e.getDeclaringClass());
          byOrdinal = known;
        }
        out.append(known.quoted[e.ordinal()]);
        return;
      }
      String symbol = String.valueOf(value);
      String q = quoted.get(symbol);
      if (q != null) {
        out.append(q);
      } else {
        appendString(out, symbol);
      }
    }

    private ByOrdinal byOrdinal(Class<?> type) {
      Object[] constants = type.getEnumConstants();
      String[] byOrdinal = new String[constants.length];
      for (Object c : constants) {
        String name = ((Enum<?>) c).name();
        // a symbol the schema does not have: written as its name all the same
        byOrdinal[((Enum<?>) c).ordinal()] = quoted.getOrDefault(name, quote(name));
      }
      return new ByOrdinal(type, byOrdinal);
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

  /** {@code s} as {@link #appendString} writes it. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder();
    appendString(b, s);
    return b.toString();
  }

  /** A JSON string inside the row's JSON string: quotes as {@code \"}, content escaped twice. */
  private static void appendString(StringBuilder out, String s) {
    out.append("\\\"");
    JsonRow.appendEscaped(out, s, true);
    out.append("\\\"");
  }
}
