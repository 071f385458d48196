package io.memfleet.pipeline.clickhouse;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Arrays;
import org.apache.avro.Schema;

/**
 * One JSONEachRow object written as ASCII bytes into a buffer its thread keeps: the text
 * {@link JsonRow} builds for the same columns, character for character, for a row written once
 * per event ({@code events_raw}, see {@link RawEventRow}). Where {@link JsonRow} takes a
 * {@code StringBuilder} of a few kilobytes per row, a {@code String} of the payload's JSON text
 * and a copy of both into the row's {@code String}, this writes every column, the payload's text
 * included ({@link AvroBinaryJsonText}), into one reused array and copies it once, into the row.
 *
 * <p>It declines what is not ASCII — a {@code put} returns false, and the caller writes the row
 * with {@link JsonRow} instead — and a date outside the years 1-9999, which {@link JsonRow}
 * writes with a formatter. Not thread-safe: one per thread ({@link #start()}), one row at a time.
 *
 * <pre>{@code
 * static final byte[] SERVICE = AsciiJsonRow.key("service");
 * AsciiJsonRow row = AsciiJsonRow.start();
 * if (row.put(SERVICE, e.service) && row.putDate(EVENT_DATE, ms)) {
 *   return row.finish();
 * }
 * return JsonRow.create().put("service", e.service)...toString(); // beyond ASCII
 * }</pre>
 */
final class AsciiJsonRow {
  /** A buffer grown beyond this for one row is not kept for the next. */
  private static final int MAX_KEPT_BYTES = 1 << 20;
  private static final int INITIAL_BYTES = 8192;
  private static final ThreadLocal<AsciiJsonRow> SCRATCH =
      ThreadLocal.withInitial(AsciiJsonRow::new);
  private static final byte[] ZERO = {'0'};

  /** The row so far; package-private for {@link AvroBinaryJsonText}, which writes into it. */
  byte[] bytes = new byte[INITIAL_BYTES];
  int length;
  /** The epoch day last written by {@link #putDate} and its text {@code yyyy-MM-dd}. */
  private long day = Long.MIN_VALUE;
  private final byte[] dayText = new byte[10];

  private AsciiJsonRow() {}

  /** This thread's row, emptied and opened. */
  static AsciiJsonRow start() {
    AsciiJsonRow row = SCRATCH.get();
    row.length = 0;
    row.put((byte) '{');
    return row;
  }

  /**
   * A column name as {@link JsonRow} writes it before the value: quoted, escaped, then
   * {@code :}. Made once per column, as a constant.
   *
   * @throws IllegalArgumentException for a name beyond ASCII
   */
  static byte[] key(String name) {
    StringBuilder b = new StringBuilder().append('"');
    JsonRow.appendEscaped(b, name, false);
    String quoted = b.append("\":").toString();
    for (int i = 0; i < quoted.length(); i++) {
      if (quoted.charAt(i) >= 0x80) {
        throw new IllegalArgumentException("a column name beyond ASCII: " + name);
      }
    }
    return quoted.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A string column, null as the empty string; false (row unusable) when beyond ASCII. */
  boolean put(byte[] key, String value) {
    key(key);
    if (value == null) {
      put(QUOTES, 0, 2);
      return true;
    }
    int n = value.length();
    ensure(n + 2);
    bytes[length++] = '"';
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        bytes[length++] = (byte) c;
        continue;
      }
      if (c >= 0x80) {
        return false;
      }
      String escape = JsonRow.escape(c); // as JsonRow writes it
      ensure(escape.length() + n - i);
      for (int j = 0; j < escape.length(); j++) {
        bytes[length++] = (byte) escape.charAt(j);
      }
    }
    bytes[length++] = '"';
    return true;
  }

  private static final byte[] QUOTES = {'"', '"'};

  /** A number column, as {@code StringBuilder.append(long)} writes it. */
  void put(byte[] key, long value) {
    key(key);
    putLong(value);
  }

  /** A Float64 column; NaN and infinities (not JSON) as 0, as {@link JsonRow} writes them. */
  void put(byte[] key, double value) {
    key(key);
    if (!Double.isFinite(value)) {
      put(ZERO, 0, 1);
      return;
    }
    String text = Double.toString(value);
    ensure(text.length());
    for (int i = 0; i < text.length(); i++) {
      bytes[length++] = (byte) text.charAt(i);
    }
  }

  /**
   * A Date column from epoch milliseconds, UTC ({@code "yyyy-MM-dd"}); false (row unusable) for
   * a year outside 1-9999, which {@link JsonRow} writes otherwise.
   */
  boolean putDate(byte[] key, long epochMillis) {
    long epochDay = Math.floorDiv(epochMillis, 86_400_000L);
    if (epochDay != day) {
      LocalDate d = LocalDate.ofEpochDay(epochDay);
      int year = d.getYear();
      if (year < 1 || year > 9999) {
        return false;
      }
      fourDigits(year, dayText, 0);
      dayText[4] = '-';
      twoDigits(d.getMonthValue(), dayText, 5);
      dayText[7] = '-';
      twoDigits(d.getDayOfMonth(), dayText, 8);
      day = epochDay;
    }
    key(key);
    ensure(12);
    bytes[length++] = '"';
    System.arraycopy(dayText, 0, bytes, length, 10);
    length += 10;
    bytes[length++] = '"';
    return true;
  }

  /**
   * A String column holding a record's JSON text, written from its Avro binary as
   * {@link JsonRow#putAvro(String, org.apache.avro.generic.GenericContainer, byte[], int)} writes
   * it; false (row unusable) where {@link AvroBinaryJsonText} declines the bytes.
   */
  boolean putAvro(byte[] key, byte[] binary, int offset, Schema schema) {
    key(key);
    put((byte) '"');
    if (!AvroBinaryJsonText.appendEscaped(this, binary, offset, schema)) {
      return false;
    }
    put((byte) '"');
    return true;
  }

  /** Closes the row and returns it; the buffer is kept for the thread's next row. */
  String finish() {
    put((byte) '}');
    String row = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    if (bytes.length > MAX_KEPT_BYTES) {
      bytes = new byte[INITIAL_BYTES];
    }
    length = 0;
    return row;
  }

  private void key(byte[] key) {
    if (length > 1) {
      put((byte) ',');
    }
    put(key, 0, key.length);
  }

  private void putLong(long v) {
    ensure(MAX_LONG_DIGITS);
    length = putLong(bytes, length, v);
  }

  /** The most bytes {@link #putLong(byte[], int, long)} writes: {@code -9223372036854775808}. */
  static final int MAX_LONG_DIGITS = 20;

  /** Two decimal digits of each number 0-99, as ASCII. */
  private static final byte[] DIGIT_PAIRS = new byte[200];

  static {
    for (int i = 0; i < 100; i++) {
      DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
      DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
    }
  }

  /**
   * Writes {@code v} in decimal, as {@link Long#toString(long)} does, into {@code to} from
   * {@code at} (which has room for {@link #MAX_LONG_DIGITS} bytes); returns the end. The digits
   * are written two at a time from the right, after counting them by comparisons: half the
   * divisions of one digit at a time, none to count (a row holds dozens of numbers).
   */
  static int putLong(byte[] to, int at, long v) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        byte[] min = MIN_LONG;
        System.arraycopy(min, 0, to, at, min.length);
        return at + min.length;
      }
      to[at++] = '-';
      v = -v;
    }
    int end = at + digits(v);
    int i = end;
    while (v >= 100) {
      long q = v / 100;
      int pair = (int) (v - q * 100) * 2;
      to[--i] = DIGIT_PAIRS[pair + 1];
      to[--i] = DIGIT_PAIRS[pair];
      v = q;
    }
    if (v >= 10) {
      int pair = (int) v * 2;
      to[--i] = DIGIT_PAIRS[pair + 1];
      to[--i] = DIGIT_PAIRS[pair];
    } else {
      to[--i] = (byte) ('0' + v);
    }
    return end;
  }

  private static final byte[] MIN_LONG =
      Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.ISO_8859_1);

  /** Decimal digits of {@code v >= 0}. */
  private static int digits(long v) {
    long bound = 10;
    for (int d = 1; d < 19; d++) {
      if (v < bound) {
        return d;
      }
      bound *= 10;
    }
    return 19;
  }

  private void put(byte b) {
    ensure(1);
    bytes[length++] = b;
  }

  private void put(byte[] b, int from, int n) {
    ensure(n);
    System.arraycopy(b, from, bytes, length, n);
    length += n;
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }

  private static void twoDigits(int value, byte[] to, int at) {
    to[at] = (byte) ('0' + value / 10);
    to[at + 1] = (byte) ('0' + value % 10);
  }

  private static void fourDigits(int value, byte[] to, int at) {
    twoDigits(value / 100, to, at);
    twoDigits(value % 100, to, at + 2);
  }
}
