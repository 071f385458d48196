package io.memfleet.probe.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The probe's only output: one line on stderr per distinct reason, ever. The probe lives inside
 * someone else's application and must neither throw into it nor flood its logs.
 */
final class ProbeLog {
  private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

  private ProbeLog() {}

  static void once(String reason, String message) {
    if (REPORTED.add(reason)) {
      System.err.println("[memfleet-probe] " + message);
    }
  }

  static void once(String reason, String what, Throwable failure) {
    once(reason, what + ": " + failure);
  }
}
