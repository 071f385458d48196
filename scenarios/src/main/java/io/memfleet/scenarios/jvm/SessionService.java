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
 * Login service whose session registry never evicts: every login opens a {@link SessionRecord}
 * (its state, 8 KiB by default, allocated by the record itself) that stays in the registry
 * forever because expired sessions are never removed. Requests against live sessions make the
 * ordinary request-scoped garbage. Scenario {@code jvm-g1-heap-leak}.
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.SessionService \
 *      --leak-rate 1MiB --session-bytes 8KiB --garbage-rate 16MiB
 * </pre>
 */
public final class SessionService {
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

  /** Keeps every session it opens: the expiry sweep that should remove them was never written. */
  static final class SessionRegistry {
    private final Map<String, SessionRecord> sessions = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final int stateBytes;
    private long opened;

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

    int size() {
      return sessions.size();
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("session-service", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "1MiB");
    int sessionBytes = (int) args.bytes("session-bytes", "8KiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "16MiB");
    args.check();

    SessionRegistry registry = new SessionRegistry(sessionBytes);
    RequestTraffic traffic = new RequestTraffic(garbageRate, 2048);
    Pace logins = Pace.ofBytes(leakRate, sessionBytes);
    SplittableRandom random = new SplittableRandom(7);
    ServiceLoop loop = ServiceLoop.start("session-service", "login sessions kept forever, leak "
        + ServiceLoop.mib(leakRate) + "/s, request garbage " + ServiceLoop.mib(garbageRate)
        + "/s");
    long seen = 0;
    while (loop.next()) {
      for (long n = logins.due(); n > 0; n--) {
        registry.open("user-" + random.nextInt(50_000));
      }
      if (registry.size() > 0) {
        seen += registry.touch(random.nextInt(registry.size())).state.length;
      }
      traffic.serveDue();
      long touched = seen;
      loop.status(() -> "sessions=" + registry.size() + " retained="
          + ServiceLoop.mib((double) registry.size() * sessionBytes) + " requests="
          + traffic.served() + " touched=" + touched);
    }
  }
}
