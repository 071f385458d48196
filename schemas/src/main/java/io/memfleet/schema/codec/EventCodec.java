package io.memfleet.schema.codec;

import io.memfleet.schema.EventTypes;
import io.memfleet.schema.codec.EventDecodeException.Reason;
import io.memfleet.schema.codec.internal.BoundedBinaryDecoder;
import io.memfleet.schema.codec.internal.SingleObjectHeader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes memfleet records as Kafka values and decodes them back, across schema versions.
 *
 * <p>Values use Avro single-object encoding: {@code C3 01}, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the writer schema, then the Avro binary body. Decoding looks the fingerprint up
 * in an {@link EventSchemaStore}, picks the current generated class with the same record full
 * name and resolves writer to reader schema, so a record written by an older collector decodes
 * into today's class (fields it lacks take their defaults).
 *
 * <pre>{@code
 * EventCodec codec = new EventCodec(EventSchemaStore.fromClasspath());
 * byte[] value = codec.encode(gcCycle);
 * SpecificRecord any = codec.decode(value);            // some event, e.g. a GcCycle
 * GcCycle cycle = codec.decode(value, GcCycle.class);  // or insist on the type
 * }</pre>
 *
 * <p>Decoding never allocates more than the input can hold: every string, bytes, array and map
 * length is checked against the bytes left before anything is allocated ({@link
 * BoundedBinaryDecoder}), so a record with a valid header and a lying length is an {@link
 * EventDecodeException} with reason {@code LENGTH_EXCEEDS_INPUT}, never an {@link
 * OutOfMemoryError}, whatever the heap size.
 *
 * <p>Safe for concurrent use: caches are concurrent maps, and the Avro encoder and decoder
 * buffers are reused per thread.
 */
public final class EventCodec {

  /** Where a value's Avro binary body starts, after the single-object header. */
  public static final int BODY_OFFSET = SingleObjectHeader.LENGTH;

  private final EventSchemaStore store;
  private final Map<Class<?>, Writer> writers = new ConcurrentHashMap<>();
  private final Map<Long, SpecificDatumReader<SpecificRecord>> readers = new ConcurrentHashMap<>();
  private final ThreadLocal<BinaryEncoder> encoders = new ThreadLocal<>();
  private final ThreadLocal<BoundedBinaryDecoder> decoders =
      ThreadLocal.withInitial(BoundedBinaryDecoder::new);

  public EventCodec(EventSchemaStore store) {
    this.store = store;
  }

  /** A codec over {@link EventSchemaStore#fromClasspath()}. */
  public static EventCodec fromClasspath() {
    return new EventCodec(EventSchemaStore.fromClasspath());
  }

  /** The record in single-object encoding, written with its class's compiled-in schema. */
  public byte[] encode(SpecificRecord record) {
    Writer writer = writer(record);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(writer.header);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, encoders.get());
    encoders.set(encoder);
    try {
      if (writer.custom) {
        ((SpecificRecordBase) record).customEncode(encoder);
      } else {
        writer.datumWriter.write(record, encoder);
      }
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  /**
   * Whether {@code value}, in single-object encoding, was written with {@code record}'s own
   * schema, the one {@link #encode} writes it with: its body, from {@link #BODY_OFFSET} on, is
   * then that schema's record as it stands (a record from an older writer schema is read only
   * through resolution).
   */
  public boolean writtenWith(byte[] value, SpecificRecord record) {
    byte[] header = writer(record).header;
    return value != null && value.length >= header.length
        && Arrays.equals(value, 0, header.length, header, 0, header.length);
  }

  /**
   * Decodes any memfleet record.
   *
   * @throws EventDecodeException when the bytes are not a decodable memfleet record; its {@link
   *     EventDecodeException#reason()} says why
   */
  public SpecificRecord decode(byte[] bytes) {
    long fingerprint = SingleObjectHeader.fingerprint(bytes);
    SpecificDatumReader<SpecificRecord> reader = readers.get(fingerprint);
    if (reader == null) {
      reader = newReader(fingerprint);
      readers.putIfAbsent(fingerprint, reader);
    }
    int bodyLength = bytes.length - SingleObjectHeader.LENGTH;
    BoundedBinaryDecoder decoder =
        decoders.get().reset(bytes, SingleObjectHeader.LENGTH, bodyLength);
    SpecificRecord record;
    try {
      record = reader.read(null, decoder);
    } catch (EOFException e) {
      throw new EventDecodeException(
          Reason.TRUNCATED,
          "truncated: body of " + reader.getSchema().getFullName() + " ends early after "
              + bodyLength + " bytes",
          e);
    } catch (EventDecodeException e) {
      throw new EventDecodeException(
          e.reason(), "body of " + reader.getSchema().getFullName() + ": " + e.detail(), e);
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException
        | NegativeArraySizeException | ClassCastException | IllegalArgumentException e) {
      // corrupt varints and union indexes surface as any of these, depending on where they hit
      throw malformed(reader, e);
    }
    if (decoder.remaining() != 0) {
      throw new EventDecodeException(
          Reason.MALFORMED_BODY,
          decoder.remaining() + " trailing bytes after a complete "
              + reader.getSchema().getFullName() + " body");
    }
    return record;
  }

  /**
   * Decodes a record that must be of type {@code type}.
   *
   * @throws EventDecodeException with reason {@code TYPE_MISMATCH} when the bytes hold another
   *     type, or any other reason of {@link #decode(byte[])}
   */
  public <T> T decode(byte[] bytes, Class<T> type) {
    SpecificRecord record = decode(bytes);
    if (!type.isInstance(record)) {
      throw new EventDecodeException(
          Reason.TYPE_MISMATCH,
          "expected " + type.getName() + " but the bytes hold " + record.getSchema().getFullName());
    }
    return type.cast(record);
  }

  private SpecificDatumReader<SpecificRecord> newReader(long fingerprint) {
    Schema writerSchema = store.findByFingerprint(fingerprint);
    if (writerSchema == null) {
      throw new EventDecodeException(
          Reason.UNKNOWN_FINGERPRINT,
          "unknown schema fingerprint " + SingleObjectHeader.format(fingerprint)
              + " (not a memfleet schema or a newer collector than this reader)");
    }
    Schema readerSchema = readerSchemaFor(writerSchema);
    if (readerSchema == null) {
      throw new EventDecodeException(
          Reason.UNKNOWN_RECORD_TYPE,
          "schema " + SingleObjectHeader.format(fingerprint) + " is for record "
              + writerSchema.getFullName() + ", which has no class in this reader");
    }
    return new SpecificDatumReader<>(writerSchema, readerSchema);
  }

  // Our own list first: it is authoritative and avoids class loading; then any generated class
  // on the classpath, so records registered as extras decode too.
  private static Schema readerSchemaFor(Schema writerSchema) {
    if (writerSchema.getType() != Schema.Type.RECORD) {
      return null;
    }
    return EventTypes.byFullName(writerSchema.getFullName())
        .map(EventTypes::schemaOf)
        .orElseGet(
            () -> {
              Class<?> c = SpecificData.get().getClass(writerSchema);
              return c != null && SpecificRecord.class.isAssignableFrom(c)
                  ? SpecificData.get().getSchema(c)
                  : null;
            });
  }

  private static EventDecodeException malformed(
      SpecificDatumReader<SpecificRecord> reader, Exception e) {
    return new EventDecodeException(
        Reason.MALFORMED_BODY,
        "body does not decode as " + reader.getSchema().getFullName() + ": " + e,
        e);
  }

  /** Per record class: the precomputed header and a writer for its schema. */
  /**
   * How one record class is written: its header, and its generated encoder where Avro's compiler
   * gave it one ({@code customEncode}: the fields written in schema order by straight-line code,
   * byte for byte what the schema-walking {@link SpecificDatumWriter} writes; under the
   * collectors' C1 JIT a sample {@code ResidentMemory} took 2.9 µs against 3.8-4.3 µs through
   * Avro's writer, in a scratch loop). Avro's own writers use it only when the JVM is started
   * with {@code -Dorg.apache.avro.specific.use_custom_coders=true}; the codec calls it itself, so
   * no flag changes what goes on the wire. Other classes go through the datum writer.
   */
  /** The writer of {@code record}'s class, with its compiled-in schema; made once per class. */
  private Writer writer(SpecificRecord record) {
    return writers.computeIfAbsent(record.getClass(),
        c -> new Writer(record.getSchema(), Writer.hasCustomEncoder(c)));
  }

  private static final class Writer {
    final byte[] header;
    final SpecificDatumWriter<SpecificRecord> datumWriter;
    final boolean custom;

    Writer(Schema schema, boolean custom) {
      this.header = SingleObjectHeader.of(EventSchemaStore.fingerprint(schema));
      this.datumWriter = new SpecificDatumWriter<>(schema);
      this.custom = custom;
    }

    /** Whether the generated class declares its own encoder (Avro emits one where it can). */
    static boolean hasCustomEncoder(Class<?> c) {
      if (!SpecificRecordBase.class.isAssignableFrom(c)) {
        return false;
      }
      try {
        c.getDeclaredMethod("customEncode", Encoder.class);
        return true;
      } catch (NoSuchMethodException e) {
        return false;
      }
    }
  }
}
