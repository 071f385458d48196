package io.memfleet.collector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a process says about itself in its environment: {@code MEMFLEET_LABELS=k=v,k2=v2} and
 * {@code MEMFLEET_SERVICE=name}, read from {@code /proc/PID/environ} (NUL-separated
 * {@code NAME=value} entries, as the process was exec'd). Only these two variables are looked at;
 * nothing else of the environment is kept.
 *
 * <pre>{@code
 * DeclaredLabels d = DeclaredLabels.read(Path.of("/proc/4242/environ"));
 * d.labels();      // {team=payments, tier=gold}
 * d.service();     // "checkout-api", or null
 * d.malformed();   // label entries without '=' or with an empty key, skipped
 * }</pre>
 *
 * <p>Unlike {@link ProcessIdentities#parseLabels}, a bad entry does not reject the rest: a
 * workload's typo must not cost it all its labels, so it is skipped and counted. When a
 * variable occurs twice, the first occurrence wins, as for {@code getenv(3)}.
 *
 * @param labels declared labels, in declaration order
 * @param service declared service name, null when not declared or blank
 * @param malformed label entries skipped
 */
public record DeclaredLabels(Map<String, String> labels, String service, int malformed) {
  /** Nothing declared. */
  public static final DeclaredLabels NONE = new DeclaredLabels(Map.of(), null, 0);

  private static final String LABELS = "MEMFLEET_LABELS=";
  private static final String SERVICE = "MEMFLEET_SERVICE=";

  public DeclaredLabels {
    labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /**
   * Reads and parses an environ file.
   *
   * @throws IOException when it cannot be read (another user's process without root or
   *     CAP_SYS_PTRACE, or the process is gone)
   */
  public static DeclaredLabels read(Path environFile) throws IOException {
    return parse(Files.readAllBytes(environFile));
  }

  /** Parses the raw bytes of an environ file. */
  public static DeclaredLabels parse(byte[] environ) {
    String labelsText = null;
    String service = null;
    // decoded leniently: invalid UTF-8 in unrelated variables becomes U+FFFD, harmlessly
    for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
      if (labelsText == null && entry.startsWith(LABELS)) {
        labelsText = entry.substring(LABELS.length());
      } else if (service == null && entry.startsWith(SERVICE)) {
        service = entry.substring(SERVICE.length());
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    int malformed = 0;
    if (labelsText != null) {
      for (String part : labelsText.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        int eq = part.indexOf('=');
        if (eq <= 0 || part.substring(0, eq).isBlank()) {
          malformed++;
          continue;
        }
        labels.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
      }
    }
    String s = service == null || service.isBlank() ? null : service.strip();
    return new DeclaredLabels(labels, s, malformed);
  }
}
