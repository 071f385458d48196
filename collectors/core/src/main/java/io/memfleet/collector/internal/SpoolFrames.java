package io.memfleet.collector.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk form of one spooled record: {@code [int length][int crc32c][payload]}, the payload
 * being {@code [short topicLen][topic][int keyLen][key][value]}. A frame is valid when its length
 * is plausible, fits in the segment and its CRC-32C matches, which is also how a reader finds the
 * next record after a damaged one.
 */
final class SpoolFrames {
  /** Bytes before the payload. */
  static final int HEADER = 8;
  private static final int MIN_PAYLOAD = 6;
  private static final int MAX_PAYLOAD = 64 * 1024 * 1024;

  private SpoolFrames() {}

  /** Bytes of the payload of {@code e}. */
  static int payloadLength(DiskSpool.Entry e) {
    return 2 + e.topic().getBytes(StandardCharsets.UTF_8).length + 4 + e.key().length
        + e.value().length;
  }

  /** The whole frame of {@code e}, ready to write. */
  static ByteBuffer encode(DiskSpool.Entry e) {
    int payloadLength = payloadLength(e);
    ByteBuffer buf = ByteBuffer.allocate(HEADER + payloadLength);
    buf.putInt(payloadLength).putInt(0);
    byte[] topic = e.topic().getBytes(StandardCharsets.UTF_8);
    buf.putShort((short) topic.length).put(topic).putInt(e.key().length).put(e.key())
        .put(e.value());
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), HEADER, payloadLength);
    buf.putInt(4, (int) crc.getValue());
    buf.flip();
    return buf;
  }

  static DiskSpool.Entry decode(byte[] payload) {
    ByteBuffer b = ByteBuffer.wrap(payload);
    byte[] topic = new byte[b.getShort()];
    b.get(topic);
    byte[] key = new byte[b.getInt()];
    b.get(key);
    byte[] value = new byte[b.remaining()];
    b.get(value);
    return new DiskSpool.Entry(new String(topic, StandardCharsets.UTF_8), key, value);
  }

  /** The payload of the frame at {@code pos}, or null when it is truncated or corrupt. */
  static byte[] read(FileChannel ch, long pos, long size) throws IOException {
    if (size - pos < HEADER) {
      return null;
    }
    ByteBuffer head = ByteBuffer.allocate(HEADER);
    readFully(ch, head, pos);
    int length = head.getInt(0);
    int crc = head.getInt(4);
    if (length < MIN_PAYLOAD || length > MAX_PAYLOAD || size - pos - HEADER < length) {
      return null;
    }
    ByteBuffer payload = ByteBuffer.allocate(length);
    readFully(ch, payload, pos + HEADER);
    CRC32C check = new CRC32C();
    check.update(payload.array());
    return (int) check.getValue() == crc ? payload.array() : null;
  }

  /** The first offset from {@code from} where a valid frame starts, or -1. */
  static long nextValid(FileChannel ch, long from, long size) throws IOException {
    for (long pos = from; pos + HEADER <= size; pos++) {
      if (read(ch, pos, size) != null) {
        return pos;
      }
    }
    return -1;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf, pos + buf.position()) < 0) {
        throw new IOException("unexpected end of spool segment");
      }
    }
  }
}
