package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Metrics roll-up service that does not leak: incoming samples are buffered in per-tenant
 * aggregation windows whose lengths vary from a couple of seconds to tens of seconds; when a
 * window closes it is summarized into one number and its buffers are dropped. Buffers live long
 * enough that some survive young collections and reach the old generation, so heap after GC saws
 * up and down — rising for tens of seconds at a time — around a steady level. Scenario
 * {@code jvm-g1-sawtooth} (stock G1).
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.MetricsAggregator \
 *      --ingest-rate 3MiB --min-window 2s --max-window 40s --garbage-rate 8MiB
 * </pre>
 */
public final class MetricsAggregator {
  private static final int CHUNK_LONGS = 512; // 4 KiB of samples per buffer chunk

  private MetricsAggregator() {}

  /** One tenant's open window: sample chunks until it closes. */
  static final class Window {
    final long closesAtNanos;
    final List<long[]> chunks = new ArrayList<>();

    Window(long closesAtNanos) {
      this.closesAtNanos = closesAtNanos;
    }

    long summarize() {
      long sum = 0;
      for (long[] c : chunks) {
        sum += c[0] + c[c.length - 1];
      }
      return sum;
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("metrics-aggregator", argv);
    double ingestRate = args.bytesPerSecond("ingest-rate", "3MiB");
    long minWindow = args.duration("min-window", "2s").toNanos();
    long maxWindow = args.duration("max-window", "40s").toNanos();
    int tenants = (int) args.number("tenants", 24);
    double garbageRate = args.bytesPerSecond("garbage-rate", "8MiB");
    args.check();

    SplittableRandom random = new SplittableRandom(19);
    List<Window> open = new ArrayList<>();
    for (int i = 0; i < tenants; i++) {
      open.add(new Window(System.nanoTime() + minWindow
          + (long) (random.nextDouble() * (maxWindow - minWindow))));
    }
    RequestTraffic traffic = new RequestTraffic(garbageRate, 1024);
    Pace chunks = Pace.ofBytes(ingestRate, CHUNK_LONGS * Long.BYTES);
    ServiceLoop loop = ServiceLoop.start("metrics-aggregator", "per-tenant windows of "
        + minWindow / 1_000_000_000 + "-" + maxWindow / 1_000_000_000 + " s, ingest "
        + ServiceLoop.mib(ingestRate) + "/s, no leak");
    long closed = 0;
    long total = 0;
    while (loop.next()) {
      for (long n = chunks.due(); n > 0; n--) {
        long[] chunk = new long[CHUNK_LONGS];
        long t = System.nanoTime();
        for (int i = 0; i < chunk.length; i += 4) {
          chunk[i] = t + i;
        }
        open.get(random.nextInt(open.size())).chunks.add(chunk);
      }
      long now = System.nanoTime();
      List<Window> reopened = new ArrayList<>();
      for (Iterator<Window> it = open.iterator(); it.hasNext(); ) {
        Window w = it.next();
        if (now >= w.closesAtNanos) {
          total += w.summarize();
          closed++;
          it.remove();
          reopened.add(new Window(now + minWindow
              + (long) (random.nextDouble() * (maxWindow - minWindow))));
        }
      }
      open.addAll(reopened);
      traffic.serveDue();
      long buffered = open.stream().mapToLong(w -> w.chunks.size()).sum() * CHUNK_LONGS * 8;
      long c = closed;
      long sum = total;
      loop.status(() -> "windows-closed=" + c + " buffered=" + ServiceLoop.mib(buffered)
          + " requests=" + traffic.served() + " total=" + sum);
    }
  }
}
