package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Inventory service with a memoization cache whose key includes the request's timestamp, so it
 * never hits and never forgets: each stock query stores a {@link StockSnapshot} (4 KiB of stock
 * levels by default, allocated by the snapshot). The leak is slow — 64 KiB/s, about 225 MiB a
 * hour — and hides under 16 MiB/s of request garbage. Scenario {@code jvm-slow-heap-leak}.
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.InventoryService \
 *      --leak-rate 64KiB --snapshot-bytes 4KiB --garbage-rate 16MiB
 * </pre>
 */
public final class InventoryService {
  private InventoryService() {}

  /** Stock levels per warehouse at one instant. */
  static final class StockSnapshot {
    final int sku;
    final long takenMillis;
    final long[] levels;

    StockSnapshot(int sku, long takenMillis, int bytes) {
      this.sku = sku;
      this.takenMillis = takenMillis;
      this.levels = new long[bytes / Long.BYTES];
      for (int i = 0; i < levels.length; i += 4) {
        levels[i] = (sku * 31L + i) % 1000;
      }
    }
  }

  /** Memo key: the timestamp makes every key new (the bug). */
  record QueryKey(int sku, long atMillis) {}

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("inventory", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "64KiB");
    int snapshotBytes = (int) args.bytes("snapshot-bytes", "4KiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "16MiB");
    args.check();

    Map<QueryKey, StockSnapshot> memo = new HashMap<>();
    RequestTraffic traffic = new RequestTraffic(garbageRate, 2048);
    Pace queries = Pace.ofBytes(leakRate, snapshotBytes);
    SplittableRandom random = new SplittableRandom(5);
    ServiceLoop loop = ServiceLoop.start("inventory", "stock queries memoized under a"
        + " timestamped key, leak " + ServiceLoop.mib(leakRate) + "/s, request garbage "
        + ServiceLoop.mib(garbageRate) + "/s");
    long tick = 0;
    while (loop.next()) {
      for (long n = queries.due(); n > 0; n--) {
        QueryKey key = new QueryKey(random.nextInt(40_000), System.currentTimeMillis() + tick++);
        memo.computeIfAbsent(key, k -> new StockSnapshot(k.sku(), k.atMillis(), snapshotBytes));
      }
      traffic.serveDue();
      loop.status(() -> "memoized=" + memo.size() + " retained="
          + ServiceLoop.mib((double) memo.size() * snapshotBytes) + " requests="
          + traffic.served());
    }
  }
}
