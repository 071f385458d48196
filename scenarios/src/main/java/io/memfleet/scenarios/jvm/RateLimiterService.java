package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * API gateway rate limiter that keeps a {@link ClientBucket} per client key (its token bucket
 * and a ring of recent request times, 8 KiB by default) and never forgets a client: keys are
 * minted per session by the clients, so each new session is a new bucket that stays. Scenario
 * {@code jvm-serial-heap-leak}, run as a stock JVM in a one-CPU container: with one processor the
 * JVM's ergonomics choose the Serial collector.
 *
 * <pre>
 * java -XX:ActiveProcessorCount=1 -cp memfleet-scenarios.jar \
 *      io.memfleet.scenarios.jvm.RateLimiterService --leak-rate 1MiB --bucket-bytes 8KiB \
 *      --garbage-rate 16MiB
 * </pre>
 */
public final class RateLimiterService {
  private RateLimiterService() {}

  /** One client's limiter state; the ring of request times is the bulk of what leaks. */
  static final class ClientBucket {
    final String clientKey;
    final long[] recentRequests;
    double tokens;
    int next;

    ClientBucket(String clientKey, int bucketBytes, double tokens) {
      this.clientKey = clientKey;
      this.recentRequests = new long[bucketBytes / Long.BYTES];
      this.tokens = tokens;
      long now = System.nanoTime();
      for (int i = 0; i < recentRequests.length; i += 16) {
        recentRequests[i] = now;
      }
    }

    boolean admit(long nowNanos) {
      recentRequests[next] = nowNanos;
      next = (next + 1) % recentRequests.length;
      if (tokens < 1) {
        tokens += 0.5;
        return false;
      }
      tokens -= 1;
      return true;
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("rate-limiter", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "1MiB");
    int bucketBytes = (int) args.bytes("bucket-bytes", "8KiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "16MiB");
    args.check();

    Map<String, ClientBucket> buckets = new HashMap<>();
    RequestTraffic traffic = new RequestTraffic(garbageRate, 2048);
    Pace sessions = Pace.ofBytes(leakRate, bucketBytes);
    SplittableRandom random = new SplittableRandom(23);
    ServiceLoop loop = ServiceLoop.start("rate-limiter", "a bucket per client session, never"
        + " forgotten, leak " + ServiceLoop.mib(leakRate) + "/s, request garbage "
        + ServiceLoop.mib(garbageRate) + "/s");
    long minted = 0;
    long admitted = 0;
    while (loop.next()) {
      long now = System.nanoTime();
      for (long n = sessions.due(); n > 0; n--) {
        String key = "client-" + random.nextInt(4_000) + "/session-" + Long.toHexString(minted++);
        ClientBucket b = new ClientBucket(key, bucketBytes, 20);
        buckets.put(key, b);
        if (b.admit(now)) {
          admitted++;
        }
      }
      traffic.serveDue();
      long total = admitted;
      loop.status(() -> "buckets=" + buckets.size() + " retained="
          + ServiceLoop.mib((double) buckets.size() * bucketBytes) + " admitted=" + total
          + " requests=" + traffic.served());
    }
  }
}
