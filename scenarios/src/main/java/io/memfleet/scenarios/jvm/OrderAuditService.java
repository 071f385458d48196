package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Order service that keeps an in-memory audit trail: every processed order appends an
 * {@link AuditEntry} (its state timeline, 8 KiB of {@code long}s by default, allocated by the
 * entry) to a trail that was meant to be shipped and cleared hourly — the shipper was switched
 * off, the trail is never cleared. Scenario {@code jvm-parallel-heap-leak} (run with
 * {@code -XX:+UseParallelGC}).
 *
 * <pre>
 * java -XX:+UseParallelGC -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.OrderAuditService \
 *      --leak-rate 1MiB --entry-bytes 8KiB --garbage-rate 16MiB
 * </pre>
 */
public final class OrderAuditService {
  private OrderAuditService() {}

  /** One order's audit record; its timeline is the bulk of what leaks. */
  static final class AuditEntry {
    final long orderId;
    final String customer;
    final long[] timeline;

    AuditEntry(long orderId, String customer, int timelineBytes) {
      this.orderId = orderId;
      this.customer = customer;
      this.timeline = new long[timelineBytes / Long.BYTES];
      long t = System.nanoTime();
      for (int i = 0; i < timeline.length; i += 8) {
        timeline[i] = t + i;
      }
    }
  }

  /** The trail; {@link #ship()} would clear it, but nothing calls it any more. */
  static final class AuditTrail {
    private final List<AuditEntry> entries = new ArrayList<>();

    void record(AuditEntry e) {
      entries.add(e);
    }

    int size() {
      return entries.size();
    }

    @SuppressWarnings("unused")
    void ship() {
      entries.clear();
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("order-audit", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "1MiB");
    int entryBytes = (int) args.bytes("entry-bytes", "8KiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "16MiB");
    args.check();

    AuditTrail trail = new AuditTrail();
    RequestTraffic traffic = new RequestTraffic(garbageRate, 2048);
    Pace orders = Pace.ofBytes(leakRate, entryBytes);
    SplittableRandom random = new SplittableRandom(11);
    ServiceLoop loop = ServiceLoop.start("order-audit", "orders with an audit trail never"
        + " shipped, leak " + ServiceLoop.mib(leakRate) + "/s, request garbage "
        + ServiceLoop.mib(garbageRate) + "/s");
    long orderId = 0;
    while (loop.next()) {
      for (long n = orders.due(); n > 0; n--) {
        trail.record(new AuditEntry(orderId++, "customer-" + random.nextInt(20_000),
            entryBytes));
      }
      traffic.serveDue();
      loop.status(() -> "orders=" + trail.size() + " retained="
          + ServiceLoop.mib((double) trail.size() * entryBytes) + " requests="
          + traffic.served());
    }
  }
}
