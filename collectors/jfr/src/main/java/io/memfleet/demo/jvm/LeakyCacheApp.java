package io.memfleet.demo.jvm;

import java.util.HashMap;
import java.util.Map;

/**
 * A JVM that leaks: an unbounded cache keeps every entry it is given. Used by the JFR collector's
 * tests and by {@code memfleet up} as the leak to find.
 *
 * <pre>
 * java -Xmx256m -cp memfleet-collector-jfr.jar io.memfleet.demo.jvm.LeakyCacheApp \
 *      --leak-mb-per-s 3 --gc-every-s 5 --duration-s 0
 * </pre>
 *
 * <p>{@code --leak-mb-per-s} (default 3): retained growth; {@code --garbage-mb-per-s} (default 20):
 * short-lived allocation alongside it, so young GCs happen; {@code --gc-every-s} (default 0 =
 * never): call System.gc(), giving full-GC points whose heap-after is the live set;
 * {@code --duration-s} (default 0 = until OOM). Prints {@code ops/s=… retainedMb=…} per second.
 */
public final class LeakyCacheApp {
  private static final Map<Long, byte[]> CACHE = new HashMap<>();

  private LeakyCacheApp() {}

  public static void main(String[] argv) throws Exception {
    DemoArgs args = new DemoArgs(argv);
    double leakMbPerS = args.number("leak-mb-per-s", 3);
    double garbageMbPerS = args.number("garbage-mb-per-s", 20);
    double gcEveryS = args.number("gc-every-s", 0);
    double durationS = args.number("duration-s", 0);
    int entryBytes = 16 * 1024;
    long start = System.nanoTime();
    long nextReport = start + 1_000_000_000L;
    long nextGc = gcEveryS > 0 ? start + (long) (gcEveryS * 1e9) : Long.MAX_VALUE;
    long key = 0;
    long ops = 0;
    long sink = 0;
    double leakDebt = 0;
    double garbageDebt = 0;
    long last = start;
    while (durationS <= 0 || System.nanoTime() - start < durationS * 1e9) {
      long now = System.nanoTime();
      double dt = (now - last) / 1e9;
      last = now;
      leakDebt += leakMbPerS * 1024 * 1024 * dt;
      garbageDebt += garbageMbPerS * 1024 * 1024 * dt;
      while (leakDebt >= entryBytes) {
        CACHE.put(key++, new byte[entryBytes]);
        leakDebt -= entryBytes;
        ops++;
      }
      while (garbageDebt >= 1024) {
        byte[] tmp = new byte[1024];
        sink += tmp.length;
        garbageDebt -= 1024;
        ops++;
      }
      if (now >= nextGc) {
        System.gc();
        nextGc = now + (long) (gcEveryS * 1e9);
      }
      if (now >= nextReport) {
        System.out.printf("ops/s=%d retainedMb=%d%n", ops,
            (long) CACHE.size() * entryBytes / (1024 * 1024));
        ops = 0;
        nextReport = now + 1_000_000_000L;
      }
      Thread.sleep(10);
    }
    System.out.println("done " + sink);
  }
}
