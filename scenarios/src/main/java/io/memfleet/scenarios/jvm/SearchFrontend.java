package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.SplittableRandom;

/**
 * Search front end that keeps a {@link QueryTrace} (the query, its timings and the top results'
 * scores, 8 KiB by default) of every query for "slow query" analysis; the analyser that drained
 * the log was removed, the log was not. Scenario {@code jvm-shenandoah-heap-leak} (run with
 * {@code -XX:+UseShenandoahGC}).
 *
 * <pre>
 * java -XX:+UseShenandoahGC -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.SearchFrontend \
 *      --leak-rate 1MiB --trace-bytes 8KiB --garbage-rate 16MiB
 * </pre>
 */
public final class SearchFrontend {
  private SearchFrontend() {}

  /** One query's trace; its scores are the bulk of what leaks. */
  static final class QueryTrace {
    final String query;
    final long startedNanos;
    final double[] scores;

    QueryTrace(String query, int traceBytes, SplittableRandom random) {
      this.query = query;
      this.startedNanos = System.nanoTime();
      this.scores = new double[traceBytes / Double.BYTES];
      for (int i = 0; i < scores.length; i += 8) {
        scores[i] = random.nextDouble();
      }
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("search-frontend", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "1MiB");
    int traceBytes = (int) args.bytes("trace-bytes", "8KiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "16MiB");
    args.check();

    Deque<QueryTrace> slowQueryLog = new ArrayDeque<>();
    RequestTraffic traffic = new RequestTraffic(garbageRate, 2048);
    Pace queries = Pace.ofBytes(leakRate, traceBytes);
    SplittableRandom random = new SplittableRandom(31);
    ServiceLoop loop = ServiceLoop.start("search-frontend", "a trace of every query, never"
        + " drained, leak " + ServiceLoop.mib(leakRate) + "/s, request garbage "
        + ServiceLoop.mib(garbageRate) + "/s");
    while (loop.next()) {
      for (long n = queries.due(); n > 0; n--) {
        slowQueryLog.addLast(new QueryTrace("q" + random.nextInt(100_000), traceBytes, random));
      }
      traffic.serveDue();
      loop.status(() -> "traces=" + slowQueryLog.size() + " retained="
          + ServiceLoop.mib((double) slowQueryLog.size() * traceBytes) + " requests="
          + traffic.served());
    }
  }
}
