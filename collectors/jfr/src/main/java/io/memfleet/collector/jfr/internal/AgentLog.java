package io.memfleet.collector.jfr.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's only output channel: one line on stderr per distinct reason, ever. An agent must
 * not flood the host application's logs, but a user must learn that it is spooling or dropping.
 */
public final class AgentLog implements Reporter {
  private final Set<String> reported = ConcurrentHashMap.newKeySet();
  private final boolean quiet;

  public AgentLog(boolean quiet) {
    this.quiet = quiet;
  }

  /** Prints {@code message} unless something was already reported for {@code reason}. */
  @Override
  public void once(String reason, String message) {
    if (reported.add(reason) && !quiet) {
      System.err.println("[memfleet-jfr-agent] " + message);
    }
  }

  /** Forgets a reason, so it is reported again next time (e.g. Kafka came back, then left). */
  public void reset(String reason) {
    reported.remove(reason);
  }
}
