package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Product catalog with a bounded LRU page cache ({@code LinkedHashMap} in access order with
 * {@code removeEldestEntry}): cold product pages are rendered and cached at about 1.5 MiB/s, so
 * the cache fills to its 200 MiB bound over its first two minutes or so — growth that looks
 * exactly like a leak — then stays at the bound while entries keep being replaced. Popular
 * products hit the cache. Scenario {@code jvm-cache-fill-flat}.
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.CatalogService \
 *      --cache-bytes 200MiB --miss-rate 1.5MiB --page-bytes 16KiB --garbage-rate 8MiB
 * </pre>
 */
public final class CatalogService {
  private CatalogService() {}

  /** A rendered product page. */
  record ProductPage(long product, byte[] html) {}

  /** LRU bounded by the bytes it holds. */
  static final class PageCache extends LinkedHashMap<Long, ProductPage> {
    private static final long serialVersionUID = 1L;
    private final long maxBytes;
    private long bytes;
    private long evictions;

    PageCache(long maxBytes) {
      super(1024, 0.75f, true);
      this.maxBytes = maxBytes;
    }

    void add(ProductPage page) {
      ProductPage old = put(page.product(), page);
      bytes += page.html().length - (old == null ? 0 : old.html().length);
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, ProductPage> eldest) {
      if (bytes > maxBytes) {
        bytes -= eldest.getValue().html().length;
        evictions++;
        return true;
      }
      return false;
    }
  }

  static ProductPage render(long product, int bytes) {
    byte[] html = new byte[bytes];
    for (int i = 0; i < bytes; i += 128) {
      html[i] = (byte) (product + i);
    }
    return new ProductPage(product, html);
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("catalog", argv);
    long cacheBytes = args.bytes("cache-bytes", "200MiB");
    double missRate = args.bytesPerSecond("miss-rate", "1.5MiB");
    int pageBytes = (int) args.bytes("page-bytes", "16KiB");
    double hitRate = args.number("hit-rate", 400);
    double garbageRate = args.bytesPerSecond("garbage-rate", "8MiB");
    args.check();

    PageCache cache = new PageCache(cacheBytes);
    RequestTraffic traffic = new RequestTraffic(garbageRate, 1024);
    Pace coldViews = Pace.ofBytes(missRate, pageBytes);
    Pace hotViews = new Pace(hitRate);
    SplittableRandom random = new SplittableRandom(23);
    ServiceLoop loop = ServiceLoop.start("catalog", "LRU page cache bounded at "
        + ServiceLoop.mib(cacheBytes) + ", filled by misses at " + ServiceLoop.mib(missRate)
        + "/s, then flat");
    long hits = 0;
    long misses = 0;
    while (loop.next()) {
      for (long n = coldViews.due(); n > 0; n--) {
        long product = 1_000 + random.nextLong(50_000_000L); // the long tail: almost always cold
        if (cache.get(product) == null) {
          cache.add(render(product, pageBytes));
          misses++;
        }
      }
      for (long n = hotViews.due(); n > 0; n--) {
        long product = random.nextInt(1_000); // best sellers
        if (cache.get(product) != null) {
          hits++;
        } else {
          cache.add(render(product, pageBytes));
          misses++;
        }
      }
      traffic.serveDue();
      long h = hits;
      long m = misses;
      loop.status(() -> "cached=" + cache.size() + " cache=" + ServiceLoop.mib(cache.bytes)
          + " hits=" + h + " misses=" + m + " evictions=" + cache.evictions + " requests="
          + traffic.served());
    }
  }
}
