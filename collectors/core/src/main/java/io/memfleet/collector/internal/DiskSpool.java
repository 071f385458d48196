package io.memfleet.collector.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A bounded, ordered, on-disk FIFO of Kafka records, used while the broker cannot be reached.
 *
 * <p>Layout: segment files {@code NNNNNNNNNNNNNNNNNNNN.seg} (20-digit id, appended in id order)
 * holding records framed as {@code [int payloadLength][int crc32c(payload)][payload]}, payload =
 * {@code [short topicLength][topic UTF-8][int keyLength][key][value]}; and a {@code cursor} file
 * with the segment id and byte offset of the first record not yet replayed (written to a temp
 * file and atomically renamed, so it is either the old or the new cursor).
 *
 * <p>Durability (fsync policy): appends go to the page cache and are forced to disk when a segment
 * is rolled, on {@link #sync()} (the sink calls it at most once per second while spooling, and on
 * flush and close) and on {@link #close()}. A crash of the process loses nothing (the page cache
 * survives it); a power loss can lose up to about a second of spooled records, which shows up on
 * the next open as a short or corrupt tail: it is cut off and reported through
 * {@link #corruptTailsOnOpen()}.
 *
 * <p>Bound: the total size of all segment files never exceeds {@code maxBytes}; {@link #append}
 * returns false when a record does not fit. Fully replayed segments are deleted.
 *
 * <p>Not thread-safe: the sink's sender thread is its only user.
 */
public final class DiskSpool implements AutoCloseable {

  /** One spooled record. */
  public record Entry(String topic, byte[] key, byte[] value) {
    int payloadLength() {
      return 2 + topic.getBytes(StandardCharsets.UTF_8).length + 4 + key.length + value.length;
    }
  }

  private static final int FRAME = 8;
  private static final String SUFFIX = ".seg";
  private static final int MAX_RECORD = 64 * 1024 * 1024;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  /** Segment id → size on disk. */
  private final TreeMap<Long, Long> segments = new TreeMap<>();
  private long readSegment;
  private long readOffset;
  private long entries;
  private long corruptOnOpen;
  private FileChannel writer;
  private long writerSegment = -1;
  private boolean dirty;

  private DiskSpool(Path dir, long maxBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = Math.max(64 * 1024, Math.min(16L * 1024 * 1024, maxBytes / 8));
  }

  /** Opens (or creates) the spool in {@code dir}, recovering what a previous run left. */
  public static DiskSpool open(Path dir, long maxBytes) throws IOException {
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("spool max bytes must be at least 1024: " + maxBytes);
    }
    Files.createDirectories(dir);
    DiskSpool spool = new DiskSpool(dir, maxBytes);
    spool.recover();
    return spool;
  }

  private void recover() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(SUFFIX)) {
          segments.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())),
              Files.size(p));
        }
      }
    }
    Path cursor = dir.resolve("cursor");
    if (Files.exists(cursor)) {
      String[] parts = Files.readString(cursor).trim().split(" ");
      readSegment = Long.parseLong(parts[0]);
      readOffset = Long.parseLong(parts[1]);
    } else {
      readSegment = segments.isEmpty() ? 0 : segments.firstKey();
      readOffset = 0;
    }
    // segments wholly before the cursor were replayed but not yet deleted
    for (Long id : new ArrayList<>(segments.headMap(readSegment).keySet())) {
      Files.deleteIfExists(segmentPath(id));
      segments.remove(id);
    }
    if (!segments.isEmpty() && !segments.containsKey(readSegment)) {
      readSegment = segments.firstKey();
      readOffset = 0;
    }
    // validate every record still to be replayed; cut each segment at its first bad record
    for (Map.Entry<Long, Long> seg : new ArrayList<>(segments.entrySet())) {
      long start = seg.getKey() == readSegment ? readOffset : 0;
      long good = scan(seg.getKey(), start, seg.getValue());
      if (good < seg.getValue()) {
        corruptOnOpen++;
        try (FileChannel ch = FileChannel.open(segmentPath(seg.getKey()),
            StandardOpenOption.WRITE)) {
          ch.truncate(good);
          ch.force(true);
        }
        segments.put(seg.getKey(), good);
      }
    }
  }

  /** Counts valid records from {@code offset}; returns the offset just after the last one. */
  private long scan(long segment, long offset, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(segmentPath(segment), StandardOpenOption.READ)) {
      long pos = offset;
      while (pos < size) {
        byte[] payload = readFrame(ch, pos, size);
        if (payload == null) {
          return pos;
        }
        pos += FRAME + payload.length;
        entries++;
      }
      return pos;
    }
  }

  /** The payload of the frame at {@code pos}, or null when it is truncated or corrupt. */
  private static byte[] readFrame(FileChannel ch, long pos, long size) throws IOException {
    if (size - pos < FRAME) {
      return null;
    }
    ByteBuffer head = ByteBuffer.allocate(FRAME);
    readFully(ch, head, pos);
    int length = head.getInt(0);
    int crc = head.getInt(4);
    if (length < 6 || length > MAX_RECORD || size - pos - FRAME < length) {
      return null;
    }
    ByteBuffer payload = ByteBuffer.allocate(length);
    readFully(ch, payload, pos + FRAME);
    CRC32C check = new CRC32C();
    check.update(payload.array());
    return (int) check.getValue() == crc ? payload.array() : null;
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      if (ch.read(buf, pos + buf.position()) < 0) {
        throw new IOException("unexpected end of spool segment");
      }
    }
  }

  /**
   * Appends a record at the tail.
   *
   * @return false when it would take the spool over its size bound (the record is not written)
   */
  public boolean append(Entry e) throws IOException {
    int payloadLength = e.payloadLength();
    long frameLength = FRAME + (long) payloadLength;
    if (writer == null || segments.get(writerSegment) + frameLength > segmentBytes) {
      if (diskBytes() + frameLength > maxBytes) {
        return false;
      }
      roll();
    } else if (diskBytes() + frameLength > maxBytes) {
      return false;
    }
    ByteBuffer buf = ByteBuffer.allocate((int) frameLength);
    buf.putInt(payloadLength).putInt(0);
    byte[] topic = e.topic().getBytes(StandardCharsets.UTF_8);
    buf.putShort((short) topic.length).put(topic).putInt(e.key().length).put(e.key())
        .put(e.value());
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), FRAME, payloadLength);
    buf.putInt(4, (int) crc.getValue());
    buf.flip();
    long size = segments.get(writerSegment);
    while (buf.hasRemaining()) {
      writer.write(buf, size + buf.position());
    }
    segments.put(writerSegment, size + frameLength);
    entries++;
    dirty = true;
    return true;
  }

  private void roll() throws IOException {
    long next = segments.isEmpty() ? Math.max(readSegment, 0) : segments.lastKey() + 1;
    if (writer != null) {
      writer.force(true);
      writer.close();
    }
    writer = FileChannel.open(segmentPath(next), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    writerSegment = next;
    segments.put(next, 0L);
    if (segments.size() == 1) {
      readSegment = next;
      readOffset = 0;
    }
  }

  /** Up to {@code max} records from the head, oldest first, without removing them. */
  public List<Entry> peek(int max) throws IOException {
    List<Entry> out = new ArrayList<>();
    long segment = readSegment;
    long offset = readOffset;
    while (out.size() < max) {
      Long size = segments.get(segment);
      if (size == null) {
        break;
      }
      if (offset >= size) {
        Long next = segments.higherKey(segment);
        if (next == null) {
          break;
        }
        segment = next;
        offset = 0;
        continue;
      }
      try (FileChannel ch = FileChannel.open(segmentPath(segment), StandardOpenOption.READ)) {
        while (out.size() < max && offset < size) {
          byte[] payload = readFrame(ch, offset, size);
          if (payload == null) {
            throw new IOException("spool segment " + segment + " corrupt at " + offset);
          }
          out.add(decode(payload));
          offset += FRAME + payload.length;
        }
      }
    }
    return out;
  }

  private static Entry decode(byte[] payload) {
    ByteBuffer b = ByteBuffer.wrap(payload);
    byte[] topic = new byte[b.getShort()];
    b.get(topic);
    byte[] key = new byte[b.getInt()];
    b.get(key);
    byte[] value = new byte[b.remaining()];
    b.get(value);
    return new Entry(new String(topic, StandardCharsets.UTF_8), key, value);
  }

  /** Removes the first {@code count} records (after they were replayed) and persists the cursor. */
  public void remove(List<Entry> replayed) throws IOException {
    for (Entry e : replayed) {
      while (readOffset >= segments.getOrDefault(readSegment, 0L)
          && segments.higherKey(readSegment) != null) {
        advanceSegment();
      }
      readOffset += FRAME + e.payloadLength();
      entries--;
    }
    if (readOffset >= segments.getOrDefault(readSegment, 0L) && readSegment != writerSegment
        && segments.containsKey(readSegment)) {
      advanceSegment();
    }
    if (entries == 0 && !segments.isEmpty()) {
      // everything replayed: start afresh so the directory does not keep an empty segment
      if (writer != null) {
        writer.close();
        writer = null;
      }
      for (Long id : new ArrayList<>(segments.keySet())) {
        Files.deleteIfExists(segmentPath(id));
      }
      long next = segments.isEmpty() ? readSegment : segments.lastKey() + 1;
      segments.clear();
      writerSegment = -1;
      readSegment = next;
      readOffset = 0;
    }
    writeCursor();
  }

  private void advanceSegment() throws IOException {
    Long next = segments.higherKey(readSegment);
    if (readSegment == writerSegment) {
      writer.close();
      writer = null;
      writerSegment = -1;
    }
    Files.deleteIfExists(segmentPath(readSegment));
    segments.remove(readSegment);
    readSegment = next != null ? next : readSegment + 1;
    readOffset = 0;
  }

  private void writeCursor() throws IOException {
    Path tmp = dir.resolve("cursor.tmp");
    Files.writeString(tmp, readSegment + " " + readOffset + "\n");
    Files.move(tmp, dir.resolve("cursor"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Forces appended records to disk if anything was written since the last sync. */
  public void sync() throws IOException {
    if (dirty && writer != null) {
      writer.force(false);
    }
    dirty = false;
  }

  /** Records waiting to be replayed. */
  public long size() {
    return entries;
  }

  public boolean isEmpty() {
    return entries == 0;
  }

  /** Bytes of all segment files on disk (what the bound applies to). */
  public long diskBytes() {
    long sum = 0;
    for (long s : segments.values()) {
      sum += s;
    }
    return sum;
  }

  /**
   * Segments that were cut at a truncated or corrupt record when the spool was opened (the
   * records from there to the end of that segment are lost).
   */
  public long corruptTailsOnOpen() {
    return corruptOnOpen;
  }

  public Path dir() {
    return dir;
  }

  private Path segmentPath(long id) {
    return dir.resolve(String.format("%020d%s", id, SUFFIX));
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.force(true);
      writer.close();
      writer = null;
      writerSegment = -1;
    }
    writeCursor();
  }
}
