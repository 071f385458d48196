package io.memfleet.schema.codec.internal;

import io.memfleet.schema.codec.EventDecodeException;
import io.memfleet.schema.codec.EventDecodeException.Reason;
import java.nio.charset.StandardCharsets;

/**
 * The 10-byte header of Avro single-object encoding: marker {@code C3 01} followed by the
 * writer schema's CRC-64-AVRO fingerprint, little-endian.
 */
public final class SingleObjectHeader {

  public static final int LENGTH = 10;
  public static final byte MAGIC_0 = (byte) 0xC3;
  public static final byte MAGIC_1 = (byte) 0x01;

  private SingleObjectHeader() {}

  /** Writes the header for {@code fingerprint} into a new 10-byte array. */
  public static byte[] of(long fingerprint) {
    byte[] header = new byte[LENGTH];
    header[0] = MAGIC_0;
    header[1] = MAGIC_1;
    for (int i = 0; i < 8; i++) {
      header[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return header;
  }

  /**
   * Validates the header of {@code bytes} and returns the fingerprint.
   *
   * <p>The marker is checked before the length so that short foreign data ("hello") is reported
   * as foreign rather than as a truncated memfleet record.
   */
  public static long fingerprint(byte[] bytes) {
    int length = bytes == null ? 0 : bytes.length;
    if (length >= 1 && bytes[0] != MAGIC_0 || length >= 2 && bytes[1] != MAGIC_1) {
      throw new EventDecodeException(
          Reason.NOT_SINGLE_OBJECT_ENCODING,
          String.format(
              "not Avro single-object encoding: starts with %s, expected C3 01 (%d bytes%s)",
              hex(bytes, Math.min(length, 4)), length, printablePreview(bytes)));
    }
    if (length < LENGTH) {
      throw new EventDecodeException(
          Reason.TRUNCATED,
          (bytes == null ? "truncated: null value" : "truncated: " + length + " bytes")
              + ", single-object header needs " + LENGTH);
    }
    long fingerprint = 0;
    for (int i = 0; i < 8; i++) {
      fingerprint |= (bytes[2 + i] & 0xFFL) << (8 * i);
    }
    return fingerprint;
  }

  private static String hex(byte[] bytes, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : " ").append(String.format("%02X", bytes[i]));
    }
    return sb.toString();
  }

  // Foreign data is often text (JSON, a log line); showing its start makes the dead letter obvious.
  private static String printablePreview(byte[] bytes) {
    int n = Math.min(bytes.length, 24);
    for (int i = 0; i < n; i++) {
      if (bytes[i] < 0x20 || bytes[i] > 0x7E) {
        return "";
      }
    }
    return ", text \"" + new String(bytes, 0, n, StandardCharsets.US_ASCII)
        + (bytes.length > n ? "…" : "") + "\"";
  }

  /** Fingerprint formatted as in messages and tools: {@code 0x} and 16 hex digits. */
  public static String format(long fingerprint) {
    return String.format("0x%016x", fingerprint);
  }
}
