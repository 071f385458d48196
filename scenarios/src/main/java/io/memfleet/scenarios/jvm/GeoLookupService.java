package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * IP-geolocation service that loads its reference data at start: range blocks stream in at
 * about 5 MiB/s for the first 45 s (about 225 MiB), then the table is complete, growth stops
 * dead, and the service answers lookups from it with ordinary request garbage. Fast growth, then
 * a flat plateau: not a leak. Scenario {@code jvm-warmup-plateau}.
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.GeoLookupService \
 *      --load-rate 5MiB --load-time 45s --lookup-rate 2000 --garbage-rate 8MiB
 * </pre>
 */
public final class GeoLookupService {
  private static final int BLOCK_RANGES = 4096; // ranges per block: 2 longs each, 64 KiB

  private GeoLookupService() {}

  /** A sorted run of IP ranges: start and packed (end, location) per range. */
  record RangeBlock(long[] starts, long[] endsAndLocations) {
    long locate(long ip) {
      int i = java.util.Arrays.binarySearch(starts, ip);
      return endsAndLocations[i >= 0 ? i : Math.max(0, -i - 2)];
    }
  }

  static RangeBlock loadBlock(long first, SplittableRandom random) {
    long[] starts = new long[BLOCK_RANGES];
    long[] ends = new long[BLOCK_RANGES];
    long ip = first;
    for (int i = 0; i < BLOCK_RANGES; i++) {
      starts[i] = ip;
      ip += 1 + random.nextInt(256);
      ends[i] = (ip << 16) | random.nextInt(60_000);
    }
    return new RangeBlock(starts, ends);
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("geo-lookup", argv);
    double loadRate = args.bytesPerSecond("load-rate", "5MiB");
    long loadNanos = args.duration("load-time", "45s").toNanos();
    double lookupRate = args.number("lookup-rate", 2000);
    double garbageRate = args.bytesPerSecond("garbage-rate", "8MiB");
    args.check();

    List<RangeBlock> table = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(29);
    RequestTraffic traffic = new RequestTraffic(garbageRate, 1024);
    Pace blocks = Pace.ofBytes(loadRate, 2L * BLOCK_RANGES * Long.BYTES);
    Pace lookups = new Pace(lookupRate);
    long start = System.nanoTime();
    ServiceLoop loop = ServiceLoop.start("geo-lookup", "loads reference data at "
        + ServiceLoop.mib(loadRate) + "/s for " + loadNanos / 1_000_000_000 + " s, then serves");
    long nextIp = 0;
    long found = 0;
    boolean loading = true;
    while (loop.next()) {
      long due = blocks.due();
      if (loading && System.nanoTime() - start >= loadNanos) {
        loading = false;
        System.out.println("geo-lookup t=" + loop.seconds() + "s reference data loaded: "
            + table.size() + " blocks, " + ServiceLoop.mib(table.size() * 2.0 * BLOCK_RANGES
            * Long.BYTES));
      }
      for (long n = loading ? due : 0; n > 0; n--) {
        RangeBlock b = loadBlock(nextIp, random);
        nextIp = b.starts()[BLOCK_RANGES - 1] + 256;
        table.add(b);
      }
      for (long n = table.isEmpty() ? 0 : lookups.due(); n > 0; n--) {
        found += table.get(random.nextInt(table.size())).locate(random.nextLong(nextIp + 1));
      }
      traffic.serveDue();
      long f = found;
      loop.status(() -> "blocks=" + table.size() + " lookups-checksum=" + f + " requests="
          + traffic.served());
    }
  }
}
