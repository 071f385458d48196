package io.memfleet.scenarios;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The designed growth rate of a scenario ({@code leak-rate}): bytes per second for memory leaks,
 * threads or goroutines per second for leaks of those, zero for negatives.
 *
 * <pre>{@code
 * LeakRate.parse("1MiB/s").bytesPerSecond()      // 1048576.0
 * LeakRate.parse("50goroutines/s").perSecond()   // 50.0, unit GOROUTINES
 * }</pre>
 *
 * @param perSecond how many units per second, never negative
 * @param unit what grows
 */
public record LeakRate(double perSecond, Unit unit) {
  private static final Pattern RATE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KiB|MiB|GiB|threads|goroutines)/s");

  /** What a rate counts. */
  public enum Unit {
    BYTES, THREADS, GOROUTINES
  }

  public static final LeakRate ZERO = new LeakRate(0, Unit.BYTES);

  public LeakRate {
    if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("rate must be finite and not negative: " + perSecond);
    }
  }

  /**
   * Parses {@code 0}, {@code 64KiB/s}, {@code 1MiB/s}, {@code 1.5MiB/s}, {@code 5threads/s} or
   * {@code 50goroutines/s}.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static LeakRate parse(String text) {
    String t = text.strip();
    if (t.equals("0")) {
      return ZERO;
    }
    Matcher m = RATE.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("expected 0 or a rate like 1MiB/s, 64KiB/s, 5threads/s,"
          + " 50goroutines/s; got '" + text + "'");
    }
    double n = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "B" -> new LeakRate(n, Unit.BYTES);
      case "KiB" -> new LeakRate(n * 1024, Unit.BYTES);
      case "MiB" -> new LeakRate(n * 1024 * 1024, Unit.BYTES);
      case "GiB" -> new LeakRate(n * 1024 * 1024 * 1024, Unit.BYTES);
      case "threads" -> new LeakRate(n, Unit.THREADS);
      default -> new LeakRate(n, Unit.GOROUTINES);
    };
  }

  public boolean isZero() {
    return perSecond == 0;
  }

  /** Bytes per second, or NaN when the rate counts threads or goroutines. */
  public double bytesPerSecond() {
    return unit == Unit.BYTES ? perSecond : Double.NaN;
  }

  /** The rate as a label writes it, e.g. {@code 1MiB/s}, {@code 64KiB/s}, {@code 0}. */
  @Override
  public String toString() {
    if (isZero()) {
      return "0";
    }
    return switch (unit) {
      case THREADS -> number(perSecond) + "threads/s";
      case GOROUTINES -> number(perSecond) + "goroutines/s";
      case BYTES -> perSecond >= 1024 * 1024 ? number(perSecond / (1024 * 1024)) + "MiB/s"
          : perSecond >= 1024 ? number(perSecond / 1024) + "KiB/s" : number(perSecond) + "B/s";
    };
  }

  private static String number(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v)
        .replaceAll("0+$", "");
  }
}
