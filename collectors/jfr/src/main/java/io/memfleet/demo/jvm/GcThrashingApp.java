package io.memfleet.demo.jvm;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM that thrashes without leaking: a large, stable cache fills most of the heap, and the
 * service keeps working on medium-lived objects that survive a young GC before they die. The old
 * generation refills with them between collections, so the collector runs back to back over a
 * heap that is almost all live — the state before an OutOfMemoryError, which memfleet's
 * {@code gc-thrashing} rule reports. The live set does not grow, so no leak rule may fire.
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx160m -Xmn8m -cp memfleet-collector-jfr-demo.jar \
 *      io.memfleet.demo.jvm.GcThrashingApp --live-fraction 0.82 --churn-mb-per-s 10 --ring-mb 10
 * </pre>
 *
 * <p>{@code --live-fraction} (default 0.82): share of the maximum heap held by the stable cache;
 * {@code --churn-mb-per-s} (default 10): allocation rate of working objects, paced;
 * {@code --ring-mb} (default 10): how many MiB of working objects stay alive at a time — more
 * than the young generation holds, so they are promoted and die old; {@code --duration-s}
 * (default 0 = run until stopped). Prints the GC time fraction and heap use per second. With
 * the flags above (a small service on the serial collector, as the JVM picks in a container with
 * one CPU) it spends 30–95% of its time in GC on a 2-core machine (with the JFR agent in the
 * same heap, closer to the top); a roomier heap or a lower churn rate ends the thrashing, which
 * is the point: the heap is too small for the load.
 */
public final class GcThrashingApp {
  /** Cache entries are many small objects, as real caches are: what the collector must trace. */
  private static final int ENTRY_OBJECTS = 1024;
  private static final int OBJECT_BYTES = 32; // long[2]: 16-byte header + 16 bytes
  private static final int CACHE_ENTRY = ENTRY_OBJECTS * (OBJECT_BYTES + 4) + 16;
  private static final int WORK_ITEM = 8 * 1024;

  private GcThrashingApp() {}

  public static void main(String[] argv) throws Exception {
    DemoArgs args = new DemoArgs(argv);
    double liveFraction = args.number("live-fraction", 0.82);
    double churnMbPerS = args.number("churn-mb-per-s", 10);
    double ringMb = args.number("ring-mb", 10);
    double durationS = args.number("duration-s", 0);
    if (liveFraction <= 0 || liveFraction >= 1 || churnMbPerS <= 0 || ringMb <= 0) {
      throw new IllegalArgumentException("need 0 < --live-fraction < 1, positive --churn-mb-per-s"
          + " and --ring-mb");
    }
    long max = Runtime.getRuntime().maxMemory();
    List<long[][]> cache = new ArrayList<>();
    for (long held = 0; held < liveFraction * max; held += CACHE_ENTRY) {
      long[][] entry = new long[ENTRY_OBJECTS][];
      for (int i = 0; i < entry.length; i++) {
        entry[i] = new long[] {held, i};
      }
      cache.add(entry);
    }
    byte[][] ring = new byte[(int) Math.max(1, ringMb * (1 << 20) / WORK_ITEM)][];
    System.out.printf("gc-thrashing demo: cache %d MiB of %d MiB max heap, ring %d items%n",
        cache.size() * (long) CACHE_ENTRY >> 20, max >> 20, ring.length);

    long start = System.nanoTime();
    long end = durationS > 0 ? start + (long) (durationS * 1e9) : Long.MAX_VALUE;
    double itemsPerNs = churnMbPerS * (1 << 20) / WORK_ITEM / 1e9;
    long done = 0;
    long nextReport = start + 1_000_000_000L;
    long lastGcMs = gcMillis();
    long sum = 0;
    for (long now = start; now < end; now = System.nanoTime()) {
      long due = (long) ((now - start) * itemsPerNs);
      if (done >= due) {
        Thread.sleep(1);
        continue;
      }
      for (; done < due; done++) {
        byte[] item = new byte[WORK_ITEM];
        item[(int) (done % WORK_ITEM)] = (byte) done;
        ring[(int) (done % ring.length)] = item;
      }
      sum += ring[(int) (done % ring.length)] == null ? 0 : 1;
      if (now >= nextReport) {
        long gcMs = gcMillis();
        Runtime rt = Runtime.getRuntime();
        System.out.printf("gcFraction=%.2f heapUsedMb=%d maxMb=%d cacheEntries=%d%n",
            (gcMs - lastGcMs) / 1000.0, (rt.totalMemory() - rt.freeMemory()) >> 20,
            max >> 20, cache.size());
        lastGcMs = gcMs;
        nextReport += 1_000_000_000L;
      }
    }
    System.out.println("done " + sum);
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }
}
