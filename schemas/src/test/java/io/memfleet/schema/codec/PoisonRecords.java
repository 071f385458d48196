package io.memfleet.schema.codec;

import io.memfleet.schema.codec.internal.SingleObjectHeader;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.avro.Schema;

/**
 * Poison values for a record type: a valid single-object header (the type's current fingerprint)
 * followed by a body no writer produces. The fixture of the codec's bounded-decoding tests and of
 * the pipeline's poison-record integration test.
 *
 * <pre>{@code
 * byte[] poison = PoisonRecords.hugeFirstLength(ResidentMemory.getClassSchema(), 1_500_000_000L);
 * codec.decode(poison); // EventDecodeException LENGTH_EXCEEDS_INPUT, no allocation
 * }</pre>
 */
public final class PoisonRecords {
  private PoisonRecords() {}

  /** The header, then a varint claiming {@code length}: the first string of every event. */
  public static byte[] hugeFirstLength(Schema schema, long length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header(schema));
    writeVarLong(out, length);
    out.writeBytes(new byte[] {'x', 'y', 'z'});
    return out.toByteArray();
  }

  /** The header, then bytes that are not an Avro body (a ten-byte varint run and text). */
  public static byte[] garbageBody(Schema schema) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header(schema));
    for (int i = 0; i < 10; i++) {
      out.write(0xFF); // a varint that never ends within a long
    }
    out.writeBytes("poison".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** A valid encoding cut to {@code keep} body bytes. */
  public static byte[] truncated(byte[] valid, int keep) {
    return Arrays.copyOf(valid, SingleObjectHeader.LENGTH + keep);
  }

  /** The single-object header of the schema's current version. */
  public static byte[] header(Schema schema) {
    return SingleObjectHeader.of(EventSchemaStore.fingerprint(schema));
  }

  /** Avro's zig-zag varint of {@code n}. */
  public static void writeVarLong(ByteArrayOutputStream out, long n) {
    long v = (n << 1) ^ (n >> 63);
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
