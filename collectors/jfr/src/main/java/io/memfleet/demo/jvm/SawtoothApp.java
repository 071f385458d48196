package io.memfleet.demo.jvm;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM that allocates hard but does not leak: it fills a list up to a working set and drops it,
 * so heap use saws up and down around a steady baseline. The workload of {@link OverheadHarness}.
 *
 * <pre>
 * java -Xmx256m -cp memfleet-collector-jfr.jar io.memfleet.demo.jvm.SawtoothApp \
 *      --working-set-mb 64 --duration-s 10
 * </pre>
 *
 * <p>{@code --ops-per-s N} paces it like a service under steady load (the default 0 runs flat out,
 * as the overhead benchmark needs). Prints {@code ops/s=…} every second; at the end, {@code
 * THROUGHPUT ops_per_s=… gcs=… cpu_s=…} over the whole run (the first second excluded as
 * warm-up; {@code gcs}: collections since the start; {@code cpu_s}: CPU seconds of the whole
 * process over the measured part, every thread included).
 */
public final class SawtoothApp {
  private SawtoothApp() {}

  /** CPU time of this whole process (every thread: GC, JIT, JFR, an agent), ns. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  public static void main(String[] argv) throws InterruptedException {
    DemoArgs args = new DemoArgs(argv);
    long workingSetBytes = (long) (args.number("working-set-mb", 64) * 1024 * 1024);
    double opsPerSecond = args.number("ops-per-s", 0);
    double durationS = args.number("duration-s", 0);
    int objectBytes = 256;
    List<byte[]> live = new ArrayList<>();
    long liveBytes = 0;
    long start = System.nanoTime();
    long warmEnd = start + 1_000_000_000L;
    long nextReport = warmEnd;
    long opsSinceReport = 0;
    long totalOps = 0;
    long measuredOps = 0;
    long checksum = 0;
    long cpuAtWarmEnd = 0;
    while (true) {
      for (int i = 0; i < 1000; i++) {
        byte[] b = new byte[objectBytes];
        b[i % objectBytes] = (byte) i;
        live.add(b);
        liveBytes += objectBytes;
        if (liveBytes >= workingSetBytes) {
          checksum += live.size();
          live = new ArrayList<>();
          liveBytes = 0;
        }
      }
      opsSinceReport += 1000;
      totalOps += 1000;
      long now = System.nanoTime();
      if (opsPerSecond > 0) {
        // pace: operation n is due n/opsPerSecond seconds after the start
        long due = start + (long) (totalOps * 1e9 / opsPerSecond);
        if (due > now) {
          Thread.sleep((due - now) / 1_000_000L, (int) ((due - now) % 1_000_000L));
          now = System.nanoTime();
        }
      }
      if (now >= warmEnd) {
        if (measuredOps == 0) {
          cpuAtWarmEnd = processCpuNanos();
        }
        measuredOps += 1000;
      }
      if (now >= nextReport) {
        System.out.println("ops/s=" + opsSinceReport);
        opsSinceReport = 0;
        nextReport = now + 1_000_000_000L;
      }
      if (durationS > 0 && now - start >= durationS * 1e9) {
        double seconds = (now - warmEnd) / 1e9;
        long gcs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
          gcs += Math.max(0, gc.getCollectionCount());
        }
        double cpuSeconds = (processCpuNanos() - cpuAtWarmEnd) / 1e9;
        System.out.printf("THROUGHPUT ops_per_s=%.0f checksum=%d gcs=%d cpu_s=%.3f%n",
            measuredOps / seconds, checksum, gcs, cpuSeconds);
        return;
      }
    }
  }
}
