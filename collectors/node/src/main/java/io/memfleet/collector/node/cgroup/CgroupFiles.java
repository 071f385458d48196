package io.memfleet.collector.node.cgroup;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Parsers for the two layouts memory cgroup files use, in v1 and v2 alike: a single value
 * ({@code memory.current}, {@code memory.limit_in_bytes}) and flat keyed {@code key value}
 * lines ({@code memory.stat}, {@code memory.events}, {@code memory.oom_control}).
 */
public final class CgroupFiles {
  /**
   * v1 reports "no limit" as the largest page-aligned page counter value (0x7FFFFFFFFFFFF000 on
   * 64-bit kernels); anything this large is no real limit.
   */
  static final long UNLIMITED_THRESHOLD = 1L << 62;

  private CgroupFiles() {}

  /**
   * A single number; empty for {@code max}, and for values so large they mean no limit.
   *
   * @throws NumberFormatException when the text is neither {@code max} nor a number
   */
  public static OptionalLong parseLimit(String text) {
    String value = text.trim();
    if (value.equals("max")) {
      return OptionalLong.empty();
    }
    long n = Long.parseLong(value);
    return n >= UNLIMITED_THRESHOLD ? OptionalLong.empty() : OptionalLong.of(n);
  }

  /**
   * A single number of bytes (usage).
   *
   * @throws NumberFormatException when the text is not a number
   */
  public static long parseBytes(String text) {
    return Long.parseLong(text.trim());
  }

  /**
   * Flat keyed lines. Lines that are not {@code key number} are counted under the key
   * {@link #MALFORMED_KEY} instead of failing, so one odd line never hides the rest.
   */
  public static Map<String, Long> parseFlatKeyed(String text) {
    Map<String, Long> values = new LinkedHashMap<>();
    long malformed = 0;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      // "key value": split by hand, the files are read for every cgroup at every scan
      String t = line.strip();
      int gap = 0;
      while (gap < t.length() && !Character.isWhitespace(t.charAt(gap))) {
        gap++;
      }
      int value = gap;
      while (value < t.length() && Character.isWhitespace(t.charAt(value))) {
        value++;
      }
      int end = value;
      while (end < t.length() && !Character.isWhitespace(t.charAt(end))) {
        end++;
      }
      if (gap == 0 || value == gap || value == t.length() || end != t.length()) {
        malformed++;
        continue;
      }
      // checked by hand: an exception per odd line would cost a stack trace each
      if (!isLong(t, value)) {
        malformed++;
        continue;
      }
      values.put(t.substring(0, gap), Long.parseLong(t.substring(value)));
    }
    if (malformed > 0) {
      values.put(MALFORMED_KEY, malformed);
    }
    return values;
  }

  /** Whether {@code t} from {@code from} to its end is a decimal long, sign allowed. */
  private static boolean isLong(String t, int from) {
    int i = from;
    boolean negative = i < t.length() && (t.charAt(i) == '-' || t.charAt(i) == '+');
    if (negative) {
      negative = t.charAt(i) == '-';
      i++;
    }
    if (i == t.length()) {
      return false;
    }
    long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
    long n = 0; // accumulated negatively, as Long.parseLong does, to reach Long.MIN_VALUE
    for (; i < t.length(); i++) {
      int digit = t.charAt(i) - '0';
      if (digit < 0 || digit > 9 || n < (limit + digit) / 10) {
        return false;
      }
      n = n * 10 - digit;
    }
    return true;
  }

  /** Key under which {@link #parseFlatKeyed} reports the number of lines it could not read. */
  public static final String MALFORMED_KEY = "memfleet.malformed_lines";
}
