package io.memfleet.collector;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/**
 * Reads durations as people write them: {@code 500ms}, {@code 1s}, {@code 2m}, {@code 1h}, or
 * ISO-8601 ({@code PT1S}). The one duration syntax of every collector's options.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** @throws IllegalArgumentException for anything else */
  public static Duration parse(String value) {
    String v = value.strip().toLowerCase();
    try {
      if (v.startsWith("pt")) {
        return Duration.parse(v.toUpperCase());
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      switch (v.charAt(v.length() - 1)) {
        case 's':
          return Duration.ofSeconds(n);
        case 'm':
          return Duration.ofMinutes(n);
        case 'h':
          return Duration.ofHours(n);
        default:
          break;
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("not a duration (e.g. 500ms, 1s, 2m): '" + value + "'");
  }
}
