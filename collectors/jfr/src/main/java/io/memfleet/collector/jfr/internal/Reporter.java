package io.memfleet.collector.jfr.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Where a JFR pump reports trouble: once per reason, so a broken event type cannot flood. */
public interface Reporter {
  /** Reports {@code message} unless something was already reported for {@code reason}. */
  void once(String reason, String message);

  /** A reporter printing each reason's first message on stderr, after {@code prefix}. */
  static Reporter stderr(String prefix) {
    Set<String> reported = ConcurrentHashMap.newKeySet();
    return (reason, message) -> {
      if (reported.add(reason)) {
        System.err.println(prefix + message);
      }
    };
  }
}
