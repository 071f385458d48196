package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Severity;

/**
 * What a rule concluded from a matched run: severity, fitted growth, forecast and a one-line
 * summary. {@link AlertCandidates} adds process, times, evidence and fingerprint to make the
 * alert.
 */
public final class Finding {
  public final Severity severity;
  /** Fitted growth, bytes/s; null for rules not about bytes. */
  public final Double growthBytesPerSecond;
  /** Seconds from the last observation until the limit; null when no limit or no growth. */
  public final Double timeToOomSeconds;
  public final String summary;
  /**
   * What grows, said for the on-call person without the numbers' derivation, e.g. {@code "heap
   * grows 1.0 MiB/s"}; {@link AlertCandidates} adds where in the code when a source saw it.
   */
  public final String verdict;

  public Finding(Severity severity, Double growthBytesPerSecond, Double timeToOomSeconds,
      String summary, String verdict) {
    this.severity = severity;
    this.growthBytesPerSecond = growthBytesPerSecond;
    this.timeToOomSeconds = timeToOomSeconds;
    this.summary = summary;
    this.verdict = verdict;
  }
}
