package io.memfleet.collector.node.jvm;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * The HotSpot performance-data buffer: the memory-mapped file {@code /tmp/hsperfdata_USER/PID}
 * that every HotSpot JVM (unless {@code -XX:-UsePerfData}) keeps up to date with its counters,
 * and that {@code jstat} reads. Read in place: the index of entries is built once, then each
 * {@link #longValue} reads the live counter from the mapped bytes.
 *
 * <pre>{@code
 * MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
 * PerfDataBuffer perf = PerfDataBuffer.index(map, name -> name.startsWith("sun.gc."));
 * long used = perf.longValue("sun.gc.metaspace.used").orElse(0);
 * if (perf.structureChanged()) perf = PerfDataBuffer.index(map, filter); // new counters
 * }</pre>
 *
 * <p>Format, version 2.0 (HotSpot {@code perfMemory.hpp}; read by
 * {@code jdk.internal.jvmstat.perfdata.monitor.v2_0.PerfDataBuffer}): a 32-byte prologue —
 * magic {@code 0xcafec0c0} (always stored big-endian), byte order (0 big, 1 little), major and
 * minor version, accessible flag, used bytes, overflow bytes, modification time stamp (long),
 * offset of the first entry, number of entries — then the entries, each: entry length, name
 * offset, vector length (0 for a scalar), data type (a JNI signature letter: {@code 'J'} long,
 * {@code 'B'} byte, so strings are {@code 'B'} vectors), flags, units (1 none, 2 bytes, 3
 * ticks, 4 events, 5 string, 6 hertz), variability (1 constant, 2 monotonic, 3 variable), data
 * offset; name and data offsets are relative to the entry's start, names NUL-terminated. The
 * numbers in the prologue and entries are in the buffer's byte order.
 *
 * <p>Every offset is checked against the buffer: a truncated, corrupt or foreign file is a
 * {@link MalformedPerfDataException}, never an out-of-bounds read. Not thread-safe.
 */
public final class PerfDataBuffer {
  static final int MAGIC = 0xcafec0c0;
  static final int PROLOGUE_SIZE = 32;
  static final int ENTRY_HEADER_SIZE = 20;
  private static final int MAX_ENTRIES = 1 << 16;

  /** One counter's place in the buffer. */
  record Entry(String name, char type, int units, int variability, int vectorLength,
      int dataPosition) {}

  /** The source buffer in its byte order (absolute reads only, so shared safely by reads). */
  private final ByteBuffer buffer;
  private final int numEntries;
  private final Map<String, Entry> entries;
  private final Map<String, String> strings;

  private PerfDataBuffer(ByteBuffer buffer, int numEntries, Map<String, Entry> entries,
      Map<String, String> strings) {
    this.buffer = buffer;
    this.numEntries = numEntries;
    this.entries = entries;
    this.strings = strings;
  }

  /**
   * Indexes the entries whose names {@code keep} accepts (strings are read now: the ones memfleet
   * keeps are constants).
   *
   * @throws MalformedPerfDataException when the buffer is not a version 2 perf-data buffer or
   *     its entries point outside it
   * @throws NotReadyException when the JVM has not finished creating it ({@code accessible} 0)
   */
  public static PerfDataBuffer index(ByteBuffer source, Predicate<String> keep) {
    ByteBuffer b = source.duplicate();
    try {
      if (b.limit() < PROLOGUE_SIZE) {
        throw new MalformedPerfDataException("shorter than the prologue: " + b.limit() + " bytes");
      }
      int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(0);
      if (magic != MAGIC) {
        throw new MalformedPerfDataException(String.format("bad magic 0x%08x", magic));
      }
      byte order = b.get(4);
      if (order != 0 && order != 1) {
        throw new MalformedPerfDataException("bad byte order " + order);
      }
      b.order(order == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
      int major = b.get(5);
      int minor = b.get(6);
      if (major != 2) {
        throw new MalformedPerfDataException("unsupported version " + major + "." + minor);
      }
      if (b.get(7) == 0) {
        throw new NotReadyException();
      }
      int used = b.getInt(8);
      int entryOffset = b.getInt(24);
      int numEntries = b.getInt(28);
      int end = Math.min(b.limit(), used > 0 ? used : b.limit());
      if (entryOffset < PROLOGUE_SIZE || entryOffset > end || numEntries < 0
          || numEntries > MAX_ENTRIES) {
        throw new MalformedPerfDataException("bad entry table: offset " + entryOffset
            + ", " + numEntries + " entries, " + end + " bytes used");
      }
      Map<String, Entry> entries = new LinkedHashMap<>();
      Map<String, String> strings = new LinkedHashMap<>();
      int at = entryOffset;
      for (int i = 0; i < numEntries; i++) {
        if (at + ENTRY_HEADER_SIZE > end) {
          throw new MalformedPerfDataException("entry " + i + " runs past the end");
        }
        int length = b.getInt(at);
        int nameOffset = b.getInt(at + 4);
        int vectorLength = b.getInt(at + 8);
        char type = (char) (b.get(at + 12) & 0xff);
        int units = b.get(at + 14);
        int variability = b.get(at + 15);
        int dataOffset = b.getInt(at + 16);
        if (length < ENTRY_HEADER_SIZE || at + length > end || length > end) {
          throw new MalformedPerfDataException("entry " + i + " has length " + length);
        }
        if (nameOffset < ENTRY_HEADER_SIZE || nameOffset >= length || dataOffset < 0
            || dataOffset > length || vectorLength < 0) {
          throw new MalformedPerfDataException("entry " + i + " has offsets outside it");
        }
        String name = cString(b, at + nameOffset, at + length);
        int dataSize = (vectorLength == 0 ? 1 : vectorLength) * typeSize(type);
        if (dataSize < 0 || dataOffset + dataSize > length) {
          throw new MalformedPerfDataException("entry " + name + " has data outside it");
        }
        if (keep.test(name)) {
          Entry e = new Entry(name, type, units, variability, vectorLength, at + dataOffset);
          entries.put(name, e);
          if (type == 'B' && vectorLength > 0) {
            strings.put(name, cString(b, e.dataPosition(), e.dataPosition() + vectorLength));
          }
        }
        at += length;
      }
      return new PerfDataBuffer(b, numEntries, Collections.unmodifiableMap(entries),
          Collections.unmodifiableMap(strings));
    } catch (IndexOutOfBoundsException | BufferUnderflowException e) {
      throw new MalformedPerfDataException("read outside the buffer: " + e.getMessage());
    }
  }

  private static int typeSize(char type) {
    switch (type) {
      case 'B': case 'Z':
        return 1;
      case 'C': case 'S':
        return 2;
      case 'I': case 'F':
        return 4;
      case 'J': case 'D':
        return 8;
      default:
        throw new MalformedPerfDataException("unknown data type '" + type + "'");
    }
  }

  private static String cString(ByteBuffer b, int from, int limit) {
    int end = from;
    while (end < limit && b.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - from];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = b.get(from + i);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The current value of a scalar long counter; empty when the buffer has no such counter. */
  public OptionalLong longValue(String name) {
    Entry e = entries.get(name);
    if (e == null || e.type() != 'J' || e.vectorLength() != 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(buffer.getLong(e.dataPosition()));
  }

  /** A string counter (read when indexed), null when absent. */
  public String stringValue(String name) {
    return strings.get(name);
  }

  /** Names of the indexed entries, in buffer order. */
  public Iterable<String> names() {
    return entries.keySet();
  }

  /**
   * True when the JVM has added entries since this index was built (it registers counters as
   * subsystems start), so it should be indexed again.
   */
  public boolean structureChanged() {
    return buffer.getInt(28) != numEntries;
  }

  /** The buffer is not a perf-data buffer memfleet can read. */
  public static class MalformedPerfDataException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MalformedPerfDataException(String message) {
      super(message);
    }
  }

  /** The JVM is still creating the buffer ({@code accessible} is 0): try again later. */
  public static final class NotReadyException extends MalformedPerfDataException {
    private static final long serialVersionUID = 1L;

    NotReadyException() {
      super("not accessible yet");
    }
  }
}
