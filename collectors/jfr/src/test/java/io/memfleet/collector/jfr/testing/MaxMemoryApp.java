package io.memfleet.collector.jfr.testing;

/**
 * Test fixture: prints what its JVM says it can use of the heap ({@code maxMemory=<bytes>}), then
 * allocates 64 MiB of garbage in 64 KiB arrays, so its collector runs a few times, and exits.
 * {@code UsableHeapIT} runs it.
 */
public final class MaxMemoryApp {
  private static final byte[][] GARBAGE = new byte[16][];

  private MaxMemoryApp() {}

  public static void main(String[] args) {
    System.out.println("maxMemory=" + Runtime.getRuntime().maxMemory());
    for (int i = 0; i < 1024; i++) {
      GARBAGE[i % GARBAGE.length] = new byte[64 * 1024];
    }
    System.out.println("done " + GARBAGE.length);
  }
}
