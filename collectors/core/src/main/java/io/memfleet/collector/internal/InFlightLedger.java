package io.memfleet.collector.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Two counters in a memory-mapped file of the spool directory: events the sink accepted and events
 * it settled (acknowledged by Kafka, written to the spool, or dropped and counted). Stores to a
 * shared mapping land in the kernel's page cache at once, so they survive the process being killed
 * (kill -9, OOM kill) — unlike the in-memory queue they describe. The next sink on the directory
 * reads {@code accepted - settled}: exactly how many events the killed process held only in memory
 * (or had sent without an acknowledgement yet), and counts them as lost.
 *
 * <p>Thread-safe: both counters are updated with atomic adds on the mapping.
 */
final class InFlightLedger implements AutoCloseable {
  private static final VarHandle LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final int ACCEPTED = 0;
  private static final int SETTLED = 8;
  private static final int SIZE = 16;

  private final FileChannel channel;
  private final ByteBuffer map;
  private final long unsettledAtOpen;

  private InFlightLedger(FileChannel channel, ByteBuffer map, long unsettledAtOpen) {
    this.channel = channel;
    this.map = map;
    this.unsettledAtOpen = unsettledAtOpen;
  }

  /**
   * Opens {@code dir/inflight}, reads what a previous process left unsettled, and starts at 0. An
   * existing ledger is reused in place, so this needs no free disk space after the first run;
   * where the file cannot be made (a full disk, a read-only directory) the counters live in memory
   * only — the collector runs, but a kill would go uncounted ({@link #persistent()} is false).
   */
  static InFlightLedger open(Path dir) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(dir.resolve("inflight"), StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException noFile) {
      return new InFlightLedger(null, ByteBuffer.allocate(SIZE), 0);
    }
    long unsettled = 0;
    try {
      if (channel.size() == SIZE) {
        MappedByteBuffer old = channel.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
        unsettled = Math.max(0, (long) LONGS.getVolatile(old, ACCEPTED)
            - (long) LONGS.getVolatile(old, SETTLED));
      } else {
        channel.truncate(0);
      }
      // the mapping extends a new file to its 16 bytes; an existing one keeps its page
      MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
      LONGS.setVolatile(map, ACCEPTED, 0L);
      LONGS.setVolatile(map, SETTLED, 0L);
      return new InFlightLedger(channel, map, unsettled);
    } catch (IOException | RuntimeException e) {
      channel.close();
      if (e instanceof RuntimeException && !(e.getCause() instanceof IOException)) {
        throw e;
      }
      return new InFlightLedger(null, ByteBuffer.allocate(SIZE), unsettled);
    }
  }

  /** False when the counters could not be kept on disk (then a kill goes uncounted). */
  boolean persistent() {
    return channel != null;
  }

  /** Events a previous process on this directory accepted but never settled: lost with it. */
  long unsettledAtOpen() {
    return unsettledAtOpen;
  }

  void accepted(long n) {
    LONGS.getAndAdd(map, ACCEPTED, n);
  }

  void settled(long n) {
    LONGS.getAndAdd(map, SETTLED, n);
  }

  long unsettled() {
    return (long) LONGS.getVolatile(map, ACCEPTED) - (long) LONGS.getVolatile(map, SETTLED);
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
    }
  }
}
