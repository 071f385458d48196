package io.memfleet.launcher;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Parses {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h} (and ISO-8601 {@code PT2S}). */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT);
    if (v.startsWith("pt")) {
      return Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
    }
    var m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|min|h)?").matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: " + value + " (e.g. 500ms, 2s, 5m, 1h)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m", "min" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }
}
