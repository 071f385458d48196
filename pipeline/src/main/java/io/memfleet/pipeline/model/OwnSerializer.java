package io.memfleet.pipeline.model;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What memfleet's hand-written value serializers share ({@link TimedEventSerializer}, detection's
 * {@code ObservationSerializer}): stateless singletons of mutable types, variable length, no
 * object reuse, equal when of the same class, and enums written as ordinals checked on the way
 * back. A subclass writes and reads its fields, copies an instance and names its snapshot.
 */
public abstract class OwnSerializer<T> extends TypeSerializer<T> {
  private static final long serialVersionUID = 1L;

  /** What the bytes must be, for the errors of bytes that are not. */
  private final String what;

  protected OwnSerializer(String what) {
    this.what = what;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<T> duplicate() {
    return this; // stateless
  }

  @Override
  public T copy(T from, T reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public T deserialize(T reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  /** Zig-zag, seven bits a byte: 0 takes a byte, a delta of a few seconds in ns 5 bytes. */
  protected static void writeVarLong(DataOutputView out, long value) throws IOException {
    long v = (value << 1) ^ (value >> 63);
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  /** A number {@link #writeVarLong} wrote; an error when the bytes cannot be one. */
  protected long readVarLong(DataInputView in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      byte b = in.readByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return (v >>> 1) ^ -(v & 1);
      }
    }
    throw new IOException("a variable-length number runs past 10 bytes: the bytes are not "
        + what + " of this version");
  }

  /** A byte array as its length (-1 for null) and its bytes. */
  protected static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
    if (bytes == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(bytes.length);
      out.write(bytes);
    }
  }

  /** What {@link #writeBytes} wrote; an error for a negative length other than -1. */
  protected byte[] readBytes(DataInputView in) throws IOException {
    int length = in.readInt();
    if (length == -1) {
      return null;
    }
    if (length < 0) {
      throw new IOException("byte array length " + length + ": the bytes are not " + what
          + " of this version");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }

  /**
   * Whether {@code v} is a whole number a long holds exactly (and not -0.0): such figures, bytes
   * and counts mostly, are written with {@link #writeVarLong}.
   */
  protected static boolean wholeNumber(double v) {
    return wholeNumber(v, (double) (1L << 52));
  }

  /** Whether {@code v} is a whole number below {@code bound} in magnitude (and not -0.0). */
  protected static boolean wholeNumber(double v, double bound) {
    return v == Math.rint(v) && Math.abs(v) < bound
        && Double.doubleToRawLongBits(v) != Double.doubleToRawLongBits(-0.0);
  }

  /** The ordinal written for {@code value}; -1 for null. */
  protected static int ordinal(Enum<?> value) {
    return value == null ? -1 : value.ordinal();
  }

  /** The constant {@code ordinal} names; null for -1; an error for any other out of range. */
  protected <E> E constant(E[] constants, byte ordinal) throws IOException {
    if (ordinal == -1) {
      return null;
    }
    if (ordinal < 0 || ordinal >= constants.length) {
      throw new IOException("enum ordinal " + ordinal + " out of range: the bytes are not "
          + what + " of this version");
    }
    return constants[ordinal];
  }

  @Override
  public boolean equals(Object obj) {
    return obj != null && obj.getClass() == getClass();
  }

  @Override
  public int hashCode() {
    return getClass().hashCode();
  }
}
