package io.memfleet.collector.jfr.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins on a real file system, over chunk files with JFR's header layout. */
class ChunkPinsTest {
  @TempDir Path base;

  @Test
  void pinnedChunksOutliveTheirDeletionUntilTheReaderIsPast() throws Exception {
    Path repo = Files.createDirectories(base.resolve("2026_12_02_03_07_31_9816"));
    chunk(repo.resolve("a.jfr"), 1_000, true);
    chunk(repo.resolve("b.jfr"), 2_000, false);
    ChunkPins pins = new ChunkPins(repo);
    pins.sync();
    Path dir = pins.directory();
    assertThat(dir).isEqualTo(base.resolve(".memfleet-pins/2026_12_02_03_07_31_9816"));
    assertThat(Files.isSameFile(dir.resolve("a.jfr"), repo.resolve("a.jfr"))).isTrue();
    assertThat(Files.isSymbolicLink(dir.resolve("a.jfr"))).as("a hard link").isFalse();
    assertThat(pins.newestFinished()).isFalse();

    // the JVM drops chunk a (maxsize, or its exit): the pin keeps the bytes
    Files.delete(repo.resolve("a.jfr"));
    assertThat(Files.size(dir.resolve("a.jfr"))).isEqualTo(72);
    pins.release(1_500); // the reader is still inside a
    assertThat(dir.resolve("a.jfr")).exists();
    pins.release(2_001); // now past b's start: a is done
    assertThat(dir.resolve("a.jfr")).doesNotExist();
    assertThat(dir.resolve("b.jfr")).exists();

    // JFR finishes b (recording stopped)
    try (RandomAccessFile f = new RandomAccessFile(repo.resolve("b.jfr").toFile(), "rw")) {
      f.seek(64);
      f.writeByte(0);
    }
    assertThat(pins.newestFinished()).isTrue();
    pins.delete();
    assertThat(base.resolve(".memfleet-pins")).doesNotExist();
    assertThat(repo.resolve("b.jfr")).exists();
  }

  /** A chunk header: magic, version, then start nanos at 32 and the file state at 64. */
  private static void chunk(Path file, long startNanos, boolean finished) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.write(new byte[] {'F', 'L', 'R', 0, 0, 2, 0, 1});
      f.setLength(72);
      f.seek(32);
      f.writeLong(startNanos);
      f.seek(64);
      f.writeByte(finished ? 0 : 7);
    }
  }
}
