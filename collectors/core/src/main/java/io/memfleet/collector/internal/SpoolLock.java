package io.memfleet.collector.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive claim of one collector on a spool directory: an OS file lock on {@code dir/lock}
 * (released by the kernel when the process dies, also by kill -9), which holds the owner's pid for
 * the message another collector gets.
 */
final class SpoolLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private SpoolLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static SpoolLock acquire(Path dir) throws IOException {
    Path file = dir.resolve("lock");
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException sameJvm) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      String holder = holder(channel);
      channel.close();
      throw new SpoolLockedException(dir, holder);
    }
    try {
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\n")
          .getBytes(StandardCharsets.US_ASCII)), 0);
    } catch (IOException diskFull) {
      // the lock holds without the pid; another collector's message then says "pid unknown"
    }
    return new SpoolLock(channel, lock);
  }

  private static String holder(FileChannel channel) {
    try {
      ByteBuffer b = ByteBuffer.allocate(64);
      int n = channel.read(b, 0);
      String text = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? "pid unknown" : text;
    } catch (IOException e) {
      return "pid unknown";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      channel.close();
    }
  }
}
