package io.memfleet.probe.testing;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A network gateway that leaks direct buffers, for the probe's integration tests: every 50 ms it
 * keeps one 64 KiB connection buffer for good ({@link #keepConnectionBuffer}, 1.25 MiB/s) and
 * reads through eight 64 KiB scratch buffers it drops at once ({@link #readScratch}, churn), and
 * makes 4 MiB/s of heap garbage so young collections clear the dropped buffers. It never calls
 * {@code System.gc()}.
 *
 * <pre>{@code
 * java -cp test-classes io.memfleet.probe.testing.GatewayLeak <max seconds> <stop file>
 * }</pre>
 *
 * <p>Prints {@code pid <pid>} first, then {@code kept <buffers> <epoch millis>} every 250 ms,
 * and exits 0 when the stop file appears or the time is up.
 */
public final class GatewayLeak {
  static final int BUFFER_BYTES = 64 * 1024;
  private static final long TICK_MILLIS = 50;
  private static final int SCRATCH_READS_PER_TICK = 8;
  private static final int GARBAGE_ARRAYS_PER_TICK = 25; // 25 x 8 KiB per 50 ms = 4 MiB/s

  private final List<ByteBuffer> connections = new ArrayList<>();
  private final byte[][] recentGarbage = new byte[64][];
  private long checksum;
  private int garbageCursor;

  public static void main(String[] args) throws Exception {
    long deadline = System.currentTimeMillis() + Long.parseLong(args[0]) * 1000;
    Path stopFile = Path.of(args[1]);
    System.out.println("pid " + ProcessHandle.current().pid());
    System.out.flush();
    GatewayLeak gateway = new GatewayLeak();
    long next = System.currentTimeMillis();
    for (int tick = 0; System.currentTimeMillis() < deadline && !Files.exists(stopFile); tick++) {
      gateway.serveOneTick();
      if (tick % 5 == 0) {
        System.out.println("kept " + gateway.connections.size() + " " + System.currentTimeMillis());
        System.out.flush();
      }
      next += TICK_MILLIS;
      long wait = next - System.currentTimeMillis();
      if (wait > 0) {
        Thread.sleep(wait);
      }
    }
    System.out.println("kept " + gateway.connections.size() + " " + System.currentTimeMillis());
    System.out.println("done checksum " + gateway.checksum);
  }

  private void serveOneTick() {
    keepConnectionBuffer();
    for (int i = 0; i < SCRATCH_READS_PER_TICK; i++) {
      checksum += readScratch();
    }
    for (int i = 0; i < GARBAGE_ARRAYS_PER_TICK; i++) {
      byte[] garbage = new byte[8 * 1024];
      garbage[i] = (byte) i;
      recentGarbage[garbageCursor++ & 63] = garbage;
    }
  }

  /** The leak: one buffer per connection, never released. */
  private void keepConnectionBuffer() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    buffer.putLong(0, connections.size());
    connections.add(buffer);
  }

  /** The churn: a buffer per read, garbage as soon as the read is done. */
  private long readScratch() {
    ByteBuffer scratch = ByteBuffer.allocateDirect(BUFFER_BYTES);
    scratch.putLong(BUFFER_BYTES - 8, checksum);
    return scratch.getLong(BUFFER_BYTES - 8) & 1;
  }
}
