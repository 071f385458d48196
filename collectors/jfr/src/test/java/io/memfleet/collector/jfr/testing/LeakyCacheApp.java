package io.memfleet.collector.jfr.testing;

import io.memfleet.demo.jvm.DemoArgs;
import java.util.HashMap;
import java.util.Map;

/**
 * Test fixture, not a scenario: the child JVM of the JFR collector's integration tests, whose heap
 * grows at a set rate (an unbounded cache of 16 KiB arrays). {@code JfrAgentIT}, {@code AttachIT},
 * {@code JvmDeathIT}, {@code RemoteJfrIT} and {@code SecuredJfrAgentIT} run it, and the node
 * collector's {@code JfrCollectIT} (through this module's test-jar). It is not part of the
 * detection corpus: detection is judged on the labelled programs of {@code scenarios/}, which
 * never call {@code System.gc()} (the JVM leak {@code jvm-g1-heap-leak} is {@code SessionService}).
 *
 * <pre>{@code
 * ChildJvm.start(dir, List.of("-Xmx256m", "-XX:+UseG1GC", agent),
 *     LeakyCacheApp.class.getName(), "--leak-mb-per-s", "6", "--gc-every-s", "2");
 * }</pre>
 *
 * <p>{@code --leak-mb-per-s} (default 3): retained growth; {@code --garbage-mb-per-s} (default 20):
 * short-lived allocation alongside it, so young GCs happen; {@code --gc-every-s} (default 0 =
 * never): call {@code System.gc()}; {@code --duration-s} (default 0 = until OOM);
 * {@code --cache-in-main 1}: the cache is {@code main}'s own, not a static field, so that an
 * {@code OutOfMemoryError} that ends {@code main} leaves it garbage (a job building too big a
 * result, as opposed to a cache kept for the JVM's life). Prints {@code ops/s=… retainedMb=…} per
 * second.
 *
 * <p>Why it can force a collection: the tests check how JFR's events are mapped, not whether a
 * leak is detected. {@code JfrAgentIT} asserts that a full collection becomes a {@code GcCycle}
 * marked forced whose live bytes are the heap after it, and that the heap after successive full
 * collections rises with the leak ({@code --gc-every-s 2}). G1 collects the whole heap only on
 * {@code System.gc()} or when the heap runs out, so a run of seconds would otherwise have no full
 * collection to check. {@code AttachIT}, {@code RemoteJfrIT}, the {@code kill -9} case of
 * {@code JvmDeathIT} and {@code JfrCollectIT} pass {@code --gc-every-s 1} and look for GC cycles of
 * any kind; the out-of-memory case of {@code JvmDeathIT}, {@code SecuredJfrAgentIT} and the
 * agent's Kafka-down case force none.
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
    Map<Long, byte[]> cache = args.number("cache-in-main", 0) != 0 ? new HashMap<>() : CACHE;
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
        cache.put(key++, new byte[entryBytes]);
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
            (long) cache.size() * entryBytes / (1024 * 1024));
        ops = 0;
        nextReport = now + 1_000_000_000L;
      }
      Thread.sleep(10);
    }
    System.out.println("done " + sink);
  }
}
