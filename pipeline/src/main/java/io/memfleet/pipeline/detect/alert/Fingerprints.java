package io.memfleet.pipeline.detect.alert;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Fingerprints and ids of alerts. A fingerprint groups the same leak across the fleet: it hashes
 * the rule, the service (the command name when the service is unknown) and the top stack frame or
 * object class where the rule knows one — never host, pid or time, so one leak shipped in one
 * release has one fingerprint on every host and cluster. An alert id names one alert instance
 * (one process, rule and series, from its first evidence on).
 *
 * <pre>{@code
 * String fp = Fingerprints.fingerprint("outstanding-growth", "checkout", "leak_buffer");
 * String id = Fingerprints.alertId(processKey, "outstanding-growth", fp, firstSeenUtcNs);
 * }</pre>
 */
public final class Fingerprints {
  private Fingerprints() {}

  /** 16 hex digits from rule, service (or comm) and culprit (frame or class; may be null). */
  public static String fingerprint(String rule, String serviceOrComm, String culprit) {
    return hash(rule + "\u0000" + nz(serviceOrComm) + "\u0000" + nz(culprit));
  }

  /** 16 hex digits from the process key, rule, fingerprint and first-seen time. */
  public static String alertId(String processKey, String rule, String fingerprint,
      long firstSeenUtcNs) {
    return hash(processKey + "\u0000" + rule + "\u0000" + fingerprint + "\u0000"
        + firstSeenUtcNs);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(16);
      for (int i = 0; i < 8; i++) {
        hex.append(Character.forDigit((d[i] >> 4) & 0xf, 16))
            .append(Character.forDigit(d[i] & 0xf, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
