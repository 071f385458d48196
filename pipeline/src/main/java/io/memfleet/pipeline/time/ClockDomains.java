package io.memfleet.pipeline.time;

import io.memfleet.event.ClockDomain;

/** What the pipeline knows about each clock domain: unit, scope and whether it needs a model. */
public final class ClockDomains {
  private ClockDomains() {}

  /** Domains whose raw values count ticks at a published frequency rather than nanoseconds. */
  public static boolean isTickDomain(ClockDomain d) {
    return d == ClockDomain.JFR_TICKS || d == ClockDomain.TSC;
  }

  /** Domains converted by a fitted model (everything but REALTIME, Go-relative and UNKNOWN). */
  public static boolean needsModel(ClockDomain d) {
    return d == ClockDomain.MONOTONIC || d == ClockDomain.PERF_CLOCK || d == ClockDomain.TSC
        || d == ClockDomain.JFR_TICKS;
  }

  /**
   * JFR ticks belong to one JVM (their origin and frequency are that JVM's choice), so their
   * model is kept per process; the other domains are the host's.
   */
  public static boolean isProcessScoped(ClockDomain d) {
    return d == ClockDomain.JFR_TICKS;
  }

  /** Name of the model for a domain within a host's state. */
  public static String modelKey(ClockDomain d, String processKey) {
    return isProcessScoped(d) ? d.name() + "@" + processKey : d.name();
  }

  /**
   * Name of a model in {@code clock_calibration}: the domain's name, and for a process-scoped
   * domain also the process within the host ({@code JFR_TICKS@4242/1767560000000}), since each
   * JVM's ticks are a clock of their own.
   */
  public static String calibrationName(ClockDomain d, int pid, long processStartTimeMs) {
    return isProcessScoped(d) ? d.name() + "@" + pid + "/" + processStartTimeMs : d.name();
  }

  /** Nanoseconds per raw unit before any drift: 1 for nanosecond domains, 1e9/Hz for ticks. */
  public static double nominalNsPerUnit(ClockDomain d, Long frequencyHz) {
    if (isTickDomain(d) && frequencyHz != null && frequencyHz > 0) {
      return 1e9 / frequencyHz;
    }
    return 1.0;
  }
}
