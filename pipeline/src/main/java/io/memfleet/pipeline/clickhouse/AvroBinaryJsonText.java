package io.memfleet.pipeline.clickhouse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The JSON text {@link AvroJsonText} writes for a record, written from the record's Avro binary
 * instead of the decoded record: strings are copied from the bytes a run at a time and checked
 * for escapes as bytes, numbers written digit by digit, enums and field names from quoted bytes
 * made once per schema. {@code events_raw.payload} is an event's whole record as text, about a
 * kilobyte a row; written from the decoded record it took a sixth of the per-process task.
 *
 * <pre>{@code
 * // the Avro binary body of a record of `schema` starts at bytes[10] (after the single-object
 * // header); false: nothing was written, write it from the decoded record instead
 * if (!AvroBinaryJsonText.appendEscaped(json, bytes, 10, schema)) {
 *   AvroJsonText.appendEscaped(json, record, schema);
 * }
 * }</pre>
 *
 * <p>The text is {@link AvroJsonText}'s for the same record, with one difference: a map's
 * entries come in the order they were written, where a decoded map gives its hash order.
 *
 * <p>It declines — appends nothing and returns false — for a string that is not plain ASCII (the
 * decoded record's path writes it as the string it decodes to, malformed bytes included) and for
 * bytes that do not hold a whole record of the schema.
 */
final class AvroBinaryJsonText {
  private static final WritersBySchema<Writer> WRITERS =
      new WritersBySchema<>(s -> compile(s, new IdentityHashMap<>()));
  /** A text this long is not kept in a thread's scratch buffer: the next row allocates anew. */
  private static final int MAX_KEPT_BYTES = 1 << 20;
  private static final ThreadLocal<Text> SCRATCH = ThreadLocal.withInitial(Text::new);

  private static final byte[] NULL = ascii("null");
  private static final byte[] TRUE = ascii("true");
  private static final byte[] FALSE = ascii("false");
  /** A quote inside the row's JSON string. */
  private static final byte[] QUOTE = ascii("\\\"");

  private AvroBinaryJsonText() {}

  /**
   * Appends the record of {@code schema} whose Avro binary starts at {@code bytes[offset]} as
   * JSON text escaped for a JSON string, as {@link AvroJsonText#appendEscaped} writes the
   * record.
   *
   * @return whether it was appended; if not, {@code out} is as it was
   */
  static boolean appendEscaped(StringBuilder out, byte[] bytes, int offset, Schema schema) {
    Text text = SCRATCH.get();
    text.reset(bytes, offset);
    try {
      writer(schema).write(text);
    } catch (Decline | RuntimeException e) {
      return false; // not ASCII, or not a whole record of the schema
    } finally {
      text.in = null;
    }
    if (text.pos != bytes.length) {
      return false; // bytes left over: not this schema's record
    }
    out.append(new String(text.out, 0, text.length, StandardCharsets.ISO_8859_1));
    if (text.out.length > MAX_KEPT_BYTES) {
      SCRATCH.remove();
    }
    return true;
  }

  /**
   * As {@link #appendEscaped(StringBuilder, byte[], int, Schema)}, onto the bytes of
   * {@code row}: the text is written in place, with no string of its own.
   *
   * @return whether it was appended; if not, {@code row} holds what it held
   */
  static boolean appendEscaped(AsciiJsonRow row, byte[] bytes, int offset, Schema schema) {
    Text text = SCRATCH.get();
    byte[] own = text.out;
    text.reset(bytes, offset);
    text.out = row.bytes;
    text.length = row.length;
    boolean whole;
    try {
      writer(schema).write(text);
      whole = text.pos == bytes.length; // bytes left over: not this schema's record
    } catch (Decline | RuntimeException e) {
      whole = false; // not ASCII, or not a whole record of the schema
    } finally {
      text.in = null;
    }
    // the text only appended beyond the row's length: a grown array holds the row as it was
    row.bytes = text.out;
    text.out = own;
    if (whole) {
      row.length = text.length;
    }
    return whole;
  }

  private static Writer writer(Schema schema) {
    return WRITERS.of(schema);
  }

  /** Reads one value of its schema from the text's input and writes it to its output. */
  @FunctionalInterface
  private interface Writer {
    void write(Text t) throws Decline;
  }

  /** A string that is not ASCII: the record's path writes it. */
  private static final class Decline extends Exception {
    private static final Decline INSTANCE = new Decline();

    private Decline() {
      super(null, null, false, false);
    }
  }

  /**
   * The writer of {@code schema}; {@code records} holds those being built, so that a recursive
   * schema refers to its own writer instead of building it forever.
   */
  private static Writer compile(Schema schema, Map<Schema, RecordWriter> records) {
    return switch (schema.getType()) {
      case RECORD -> {
        RecordWriter known = records.get(schema);
        if (known != null) {
          yield known;
        }
        List<Schema.Field> fields = schema.getFields();
        RecordWriter w = new RecordWriter(fields.size());
        records.put(schema, w);
        for (int i = 0; i < fields.size(); i++) {
          // the field's text, in the order of the bytes (the writer schema's)
          w.prefixes[i] = ascii((i > 0 ? "," : "{") + AvroJsonText.quote(fields.get(i).name())
              + ":");
          w.fields[i] = compile(fields.get(i).schema(), records);
        }
        yield w;
      }
      case UNION -> {
        List<Schema> types = schema.getTypes();
        Writer[] branches = new Writer[types.size()];
        for (int i = 0; i < branches.length; i++) {
          branches[i] = compile(types.get(i), records);
        }
        yield t -> branches[t.readInt()].write(t);
      }
      case ARRAY -> {
        Writer element = compile(schema.getElementType(), records);
        yield t -> t.items('[', element, ']');
      }
      case MAP -> {
        Writer value = compile(schema.getValueType(), records);
        Writer entry = t -> {
          t.string();
          t.put((byte) ':');
          value.write(t);
        };
        yield t -> t.items('{', entry, '}');
      }
      case NULL -> t -> t.put(NULL);
      case BOOLEAN -> t -> t.put(t.readByte() != 0 ? TRUE : FALSE);
      case INT, LONG -> t -> t.putLong(t.readLong());
      case FLOAT -> t -> {
        float f = Float.intBitsToFloat(t.readFixedInt());
        t.put(Float.isFinite(f) ? ascii(Float.toString(f)) : NULL);
      };
      case DOUBLE -> t -> {
        double d = Double.longBitsToDouble(t.readFixedLong());
        t.put(Double.isFinite(d) ? ascii(Double.toString(d)) : NULL);
      };
      case STRING -> Text::string;
      case BYTES -> t -> t.base64(t.readLength());
      case FIXED -> {
        int size = schema.getFixedSize();
        yield t -> t.base64(size);
      }
      case ENUM -> {
        List<String> symbols = schema.getEnumSymbols();
        byte[][] quoted = new byte[symbols.size()][];
        for (int i = 0; i < quoted.length; i++) {
          quoted[i] = ascii(AvroJsonText.quote(symbols.get(i)));
        }
        yield t -> t.put(quoted[t.readInt()]);
      }
    };
  }

  /** A record's fields in order, each after its prefix (the first one's opens it). */
  private static final class RecordWriter implements Writer {
    final byte[][] prefixes;
    final Writer[] fields;

    RecordWriter(int size) {
      prefixes = new byte[size][];
      fields = new Writer[size];
    }

    @Override
    public void write(Text t) throws Decline {
      if (fields.length == 0) {
        t.put((byte) '{');
      }
      for (int i = 0; i < fields.length; i++) {
        t.put(prefixes[i]);
        fields[i].write(t);
      }
      t.put((byte) '}');
    }
  }

  /** The Avro binary being read and the ASCII text being written: one per thread. */
  private static final class Text {
    byte[] in;
    int pos;
    byte[] out = new byte[4096];
    int length;

    void reset(byte[] bytes, int offset) {
      in = bytes;
      pos = offset;
      length = 0;
    }

    int readByte() {
      return in[pos++];
    }

    /** A zig-zag varint (Avro's int and long). */
    long readLong() {
      long raw = 0;
      for (int shift = 0; ; shift += 7) {
        byte b = in[pos++];
        raw |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          break;
        }
        if (shift > 63) {
          throw new IllegalArgumentException("varint longer than 10 bytes");
        }
      }
      return (raw >>> 1) ^ -(raw & 1);
    }

    int readInt() {
      return Math.toIntExact(readLong());
    }

    int readLength() {
      long n = readLong();
      if (n < 0 || n > in.length - pos) {
        throw new IllegalArgumentException("length " + n + " beyond the bytes left");
      }
      return (int) n;
    }

    int readFixedInt() {
      int v = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8 | (in[pos + 2] & 0xff) << 16
          | (in[pos + 3] & 0xff) << 24;
      pos += 4;
      return v;
    }

    long readFixedLong() {
      long low = readFixedInt() & 0xffffffffL;
      return low | (long) readFixedInt() << 32;
    }

    /** An array's or a map's items, in Avro's blocks, between {@code open} and {@code close}. */
    void items(char open, Writer item, char close) throws Decline {
      put((byte) open);
      boolean first = true;
      for (long n = blockCount(); n != 0; n = blockCount()) {
        for (long i = 0; i < n; i++) {
          if (!first) {
            put((byte) ',');
          }
          first = false;
          item.write(this);
        }
      }
      put((byte) close);
    }

    /** The next block's item count of an array or map; 0 at its end. */
    long blockCount() {
      long n = readLong();
      if (n < 0) {
        readLong(); // the block's size in bytes, which a reader that walks it needs not
        n = -n;
      }
      if (n > in.length - pos) {
        throw new IllegalArgumentException("count " + n + " beyond the bytes left");
      }
      return n;
    }

    /** A string, quoted and escaped twice as {@code AvroJsonText} writes it. */
    void string() throws Decline {
      int n = readLength();
      int end = pos + n;
      ensure(n + 4);
      put(QUOTE);
      int run = pos;
      for (int i = pos; i < end; i++) {
        byte c = in[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
          continue; // plain ASCII
        }
        if (c < 0) {
          throw Decline.INSTANCE; // UTF-8 beyond ASCII
        }
        put(in, run, i - run);
        run = i + 1;
        // the JSON escape, escaped once more for the row's string: \" → \\\" and so on
        put(switch (c) {
          case '"' -> ascii("\\\\\\\"");
          case '\\' -> ascii("\\\\\\\\");
          case '\n' -> ascii("\\\\n");
          case '\r' -> ascii("\\\\r");
          case '\t' -> ascii("\\\\t");
          default -> ascii(String.format("\\\\u%04x", (int) c));
        });
      }
      put(in, run, end - run);
      put(QUOTE);
      pos = end;
    }

    /** The next {@code n} bytes as a quoted base64 string. */
    void base64(int n) {
      if (n > in.length - pos) {
        throw new IllegalArgumentException("length " + n + " beyond the bytes left");
      }
      put(QUOTE);
      put(Base64.getEncoder().encode(Arrays.copyOfRange(in, pos, pos + n)));
      put(QUOTE);
      pos += n;
    }

    void putLong(long v) {
      ensure(AsciiJsonRow.MAX_LONG_DIGITS);
      length = AsciiJsonRow.putLong(out, length, v);
    }

    void put(byte b) {
      ensure(1);
      out[length++] = b;
    }

    void put(byte[] b) {
      put(b, 0, b.length);
    }

    void put(byte[] b, int from, int n) {
      ensure(n);
      System.arraycopy(b, from, out, length, n);
      length += n;
    }

    private void ensure(int more) {
      if (length + more > out.length) {
        out = Arrays.copyOf(out, Math.max(out.length * 2, length + more));
      }
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
