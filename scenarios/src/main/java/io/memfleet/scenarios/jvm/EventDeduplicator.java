package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Ingest service that drops events delivered twice (at-least-once upstream) by remembering the
 * id of every event it has seen — and never forgets one: the window the ids should have been
 * kept for was never written. A leak of many small objects — an id string and a hash-set node per
 * event, about 114 bytes — with no large array anywhere, under request garbage. Scenario
 * {@code jvm-small-object-leak}, a stock JVM (G1, default heap).
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.EventDeduplicator \
 *      --leak-rate 1MiB --garbage-rate 16MiB
 * </pre>
 */
public final class EventDeduplicator {
  /**
   * Bytes one event costs the heap, duplicates (5 %) included: a new id's String, its bytes, a
   * HashMap node and its share of the table, 114 bytes measured (full-GC histograms 40 s apart).
   */
  static final long BYTES_PER_ID = 110;

  private EventDeduplicator() {}

  /** The ids seen so far. */
  static final class SeenIds {
    private final Set<String> ids = new HashSet<>();

    /** Whether {@code id} is new; it is remembered either way, for good. */
    boolean firstSeen(String id) {
      return ids.add(id);
    }

    int size() {
      return ids.size();
    }
  }

  /** Mints the id an upstream producer gave an event: producer, partition and offset. */
  static String eventId(SplittableRandom random, long offset) {
    return "orders-producer-" + random.nextInt(64) + "/p" + random.nextInt(12) + "@"
        + Long.toHexString(offset);
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("event-dedup", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "1MiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "16MiB");
    double duplicates = args.number("duplicate-share", 0.05);
    args.check();

    SeenIds seen = new SeenIds();
    RequestTraffic traffic = new RequestTraffic(garbageRate, 2048);
    Pace events = Pace.ofBytes(leakRate, BYTES_PER_ID);
    SplittableRandom random = new SplittableRandom(31);
    ServiceLoop loop = ServiceLoop.start("event-dedup", "remembers every event id it has seen,"
        + " about " + BYTES_PER_ID + " bytes each, leak " + ServiceLoop.mib(leakRate)
        + "/s, request garbage " + ServiceLoop.mib(garbageRate) + "/s");
    long offset = 0;
    long dropped = 0;
    String last = null;
    while (loop.next()) {
      for (long n = events.due(); n > 0; n--) {
        // an event delivered again carries the id it had the first time
        String id = last != null && random.nextDouble() < duplicates ? last
            : eventId(random, offset++);
        if (!seen.firstSeen(id)) {
          dropped++;
        }
        last = id;
      }
      traffic.serveDue();
      long droppedNow = dropped;
      loop.status(() -> "ids=" + seen.size() + " retained="
          + ServiceLoop.mib((double) seen.size() * BYTES_PER_ID) + " duplicates=" + droppedNow
          + " requests=" + traffic.served());
    }
  }
}
