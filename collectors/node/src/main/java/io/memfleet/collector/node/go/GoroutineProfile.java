package io.memfleet.collector.node.go;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The goroutine count from {@code /debug/pprof/goroutine?debug=1}, whose first line is
 * {@code goroutine profile: total N}.
 *
 * <pre>{@code
 * OptionalLong goroutines = GoroutineProfile.total(httpBody);
 * }</pre>
 */
public final class GoroutineProfile {
  // at most 18 digits: a count that fits a long (no process has 10^18 goroutines)
  private static final Pattern TOTAL =
      Pattern.compile("^goroutine profile: total (\\d{1,18})\\s*$");

  private GoroutineProfile() {}

  /** The total, empty when the first line is not the profile header (with a sane count). */
  public static OptionalLong total(String body) {
    int newline = body.indexOf('\n');
    Matcher m = TOTAL.matcher(newline < 0 ? body : body.substring(0, newline));
    return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }
}
