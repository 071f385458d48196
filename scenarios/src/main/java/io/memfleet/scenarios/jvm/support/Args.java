package io.memfleet.scenarios.jvm.support;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --name value} (or {@code --name=value}) options of a scenario program, each read with
 * its default. Sizes are {@code 512}, {@code 64KiB}, {@code 1MiB}, {@code 1.5MiB}; rates are
 * sizes with an optional {@code /s}; durations are {@code 500ms}, {@code 45s}, {@code 2m}, or
 * {@code 0}. After reading every option, {@link #check()} rejects options the program does not
 * know, so a typo in a label's {@code args} fails at start instead of silently running the
 * default.
 *
 * <pre>{@code
 * Args args = new Args("session-service", argv);
 * double leak = args.bytesPerSecond("leak-rate", "1MiB");
 * args.check();
 * }</pre>
 *
 * <p>A malformed or unknown option prints the problem to stderr and exits with status 2.
 */
public final class Args {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KiB|MiB|GiB)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private final String program;
  private final Map<String, String> given = new LinkedHashMap<>();
  private final Set<String> known = new LinkedHashSet<>();

  public Args(String program, String[] argv) {
    this.program = program;
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--") || a.length() < 3) {
        fail("expected --name value, got '" + a + "'");
      }
      int eq = a.indexOf('=');
      if (eq > 0) {
        given.put(a.substring(2, eq), a.substring(eq + 1));
      } else if (i + 1 < argv.length) {
        given.put(a.substring(2), argv[++i]);
      } else {
        fail("option " + a + " has no value");
      }
    }
  }

  /** A size in bytes, e.g. {@code 8KiB}. */
  public long bytes(String name, String fallback) {
    return (long) size(name, value(name, fallback), false);
  }

  /** A rate in bytes per second, e.g. {@code 1MiB} or {@code 1MiB/s}. */
  public double bytesPerSecond(String name, String fallback) {
    return size(name, value(name, fallback), true);
  }

  /** A plain number, e.g. a count per second. */
  public double number(String name, double fallback) {
    String v = value(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      fail("--" + name + ": expected a number, got '" + v + "'");
      return fallback;
    }
  }

  /** A duration, e.g. {@code 45s}; {@code 0} needs no unit. */
  public Duration duration(String name, String fallback) {
    String v = value(name, fallback);
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) {
      fail("--" + name + ": expected a duration like 500ms, 45s or 2m, got '" + v + "'");
    }
    double n = Double.parseDouble(m.group(1));
    double millis = switch (m.group(2)) {
      case "ms" -> n;
      case "s" -> n * 1e3;
      case "m" -> n * 60e3;
      default -> n * 3600e3;
    };
    return Duration.ofMillis((long) millis);
  }

  /** Exits with status 2 when an option was given that nothing read. */
  public void check() {
    for (String name : given.keySet()) {
      if (!known.contains(name)) {
        fail("unknown option --" + name + " (options: --" + String.join(", --", known) + ")");
      }
    }
  }

  private String value(String name, String fallback) {
    known.add(name);
    return given.getOrDefault(name, fallback);
  }

  private double size(String name, String v, boolean rate) {
    String text = rate && v.endsWith("/s") ? v.substring(0, v.length() - 2) : v;
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      fail("--" + name + ": expected a size like 512, 64KiB or 1MiB" + (rate ? " (per second)"
          : "") + ", got '" + v + "'");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    return switch (unit) {
      case "kib" -> n * 1024;
      case "mib" -> n * 1024 * 1024;
      case "gib" -> n * 1024 * 1024 * 1024;
      default -> n;
    };
  }

  private void fail(String problem) {
    System.err.println(program + ": " + problem);
    System.exit(2);
  }
}
