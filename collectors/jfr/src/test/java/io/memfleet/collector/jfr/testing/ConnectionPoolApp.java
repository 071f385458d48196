package io.memfleet.collector.jfr.testing;

import io.memfleet.demo.jvm.DemoArgs;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture, not a scenario: a JVM whose direct-buffer pool grows (a 64 KiB direct buffer per
 * connection, kept in a list from {@link #keepConnectionBuffer}) next to direct buffers it drops
 * ({@link #readScratch}, eight times as many bytes) and heap garbage, so young collections free
 * the dropped ones. No {@code System.gc()}. {@code DirectBufferProbeIT} runs it.
 *
 * <p>{@code --leak-kib-per-s} (default 1024), {@code --duration-s} (default 0 = until killed).
 * Prints {@code kept=<buffers>} every second.
 */
public final class ConnectionPoolApp {
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final List<ByteBuffer> CONNECTIONS = new ArrayList<>();
  /** Heap garbage goes through here: each new array drops the one before (stored, so the JIT
   * cannot leave the allocation out). */
  private static final byte[][] REQUESTS = new byte[64][];

  private ConnectionPoolApp() {}

  public static void main(String[] argv) throws Exception {
    DemoArgs args = new DemoArgs(argv);
    double leakKibPerS = args.number("leak-kib-per-s", 1024);
    double durationS = args.number("duration-s", 0);
    long start = System.nanoTime();
    long nextReport = start;
    double debt = 0;
    long last = start;
    long sink = 0;
    while (durationS <= 0 || System.nanoTime() - start < durationS * 1e9) {
      long now = System.nanoTime();
      debt += leakKibPerS * 1024 * (now - last) / 1e9;
      last = now;
      while (debt >= BUFFER_BYTES) {
        keepConnectionBuffer();
        sink += readScratch();
        debt -= BUFFER_BYTES;
      }
      for (int i = 0; i < REQUESTS.length; i++) {
        REQUESTS[i] = new byte[16 * 1024]; // 1 MiB of heap garbage per turn
      }
      if (now >= nextReport) {
        System.out.println("kept=" + CONNECTIONS.size());
        nextReport = now + 1_000_000_000L;
      }
      Thread.sleep(20);
    }
    System.out.println("done " + sink);
  }

  static void keepConnectionBuffer() {
    ByteBuffer b = ByteBuffer.allocateDirect(BUFFER_BYTES);
    b.putLong(0, CONNECTIONS.size());
    CONNECTIONS.add(b);
  }

  static long readScratch() {
    long sum = 0;
    for (int i = 0; i < 8; i++) {
      ByteBuffer scratch = ByteBuffer.allocateDirect(BUFFER_BYTES);
      scratch.putLong(0, i);
      sum += scratch.getLong(0);
    }
    return sum;
  }
}
