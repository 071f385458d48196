package io.memfleet.collector.jfr.repository;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps a JVM's JFR chunks readable after the JVM deletes them: a directory of hard links to the
 * repository's chunk files, which the collector reads instead of the repository.
 *
 * <p>Why: JFR deletes its repository when the JVM exits normally — also after an
 * OutOfMemoryError ends {@code main} — and drops old chunks beyond the recording's bounds. A
 * reader that is on the last chunk holds it open and finishes it anyway; one that is behind
 * would lose whole chunks. A hard link keeps the file (same inode: the JVM's appends are seen)
 * until the reader is past it. Where a hard link is not possible (another file system, or a
 * file of another user without CAP_FOWNER), the pin is a symbolic link, which reads the same but
 * does not keep the file.
 *
 * <p>The pin directory is {@code <repository's parent>/.memfleet-pins/<repository's name>}, so it
 * is on the repository's file system. Not thread-safe: one keeper thread calls it.
 */
final class ChunkPins {
  /** Offset of the chunk's start time (epoch ns, big-endian) in a JFR chunk header. */
  private static final long START_NANOS_OFFSET = 32;
  /** Offset of the chunk's file state byte: 0 once JFR finished writing the chunk. */
  private static final long FILE_STATE_OFFSET = 64;

  private final Path repository;
  private final Path pins;
  private final Map<String, Boolean> pinned = new HashMap<>(); // name → hard link
  private final Map<String, Long> startNanos = new HashMap<>();
  private long symbolicLinks;

  ChunkPins(Path repository) {
    this.repository = repository;
    this.pins = repository.getParent().resolve(".memfleet-pins")
        .resolve(repository.getFileName().toString());
  }

  /** The directory to read. */
  Path directory() {
    return pins;
  }

  /** Chunks pinned by symbolic link (not protected from deletion). */
  long symbolicLinks() {
    return symbolicLinks;
  }

  /** Pins the repository's chunks that are not pinned yet. */
  void sync() throws IOException {
    Files.createDirectories(pins);
    if (!Files.isDirectory(repository)) {
      return; // gone (the JVM exited normally): what is pinned is what there is
    }
    try (DirectoryStream<Path> chunks = Files.newDirectoryStream(repository, "*.jfr")) {
      for (Path chunk : chunks) {
        String name = chunk.getFileName().toString();
        if (pinned.containsKey(name)) {
          continue;
        }
        Path pin = pins.resolve(name);
        try {
          Files.deleteIfExists(pin);
          Files.createLink(pin, chunk);
          pinned.put(name, true);
        } catch (FileSystemException e) {
          if (!Files.exists(chunk)) {
            continue; // deleted between listing and linking
          }
          Files.createSymbolicLink(pin, chunk.toAbsolutePath());
          pinned.put(name, false);
          symbolicLinks++;
        }
      }
    }
  }

  /**
   * Removes pins of chunks the JVM deleted and the reader is past: a chunk is passed once an event
   * later than the start of the next chunk was read.
   */
  void release(long readUpToEpochNanos) throws IOException {
    TreeMap<Long, String> byStart = new TreeMap<>();
    for (String name : pinned.keySet()) {
      Long start = startNanos(name);
      if (start != null) {
        byStart.put(start, name);
      }
    }
    for (Map.Entry<Long, String> e : byStart.entrySet()) {
      Long next = byStart.higherKey(e.getKey());
      String name = e.getValue();
      if (next != null && next < readUpToEpochNanos && !Files.exists(repository.resolve(name))) {
        Files.deleteIfExists(pins.resolve(name));
        pinned.remove(name);
        startNanos.remove(name);
      }
    }
  }

  /** Whether the newest chunk is finished (JFR stopped writing the repository). */
  boolean newestFinished() {
    String newest = null;
    long newestStart = Long.MIN_VALUE;
    for (String name : pinned.keySet()) {
      Long s = startNanos(name);
      if (s != null && s > newestStart) {
        newestStart = s;
        newest = name;
      }
    }
    if (newest == null) {
      return false;
    }
    try (RandomAccessFile f = new RandomAccessFile(pins.resolve(newest).toFile(), "r")) {
      if (f.length() <= FILE_STATE_OFFSET) {
        return false;
      }
      f.seek(FILE_STATE_OFFSET);
      return f.readByte() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private Long startNanos(String name) {
    Long known = startNanos.get(name);
    if (known != null) {
      return known;
    }
    try (RandomAccessFile f = new RandomAccessFile(pins.resolve(name).toFile(), "r")) {
      if (f.length() < START_NANOS_OFFSET + 8) {
        return null; // the JVM is still writing the header
      }
      f.seek(START_NANOS_OFFSET);
      long start = f.readLong();
      startNanos.put(name, start);
      return start;
    } catch (IOException e) {
      return null;
    }
  }

  /** Deletes the pins and their directory. */
  void delete() throws IOException {
    if (Files.isDirectory(pins)) {
      try (DirectoryStream<Path> all = Files.newDirectoryStream(pins)) {
        for (Path p : all) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(pins);
      try {
        Files.deleteIfExists(pins.getParent()); // only when no other JVM's pins are left
      } catch (IOException notEmpty) {
        // other JVMs' pins live there
      }
    }
    pinned.clear();
  }
}
