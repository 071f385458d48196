package io.memfleet.schema.codec.internal;

import io.memfleet.schema.codec.EventDecodeException;
import io.memfleet.schema.codec.EventDecodeException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary {@link Decoder} over one byte array that never allocates more than the input
 * can hold.
 *
 * <p>Avro's own {@code BinaryDecoder} allocates a string, bytes, array or map of the length the
 * input claims and only then finds the input too short: a record with a valid header and a
 * string length of 1.5 GB is an {@link OutOfMemoryError} in a small heap, not a decode error.
 * Here every length and item count is checked against the bytes left before anything is
 * allocated, which is exact: a string or bytes value of length {@code n} needs {@code n} more
 * bytes, and every item of memfleet's arrays and maps needs at least one byte (a record with a
 * field, a string, a long). A length that does not fit throws {@link EventDecodeException} with
 * {@link Reason#LENGTH_EXCEEDS_INPUT}; running off the end anywhere else throws {@link
 * EOFException}. (Avro's {@code org.apache.avro.limits.*} system properties only cap lengths at a
 * fixed size for the whole JVM; they cannot know how long this record is.)
 *
 * <pre>{@code
 * BoundedBinaryDecoder in = new BoundedBinaryDecoder().reset(bytes, 10, bytes.length - 10);
 * record = datumReader.read(null, in);
 * boolean whole = in.remaining() == 0;
 * }</pre>
 *
 * <p>Not thread-safe; reuse one per thread with {@link #reset}.
 */
public final class BoundedBinaryDecoder extends Decoder {
  private byte[] buf = new byte[0];
  private int start;
  private int pos;
  private int limit;

  /** Decodes {@code length} bytes of {@code bytes} from {@code offset}; returns this. */
  public BoundedBinaryDecoder reset(byte[] bytes, int offset, int length) {
    if (offset < 0 || length < 0 || offset > bytes.length - length) {
      throw new IndexOutOfBoundsException(
          "range " + offset + "+" + length + " of " + bytes.length + " bytes");
    }
    this.buf = bytes;
    this.start = offset;
    this.pos = offset;
    this.limit = offset + length;
    return this;
  }

  /** Bytes not yet read. */
  public int remaining() {
    return limit - pos;
  }

  @Override
  public void readNull() {}

  @Override
  public boolean readBoolean() throws IOException {
    int b = nextByte();
    if (b > 1) {
      throw new IOException("boolean byte " + b + " at body byte " + (pos - 1 - start));
    }
    return b == 1;
  }

  @Override
  public int readInt() throws IOException {
    int at = pos;
    long n = 0;
    int shift = 0;
    int b;
    do {
      if (shift > 28) {
        throw new IOException("int varint longer than 5 bytes at body byte " + (at - start));
      }
      b = nextByte();
      n |= (long) (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    if (n > 0xFFFF_FFFFL) {
      throw new IOException("int varint out of range at body byte " + (at - start));
    }
    int raw = (int) n;
    return (raw >>> 1) ^ -(raw & 1);
  }

  @Override
  public long readLong() throws IOException {
    int at = pos;
    long n = 0;
    int shift = 0;
    int b;
    do {
      if (shift > 63) {
        throw new IOException("long varint longer than 10 bytes at body byte " + (at - start));
      }
      b = nextByte();
      n |= (long) (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return (n >>> 1) ^ -(n & 1);
  }

  @Override
  public float readFloat() throws IOException {
    return Float.intBitsToFloat((int) littleEndian(4));
  }

  @Override
  public double readDouble() throws IOException {
    return Double.longBitsToDouble(littleEndian(8));
  }

  @Override
  public Utf8 readString(Utf8 old) throws IOException {
    int length = length("string");
    Utf8 out = old != null ? old : new Utf8();
    out.setByteLength(length);
    System.arraycopy(buf, pos, out.getBytes(), 0, length);
    pos += length;
    return out;
  }

  @Override
  public String readString() throws IOException {
    int length = length("string");
    String s = new String(buf, pos, length, StandardCharsets.UTF_8);
    pos += length;
    return s;
  }

  @Override
  public void skipString() throws IOException {
    pos += length("string");
  }

  @Override
  public ByteBuffer readBytes(ByteBuffer old) throws IOException {
    int length = length("bytes");
    ByteBuffer out = old != null && old.capacity() >= length ? old.clear()
        : ByteBuffer.allocate(length);
    out.put(buf, pos, length).flip();
    pos += length;
    return out;
  }

  @Override
  public void skipBytes() throws IOException {
    pos += length("bytes");
  }

  @Override
  public void readFixed(byte[] bytes, int offset, int length) throws IOException {
    require(length, "fixed");
    System.arraycopy(buf, pos, bytes, offset, length);
    pos += length;
  }

  @Override
  public void skipFixed(int length) throws IOException {
    require(length, "fixed");
    pos += length;
  }

  @Override
  public int readEnum() throws IOException {
    return readInt();
  }

  @Override
  public long readArrayStart() throws IOException {
    return itemCount("array");
  }

  @Override
  public long arrayNext() throws IOException {
    return itemCount("array");
  }

  @Override
  public long skipArray() throws IOException {
    return skipBlocks("array");
  }

  @Override
  public long readMapStart() throws IOException {
    return itemCount("map");
  }

  @Override
  public long mapNext() throws IOException {
    return itemCount("map");
  }

  @Override
  public long skipMap() throws IOException {
    return skipBlocks("map");
  }

  @Override
  public int readIndex() throws IOException {
    return readInt();
  }

  private int nextByte() throws EOFException {
    if (pos >= limit) {
      throw new EOFException("body ends after " + (limit - start) + " bytes");
    }
    return buf[pos++] & 0xFF;
  }

  private long littleEndian(int size) throws EOFException {
    if (limit - pos < size) {
      pos = limit;
      throw new EOFException("body ends after " + (limit - start) + " bytes");
    }
    long v = 0;
    for (int i = 0; i < size; i++) {
      v |= (buf[pos + i] & 0xFFL) << (8 * i);
    }
    pos += size;
    return v;
  }

  /** A string or bytes length, checked against what is left. */
  private int length(String what) throws IOException {
    int at = pos;
    long length = readLong();
    if (length < 0) {
      throw new IOException(what + " length " + length + " at body byte " + (at - start));
    }
    return checked(length, what + " length", at, 1);
  }

  private void require(int length, String what) throws IOException {
    checked(length, what + " length", pos, 1);
  }

  /**
   * The item count of the next array or map block. A negative count is followed by the block's
   * size in bytes (Avro lets writers add it so readers can skip); both are checked.
   */
  private long itemCount(String what) throws IOException {
    int at = pos;
    long count = readLong();
    if (count < 0) {
      if (count == Long.MIN_VALUE) {
        throw new IOException(what + " item count out of range at body byte " + (at - start));
      }
      count = -count;
      long size = readLong();
      if (size < 0) {
        throw new IOException(what + " block size " + size + " at body byte " + (at - start));
      }
      checked(size, what + " block size", at, 1);
    }
    return checked(count, what + " item count", at, 1);
  }

  /** Skips whole array or map blocks that carry their byte size; returns the next count. */
  private long skipBlocks(String what) throws IOException {
    while (true) {
      int at = pos;
      long count = readLong();
      if (count >= 0) {
        return checked(count, what + " item count", at, 1);
      }
      if (count == Long.MIN_VALUE) {
        throw new IOException(what + " item count out of range at body byte " + (at - start));
      }
      long size = readLong();
      if (size < 0) {
        throw new IOException(what + " block size " + size + " at body byte " + (at - start));
      }
      pos += checked(size, what + " block size", at, 1);
    }
  }

  private int checked(long n, String what, int at, int minBytesEach) {
    long left = limit - pos;
    if (n > left / minBytesEach) {
      throw new EventDecodeException(Reason.LENGTH_EXCEEDS_INPUT, what + " " + n
          + " at body byte " + (at - start) + " exceeds the " + left + " bytes left of a "
          + (limit - start) + "-byte body (a corrupt length or a cut-off record)");
    }
    return (int) n;
  }
}
