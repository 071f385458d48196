package io.memfleet.collector.node.procfs;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One thread's buffers for procfs reads, reused for every file it reads: the bytes parsers work
 * on, a direct buffer for positional reads of held files, and a path builder.
 */
final class ReadBuffer {
  byte[] bytes = new byte[8192];
  int length;
  private ByteBuffer direct;
  private final StringBuilder path = new StringBuilder(64);

  String path(String rootPrefix, int pid, String file) {
    path.setLength(0);
    return path.append(rootPrefix).append(pid).append('/').append(file).toString();
  }

  void grow() {
    bytes = Arrays.copyOf(bytes, bytes.length * 2);
  }

  /** The direct buffer, cleared, with room for at least {@code capacity} bytes. */
  ByteBuffer direct(int capacity) {
    if (direct == null || direct.capacity() < capacity) {
      direct = ByteBuffer.allocateDirect(capacity);
    }
    return direct.clear();
  }

  /** Copies what {@code from} holds (flipped) into {@link #bytes}. */
  void copyFrom(ByteBuffer from) {
    length = from.remaining();
    while (bytes.length < length) {
      grow();
    }
    from.get(bytes, 0, length);
  }
}
