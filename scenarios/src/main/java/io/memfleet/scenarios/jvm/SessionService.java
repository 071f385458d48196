package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Login service whose session registry stops evicting: every login opens a {@link SessionRecord}
 * (its state, 8 KiB by default, allocated by the record itself), and requests against live
 * sessions make the ordinary request-scoped garbage. Until {@code --leak-after} the expiry sweep
 * removes sessions idle for {@code --session-ttl}, so the heap is flat; from then on the sweep no
 * longer runs (as when its scheduler dies of an uncaught exception) and every session stays
 * forever. Scenarios {@code jvm-g1-heap-leak} ({@code --leak-after 0}, the default: the sweep
 * never runs) and {@code jvm-late-heap-leak} ({@code --leak-after 180s}).
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.SessionService \
 *      --leak-rate 1MiB --session-bytes 8KiB --garbage-rate 16MiB --leak-after 180s
 * </pre>
 */
public final class SessionService {
  private static final long SWEEP_EVERY_NANOS = 1_000_000_000L;

  private SessionService() {}

  /** One login: the bytes the leak is made of, allocated here so the culprit is this class. */
  static final class SessionRecord {
    final String sessionId;
    final String user;
    final long openedMillis;
    final byte[] state;
    long lastSeenMillis;

    SessionRecord(String sessionId, String user, int stateBytes) {
      this.sessionId = sessionId;
      this.user = user;
      this.openedMillis = System.currentTimeMillis();
      this.lastSeenMillis = openedMillis;
      this.state = new byte[stateBytes];
      for (int i = 0; i < stateBytes; i += 64) {
        state[i] = (byte) (i ^ sessionId.hashCode());
      }
    }
  }

  /**
   * The open sessions by id. {@link #expireIdle} is the sweep that removes idle ones; while it
   * runs, the registry holds about login rate × TTL sessions.
   */
  static final class SessionRegistry {
    private final Map<String, SessionRecord> sessions = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final int stateBytes;
    private long opened;
    private long expired;

    SessionRegistry(int stateBytes) {
      this.stateBytes = stateBytes;
    }

    SessionRecord open(String user) {
      String id = Long.toHexString(opened++ * 0x9E3779B97F4A7C15L);
      SessionRecord r = new SessionRecord(id, user, stateBytes);
      sessions.put(id, r);
      ids.add(id);
      return r;
    }

    SessionRecord touch(int index) {
      SessionRecord r = sessions.get(ids.get(index));
      r.lastSeenMillis = System.currentTimeMillis();
      return r;
    }

    /** Removes the sessions not seen for {@code ttlMillis}. */
    void expireIdle(long nowMillis, long ttlMillis) {
      ids.removeIf(id -> {
        if (nowMillis - sessions.get(id).lastSeenMillis < ttlMillis) {
          return false;
        }
        sessions.remove(id);
        expired++;
        return true;
      });
    }

    int size() {
      return sessions.size();
    }

    long expired() {
      return expired;
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("session-service", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "1MiB");
    int sessionBytes = (int) args.bytes("session-bytes", "8KiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "16MiB");
    long ttlMillis = args.duration("session-ttl", "30s").toMillis();
    long leakAfterNanos = args.duration("leak-after", "0").toNanos();
    args.check();

    SessionRegistry registry = new SessionRegistry(sessionBytes);
    RequestTraffic traffic = new RequestTraffic(garbageRate, 2048);
    Pace logins = Pace.ofBytes(leakRate, sessionBytes);
    SplittableRandom random = new SplittableRandom(7);
    String sessions = leakAfterNanos == 0 ? "login sessions kept forever"
        : "login sessions expire after " + ttlMillis / 1000 + "s until "
            + leakAfterNanos / 1_000_000_000L + "s, then kept forever";
    ServiceLoop loop = ServiceLoop.start("session-service", sessions + ", leak "
        + ServiceLoop.mib(leakRate) + "/s, request garbage " + ServiceLoop.mib(garbageRate)
        + "/s");
    long started = System.nanoTime();
    long nextSweep = started + SWEEP_EVERY_NANOS;
    long seen = 0;
    while (loop.next()) {
      for (long n = logins.due(); n > 0; n--) {
        registry.open("user-" + random.nextInt(50_000));
      }
      if (registry.size() > 0) {
        seen += registry.touch(random.nextInt(registry.size())).state.length;
      }
      long now = System.nanoTime();
      if (now - started < leakAfterNanos && now >= nextSweep) {
        nextSweep = now + SWEEP_EVERY_NANOS;
        registry.expireIdle(System.currentTimeMillis(), ttlMillis);
      }
      traffic.serveDue();
      long touched = seen;
      loop.status(() -> "sessions=" + registry.size() + " retained="
          + ServiceLoop.mib((double) registry.size() * sessionBytes) + " expired="
          + registry.expired() + " requests=" + traffic.served() + " touched=" + touched);
    }
  }
}
