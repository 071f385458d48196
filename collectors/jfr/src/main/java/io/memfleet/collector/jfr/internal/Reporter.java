package io.memfleet.collector.jfr.internal;

/** Where a JFR pump reports trouble: once per reason, so a broken event type cannot flood. */
public interface Reporter {
  /** Reports {@code message} unless something was already reported for {@code reason}. */
  void once(String reason, String message);
}
