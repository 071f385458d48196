package io.memfleet.sql.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The types a planner query parameter can have, named as ClickHouse names them, and how a value
 * typed by a person ({@code --param from=2026-01-05 00:00:00}) becomes a SQL literal of that type.
 *
 * <p>Every value is parsed into a Java value first and the literal is written from that value,
 * never from the input text: numbers are re-printed from the parsed number, times from the parsed
 * time, and strings are escaped character by character ({@link #stringLiteral}). Input that does
 * not parse is refused with a message naming the parameter.
 *
 * <pre>{@code
 * ParameterType.INT64.literal("min_growth", "1048576", clock)  // toInt64(1048576)
 * ParameterType.DATETIME.literal("from", "now-7d", clock)      // toDateTime(1767571200)
 * ParameterType.STRING.literal("cluster", "x' OR 1=1 --", clock) // 'x\' OR 1=1 --'
 * }</pre>
 */
public enum ParameterType {
  /** Any text; written as a quoted, escaped string literal. */
  STRING("String"),
  /** A signed 64-bit integer; written as {@code toInt64(n)}. */
  INT64("Int64"),
  /**
   * A non-negative 32-bit integer; written as a bare decimal literal so it can stand where
   * ClickHouse wants a plain number (e.g. {@code LIMIT}).
   */
  UINT32("UInt32"),
  /** A finite floating-point number; written as {@code toFloat64(x)}. */
  FLOAT64("Float64"),
  /**
   * A point in time: {@code YYYY-MM-DD hh:mm:ss} (server time zone; memfleet servers run in UTC),
   * epoch seconds, or relative to now: {@code now}, {@code now-7d}, {@code now-6h},
   * {@code now-30m}.
   */
  DATETIME("DateTime"),
  /** A day: {@code YYYY-MM-DD}, {@code today} or {@code today-30d} (UTC). */
  DATE("Date");

  /** Longest accepted string value: planners filter on names, not on documents. */
  public static final int MAX_STRING_LENGTH = 1024;

  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");
  private static final Pattern UNSIGNED = Pattern.compile("[0-9]{1,10}");
  private static final Pattern DECIMAL =
      Pattern.compile("-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]{1,3})?");
  private static final Pattern RELATIVE =
      Pattern.compile("(now|today)(?:([-+])([0-9]{1,6})([smhd]))?");
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter
      .ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter DAY = DateTimeFormatter
      .ofPattern("uuuu-MM-dd", Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);
  /** ClickHouse's DateTime covers 1970-01-01 to 2106-02-07. */
  private static final long MAX_EPOCH_SECONDS = 4_294_967_295L;

  private final String clickHouseName;

  ParameterType(String clickHouseName) {
    this.clickHouseName = clickHouseName;
  }

  /** The name as written in query files and placeholders, e.g. {@code DateTime}. */
  public String clickHouseName() {
    return clickHouseName;
  }

  /** The type called {@code name} in query files ({@code String}, {@code Int64}, …). */
  public static Optional<ParameterType> named(String name) {
    for (ParameterType t : values()) {
      if (t.clickHouseName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * Parses {@code value} as this type and returns a ClickHouse literal of it.
   *
   * @param parameter the parameter's name, for error messages
   * @param clock what {@code now}/{@code today} mean
   * @throws QueryParameterException when the value is not a valid value of this type
   */
  public String literal(String parameter, String value, Clock clock) {
    if (value == null) {
      throw new QueryParameterException(parameter, "has no value");
    }
    return switch (this) {
      case STRING -> stringLiteral(parameter, value);
      case INT64 -> "toInt64(" + parseInt64(parameter, value) + ")";
      case UINT32 -> Long.toString(parseUInt32(parameter, value));
      case FLOAT64 -> "toFloat64(" + parseFloat64(parameter, value) + ")";
      case DATETIME -> dateTimeLiteral(parameter, value, clock);
      case DATE -> "toDate('" + parseDate(parameter, value, clock).format(DAY) + "')";
    };
  }

  /**
   * A ClickHouse string literal holding exactly {@code value}: quote and backslash are escaped
   * with a backslash, line breaks and tabs as {@code \n \r \t}, other control characters as
   * {@code \xHH}; NUL, unpaired surrogates and over-long values are refused.
   */
  static String stringLiteral(String parameter, String value) {
    if (value.length() > MAX_STRING_LENGTH) {
      throw new QueryParameterException(parameter, "is longer than " + MAX_STRING_LENGTH
          + " characters");
    }
    StringBuilder out = new StringBuilder(value.length() + 2).append('\'');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        throw new QueryParameterException(parameter, "contains a NUL character");
      }
      if (Character.isSurrogate(c)) {
        boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
            && Character.isLowSurrogate(value.charAt(i + 1));
        if (!paired) {
          throw new QueryParameterException(parameter, "contains an unpaired surrogate");
        }
        out.append(c).append(value.charAt(++i));
        continue;
      }
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\'' -> out.append("\\'");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format(Locale.ROOT, "\\x%02X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('\'').toString();
  }

  private static long parseInt64(String parameter, String value) {
    if (!INTEGER.matcher(value).matches()) {
      throw new QueryParameterException(parameter, "must be a whole number (Int64), got "
          + quoteForMessage(value));
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new QueryParameterException(parameter, "is out of the Int64 range: " + value);
    }
  }

  private static long parseUInt32(String parameter, String value) {
    if (!UNSIGNED.matcher(value).matches()) {
      throw new QueryParameterException(parameter, "must be a whole number from 0 to 4294967295"
          + " (UInt32), got " + quoteForMessage(value));
    }
    long n = Long.parseLong(value);
    if (n > 4_294_967_295L) {
      throw new QueryParameterException(parameter, "is out of the UInt32 range: " + value);
    }
    return n;
  }

  private static String parseFloat64(String parameter, String value) {
    if (!DECIMAL.matcher(value).matches()) {
      throw new QueryParameterException(parameter, "must be a number (Float64), got "
          + quoteForMessage(value));
    }
    double d = Double.parseDouble(value);
    if (!Double.isFinite(d)) {
      throw new QueryParameterException(parameter, "is out of the Float64 range: " + value);
    }
    return Double.toString(d);
  }

  private static String dateTimeLiteral(String parameter, String value, Clock clock) {
    Matcher relative = RELATIVE.matcher(value);
    if (relative.matches() && relative.group(1).equals("now")) {
      return "toDateTime(" + epochInRange(parameter, applyOffset(clock.instant(), relative)) + ")";
    }
    if (UNSIGNED.matcher(value).matches()) {
      return "toDateTime(" + epochInRange(parameter, Instant.ofEpochSecond(Long.parseLong(value)))
          + ")";
    }
    try {
      LocalDateTime t = LocalDateTime.parse(value, DATE_TIME);
      epochInRange(parameter, t.toInstant(ZoneOffset.UTC));
      return "toDateTime('" + t.format(DATE_TIME) + "')";
    } catch (DateTimeParseException e) {
      throw new QueryParameterException(parameter, "must be a time as 'YYYY-MM-DD hh:mm:ss', epoch"
          + " seconds, or now/now-7d/now-6h/now-30m, got " + quoteForMessage(value));
    }
  }

  private static LocalDate parseDate(String parameter, String value, Clock clock) {
    Matcher relative = RELATIVE.matcher(value);
    if (relative.matches() && relative.group(1).equals("today")) {
      String unit = relative.group(4);
      if (unit != null && !unit.equals("d")) {
        throw new QueryParameterException(parameter, "moves a Date in days only (today-30d), got "
            + quoteForMessage(value));
      }
      return LocalDate.ofInstant(applyOffset(clock.instant(), relative), ZoneOffset.UTC);
    }
    try {
      LocalDate day = LocalDate.parse(value, DAY);
      if (day.getYear() < 1970 || day.getYear() > 2148) {
        throw new QueryParameterException(parameter, "is outside ClickHouse's Date range: "
            + value);
      }
      return day;
    } catch (DateTimeParseException e) {
      throw new QueryParameterException(parameter, "must be a day as YYYY-MM-DD, today or"
          + " today-30d, got " + quoteForMessage(value));
    }
  }

  private static Instant applyOffset(Instant now, Matcher relative) {
    if (relative.group(2) == null) {
      return now;
    }
    long amount = Long.parseLong(relative.group(3));
    Duration d = switch (relative.group(4)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
    return relative.group(2).equals("-") ? now.minus(d) : now.plus(d);
  }

  private static long epochInRange(String parameter, Instant t) {
    long s = t.getEpochSecond();
    if (s < 0 || s > MAX_EPOCH_SECONDS) {
      throw new QueryParameterException(parameter, "is outside ClickHouse's DateTime range"
          + " (1970-01-01 to 2106-02-07)");
    }
    return s;
  }

  /** Shows a rejected value in a message without letting control characters through. */
  static String quoteForMessage(String value) {
    String shown = value.length() > 60 ? value.substring(0, 60) + "…" : value;
    StringBuilder out = new StringBuilder("\"");
    shown.codePoints().forEach(cp -> {
      if (cp < 0x20 || cp == 0x7f) {
        out.append(String.format(Locale.ROOT, "\\x%02X", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    return out.append('"').toString();
  }
}
