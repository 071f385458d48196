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
 * <p>One collector per directory: {@link #open} takes a lock on {@code dir/lock}
 * ({@link SpoolLock}) and fails with {@link SpoolLockedException} while another process or another
 * spool in this JVM holds it; {@link #close()} (or the death of the process, even by kill -9)
 * releases it. A cursor that cannot be read or points at no record does not stop the spool from
 * opening: it replays from the oldest segment left ({@link #cursorResetsOnOpen()}). A damaged
 * record with valid ones after it (bit rot rather than a write cut short) is not cut off on open
 * ({@link #damagedOnOpen()}): {@link #peek} stops before it, and {@link #discardHead()} skips it
 * alone, up to the next valid frame, once it is at the head.
 *
 * <p>Not thread-safe: the sink's sender thread is its only user.
 */
public final class DiskSpool implements AutoCloseable {

  /** One spooled record (its form on disk: {@link SpoolFrames}). */
  public record Entry(String topic, byte[] key, byte[] value) {}

  private static final String SUFFIX = ".seg";

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  /** Segment id → size on disk. */
  private final TreeMap<Long, Long> segments = new TreeMap<>();
  private long readSegment;
  private long readOffset;
  private long entries;
  private long corruptOnOpen;
  private long damagedOnOpen;
  private long adoptedLost;
  private long cursorWriteFailures;
  private long adoptionOverflow;
  /** Records per segment, for counting what a discarded segment tail held. */
  private final TreeMap<Long, Long> segmentRecords = new TreeMap<>();
  private long cursorResets;
  private FileChannel writer;
  private long writerSegment = -1;
  private boolean dirty;
  private SpoolLock lock;
  private InFlightLedger ledger;

  private DiskSpool(Path dir, long maxBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = Math.max(64 * 1024, Math.min(16L * 1024 * 1024, maxBytes / 8));
  }

  /**
   * Opens (or creates) the spool in {@code dir}, recovering what a previous run left.
   *
   * @throws SpoolLockedException when another collector (this process or another) has it open
   */
  public static DiskSpool open(Path dir, long maxBytes) throws IOException {
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("spool max bytes must be at least 1024: " + maxBytes);
    }
    Files.createDirectories(dir);
    SpoolLock lock = SpoolLock.acquire(dir);
    DiskSpool spool = new DiskSpool(dir, maxBytes);
    try {
      spool.recover();
      spool.ledger = InFlightLedger.open(dir);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    spool.lock = lock;
    return spool;
  }

  private void recover() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        Long id = segmentId(name);
        if (id != null && Files.isRegularFile(p)) {
          segments.put(id, Files.size(p));
        }
      }
    }
    Path cursor = dir.resolve("cursor");
    readSegment = segments.isEmpty() ? 0 : segments.firstKey();
    readOffset = 0;
    if (Files.exists(cursor)) {
      try {
        String[] parts = Files.readString(cursor, StandardCharsets.US_ASCII).trim().split(" ");
        if (parts.length != 2) {
          throw new NumberFormatException("not 'segment offset'");
        }
        long segment = Long.parseLong(parts[0]);
        long offset = Long.parseLong(parts[1]);
        if (segment < 0 || offset < 0) {
          throw new NumberFormatException("negative");
        }
        readSegment = segment;
        readOffset = offset;
      } catch (IOException | RuntimeException unreadable) {
        // a cursor cut short (crash while a disk filled up) or overwritten: replay from the oldest
        // segment left — records of it already sent may go out twice, none is lost
        cursorResets++;
      }
    }
    if (!segments.isEmpty() && readSegment > segments.lastKey()) {
      // replayed segments are deleted before the cursor moves past them, so a cursor beyond
      // every segment left was not written by us: trusting it would delete unsent records
      cursorResets++;
      readSegment = segments.firstKey();
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
    if (segments.containsKey(readSegment) && readOffset > 0
        && !validFrameAt(readSegment, readOffset)) {
      // a cursor pointing past the end or into the middle of a record is as good as none
      cursorResets++;
      readOffset = 0;
    }
    // validate every record still to be replayed; cut each segment at its first bad record
    for (Map.Entry<Long, Long> seg : new ArrayList<>(segments.entrySet())) {
      long start = seg.getKey() == readSegment ? readOffset : 0;
      long before = entries;
      long good = scan(seg.getKey(), start, seg.getValue());
      segmentRecords.put(seg.getKey(), entries - before);
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

  /** The id of a segment file name, or null for any other file (a stray file is left alone). */
  private static Long segmentId(String name) {
    if (!name.endsWith(SUFFIX) || name.length() == SUFFIX.length()) {
      return null;
    }
    try {
      long id = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
      return id >= 0 ? id : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private boolean validFrameAt(long segment, long offset) throws IOException {
    long size = segments.get(segment);
    if (offset == size) {
      return true;
    }
    try (FileChannel ch = FileChannel.open(segmentPath(segment), StandardOpenOption.READ)) {
      return offset < size && SpoolFrames.read(ch, offset, size) != null;
    }
  }

  /**
   * Counts the records from {@code offset}; returns the offset just after the last valid one. A
   * damaged stretch followed by valid records (bit rot, not a cut-short write) counts as one
   * record: the replay discards it with {@link #discardHead()}, which counts it as lost.
   */
  private long scan(long segment, long offset, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(segmentPath(segment), StandardOpenOption.READ)) {
      long pos = offset;
      while (pos < size) {
        byte[] payload = SpoolFrames.read(ch, pos, size);
        if (payload == null) {
          long resume = SpoolFrames.nextValid(ch, pos + 1, size);
          if (resume < 0) {
            return pos;
          }
          damagedOnOpen++;
          entries++;
          pos = resume;
          continue;
        }
        pos += SpoolFrames.HEADER + payload.length;
        entries++;
      }
      return pos;
    }
  }

  /**
   * Appends a record at the tail. A write that fails (a full disk) leaves no part of the record
   * behind: the segment is cut back to where it was, so the next open finds no damaged tail.
   *
   * @return false when it would take the spool over its size bound (the record is not written)
   * @throws IOException when the record could not be written; the spool stays usable
   */
  public boolean append(Entry e) throws IOException {
    long frameLength = SpoolFrames.HEADER + (long) SpoolFrames.payloadLength(e);
    if (writer == null || segments.get(writerSegment) + frameLength > segmentBytes) {
      if (diskBytes() + frameLength > maxBytes) {
        return false;
      }
      roll();
    } else if (diskBytes() + frameLength > maxBytes) {
      return false;
    }
    ByteBuffer buf = SpoolFrames.encode(e);
    long size = segments.get(writerSegment);
    try {
      while (buf.hasRemaining()) {
        writer.write(buf, size + buf.position());
      }
    } catch (IOException failed) {
      try {
        writer.truncate(size);
      } catch (IOException alsoFailed) {
        failed.addSuppressed(alsoFailed); // the next open cuts the torn tail and counts it
      }
      throw failed;
    }
    segments.put(writerSegment, size + frameLength);
    segmentRecords.merge(writerSegment, 1L, Long::sum);
    entries++;
    dirty = true;
    return true;
  }

  private void roll() throws IOException {
    long next = segments.isEmpty() ? Math.max(readSegment, 0) : segments.lastKey() + 1;
    if (writer != null) {
      // whatever happens next, the old channel is never written again: a failed open below
      // leaves no writer, and the next append tries the roll again
      FileChannel old = writer;
      writer = null;
      writerSegment = -1;
      try {
        old.force(true);
      } finally {
        old.close();
      }
    }
    writer = openSegment(next);
    writerSegment = next;
    segments.put(next, 0L);
    segmentRecords.put(next, 0L);
    if (segments.size() == 1) {
      readSegment = next;
      readOffset = 0;
    }
  }

  private FileChannel openSegment(long id) throws IOException {
    return FileChannel.open(segmentPath(id), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  }

  /**
   * Up to {@code max} records from the head, oldest first, without removing them. A damaged record
   * ends the list; only when the head itself is damaged does this throw (then
   * {@link #discardHead()} skips it).
   */
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
          byte[] payload = SpoolFrames.read(ch, offset, size);
          if (payload == null && out.isEmpty()) {
            throw new IOException("spool segment " + segment + " corrupt at " + offset);
          }
          if (payload == null) {
            return out;
          }
          out.add(SpoolFrames.decode(payload));
          offset += SpoolFrames.HEADER + payload.length;
        }
      }
    }
    return out;
  }

  /** Removes the first {@code count} records (after they were replayed) and persists the cursor. */
  public void remove(List<Entry> replayed) throws IOException {
    for (Entry e : replayed) {
      while (readOffset >= segments.getOrDefault(readSegment, 0L)
          && segments.higherKey(readSegment) != null) {
        advanceSegment();
      }
      readOffset += SpoolFrames.HEADER + SpoolFrames.payloadLength(e);
      segmentRecords.merge(readSegment, -1L, Long::sum);
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
      segmentRecords.clear();
      writerSegment = -1;
      readSegment = next;
      readOffset = 0;
    }
    persistCursor();
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
    segmentRecords.remove(readSegment);
    readSegment = next != null ? next : readSegment + 1;
    readOffset = 0;
  }

  /**
   * Discards the record at the head that cannot be read (its frame fails the checksum), and with
   * it only what cannot be framed again: the spool continues at the next valid frame of the same
   * segment (found by its length and checksum), or at the next segment.
   *
   * @return how many records were discarded (at least 1 while the spool is not empty)
   */
  public long discardHead() throws IOException {
    while (segments.containsKey(readSegment) && readOffset >= segments.get(readSegment)
        && segments.higherKey(readSegment) != null) {
      advanceSegment();
    }
    if (entries == 0 || !segments.containsKey(readSegment)) {
      return 0;
    }
    long size = segments.get(readSegment);
    if (validFrameAt(readSegment, readOffset) && readOffset < size) {
      return 0; // the head is readable: nothing to discard
    }
    long remaining = segmentRecords.getOrDefault(readSegment, 0L);
    long resume = -1;
    long after = 0;
    try (FileChannel ch = FileChannel.open(segmentPath(readSegment), StandardOpenOption.READ)) {
      resume = SpoolFrames.nextValid(ch, readOffset + 1, size);
      if (resume >= 0) {
        long pos = resume;
        while (pos < size) {
          byte[] payload = SpoolFrames.read(ch, pos, size);
          if (payload == null) {
            break;
          }
          pos += SpoolFrames.HEADER + payload.length;
          after++;
        }
      }
    }
    long lost = Math.max(1, remaining - after);
    lost = Math.min(lost, entries);
    entries -= lost;
    if (resume >= 0) {
      segmentRecords.put(readSegment, after);
      readOffset = resume;
    } else {
      segmentRecords.put(readSegment, 0L);
      readOffset = size;
    }
    remove(List.of());
    return lost;
  }

  /** Counts what a dead collector's spool taken over by {@link OrphanSpools} lost. */
  void countAdopted(long lostOnKill, long corrupt, long overflow) {
    adoptedLost += lostOnKill;
    corruptOnOpen += corrupt;
    adoptionOverflow += overflow;
  }

  /**
   * Events a killed collector held only in memory, counted when this spool was opened: the
   * previous collector on this directory and every one whose spool was taken over
   * ({@link OrphanSpools}).
   */
  public long lostOnKillOnOpen() {
    return (ledger == null ? 0 : ledger.unsettledAtOpen()) + adoptedLost;
  }

  /** Records of spools taken over ({@link OrphanSpools}) that did not fit under the bound. */
  public long adoptionOverflow() {
    return adoptionOverflow;
  }

  /**
   * Gives up every record left (when even {@link #discardHead()} fails: a segment that cannot be
   * read at all) and deletes the segment files, so that the spool is usable again.
   *
   * @return how many records were discarded
   */
  public long clear() throws IOException {
    long lost = entries;
    if (writer != null) {
      FileChannel old = writer;
      writer = null;
      writerSegment = -1;
      old.close();
    }
    long next = segments.isEmpty() ? readSegment : segments.lastKey() + 1;
    IOException failed = null;
    for (Long id : new ArrayList<>(segments.keySet())) {
      try {
        Files.deleteIfExists(segmentPath(id));
      } catch (IOException e) {
        failed = e;
      }
    }
    segments.clear();
    segmentRecords.clear();
    entries = 0;
    readSegment = next;
    readOffset = 0;
    persistCursor();
    if (failed != null) {
      throw failed;
    }
    return lost;
  }

  /**
   * Writes the cursor, or counts that it could not be written (a full disk): the position in
   * memory is right, the one on disk lags, and a restart before the next successful write
   * replays those records again — twice rather than never. The next removal tries again.
   */
  private void persistCursor() {
    try {
      writeCursor();
    } catch (IOException e) {
      cursorWriteFailures++;
    }
  }

  /** Times the cursor could not be written (it is written again with the next removal). */
  public long cursorWriteFailures() {
    return cursorWriteFailures;
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

  /**
   * Damaged stretches found inside segments when the spool was opened, with valid records after
   * them: each counts as one record in {@link #size()} until the replay discards it.
   */
  public long damagedOnOpen() {
    return damagedOnOpen;
  }

  /**
   * Times the cursor file was unreadable or pointed at no record when the spool was opened; the
   * spool then replays from the oldest segment left (possibly sending some records twice).
   */
  public long cursorResetsOnOpen() {
    return cursorResets;
  }

  /** The counters of events the sink holds in memory, kept in this directory (see the class). */
  InFlightLedger ledger() {
    return ledger;
  }

  public Path dir() {
    return dir;
  }

  private Path segmentPath(long id) {
    return dir.resolve(String.format("%020d%s", id, SUFFIX));
  }

  @Override
  public void close() throws IOException {
    try {
      if (writer != null) {
        FileChannel old = writer;
        writer = null;
        writerSegment = -1;
        old.force(true);
        old.close();
      }
      writeCursor();
    } finally {
      if (ledger != null) {
        ledger.close();
      }
      if (lock != null) {
        lock.close();
        lock = null;
      }
    }
  }
}
