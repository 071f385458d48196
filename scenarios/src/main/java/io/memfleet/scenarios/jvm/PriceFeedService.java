package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Market-data fan-out with the classic lapsed-listener leak: every client subscription registers
 * a {@link QuoteListener} (with its price history, 8 KiB of {@code double}s by default) on the
 * quote bus; when the client goes away the subscription is closed but the listener stays
 * registered, still receiving quotes, forever. Scenario {@code jvm-zgc-heap-leak} (run with
 * {@code -XX:+UseZGC}).
 *
 * <pre>
 * java -XX:+UseZGC -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.PriceFeedService \
 *      --leak-rate 1MiB --history-bytes 8KiB --garbage-rate 16MiB
 * </pre>
 */
public final class PriceFeedService {
  private static final int SYMBOLS = 5_000;

  private PriceFeedService() {}

  /** A subscriber's view of one symbol; it owns the history array that leaks with it. */
  static final class QuoteListener {
    final int symbol;
    final double[] history;
    int next;

    QuoteListener(int symbol, int historyBytes) {
      this.symbol = symbol;
      this.history = new double[historyBytes / Double.BYTES];
      java.util.Arrays.fill(history, Double.NaN);
    }

    void onQuote(double price) {
      history[next] = price;
      next = (next + 1) % history.length;
    }
  }

  /** Listeners by symbol; removing one is the caller's job, and the caller forgets. */
  static final class QuoteBus {
    private final Map<Integer, List<QuoteListener>> bySymbol = new HashMap<>();
    private long registered;

    void register(QuoteListener l) {
      bySymbol.computeIfAbsent(l.symbol, s -> new ArrayList<>()).add(l);
      registered++;
    }

    int publish(int symbol, double price) {
      List<QuoteListener> ls = bySymbol.getOrDefault(symbol, List.of());
      for (QuoteListener l : ls) {
        l.onQuote(price);
      }
      return ls.size();
    }
  }

  /** A client connection; closing it forgets the listener but does not unregister it. */
  record Subscription(long client, QuoteListener listener) {}

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("price-feed", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "1MiB");
    int historyBytes = (int) args.bytes("history-bytes", "8KiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "16MiB");
    double quoteRate = args.number("quote-rate", 500);
    args.check();

    QuoteBus bus = new QuoteBus();
    ArrayDeque<Subscription> open = new ArrayDeque<>();
    RequestTraffic traffic = new RequestTraffic(garbageRate, 2048);
    Pace subscribes = Pace.ofBytes(leakRate, historyBytes);
    Pace quotes = new Pace(quoteRate);
    SplittableRandom random = new SplittableRandom(3);
    ServiceLoop loop = ServiceLoop.start("price-feed", "quote fan-out with lapsed listeners,"
        + " leak " + ServiceLoop.mib(leakRate) + "/s, request garbage "
        + ServiceLoop.mib(garbageRate) + "/s");
    long client = 0;
    long delivered = 0;
    while (loop.next()) {
      for (long n = subscribes.due(); n > 0; n--) {
        QuoteListener l = new QuoteListener(random.nextInt(SYMBOLS), historyBytes);
        bus.register(l);
        open.add(new Subscription(client++, l));
        if (open.size() > 200) {
          open.poll(); // the client disconnects; its listener stays on the bus
        }
      }
      for (long n = quotes.due(); n > 0; n--) {
        delivered += bus.publish(random.nextInt(SYMBOLS), 100 + random.nextDouble());
      }
      traffic.serveDue();
      long d = delivered;
      loop.status(() -> "listeners=" + bus.registered + " connected=" + open.size()
          + " retained=" + ServiceLoop.mib((double) bus.registered * historyBytes)
          + " delivered=" + d + " requests=" + traffic.served());
    }
  }
}
