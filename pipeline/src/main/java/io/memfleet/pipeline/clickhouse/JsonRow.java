package io.memfleet.pipeline.clickhouse;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds one JSONEachRow object for a {@link RowEncoder}, escaping strings per JSON.
 *
 * <pre>{@code
 * String row = JsonRow.create().put("service", "checkout").put("rss_max", 1L << 30)
 *     .putDateTime("window_start", startMillis).toString();
 * }</pre>
 */
public final class JsonRow {
  /** Years outside 1-9999 only (a broken clock): written as before, not taken apart by hand. */
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final int MAX_KEYS = 4096;
  /** Column names, quoted and followed by {@code :}: a table has a handful, written per row. */
  private static final ConcurrentHashMap<String, String> KEYS = new ConcurrentHashMap<>();
  private static final Key[] RECENT = new Key[256];

  private final StringBuilder json;

  private JsonRow(int capacity) {
    json = new StringBuilder(capacity).append('{');
  }

  public static JsonRow create() {
    return new JsonRow(256);
  }

  /** A row expected to hold about {@code capacity} characters (one copy fewer when it does). */
  public static JsonRow create(int capacity) {
    return new JsonRow(capacity);
  }

  private JsonRow key(String name) {
    if (json.length() > 1) {
      json.append(',');
    }
    json.append(quoted(name));
    return this;
  }

  /**
   * {@code name} quoted and followed by {@code :}. Column names are literals, one instance each:
   * a slot found by the instance's identity answers without hashing the string, the map when
   * two names share a slot.
   */
  private static String quoted(String name) {
    int slot = System.identityHashCode(name) & (RECENT.length - 1);
    Key recent = RECENT[slot];
    if (recent != null && recent.name == name) {
      return recent.quoted;
    }
    String key = KEYS.get(name);
    if (key == null) {
      key = quotedKey(name);
      if (KEYS.size() < MAX_KEYS) {
        KEYS.put(name, key);
      }
    }
    RECENT[slot] = new Key(name, key); // a racing thread may replace it: both are right
    return key;
  }

  private record Key(String name, String quoted) {}

  private static String quotedKey(String name) {
    StringBuilder b = new StringBuilder().append('"');
    appendEscaped(b, name, false);
    return b.append("\":").toString();
  }

  /** A string column; null is written as the empty string (memfleet's tables are not Nullable). */
  public JsonRow put(String name, String value) {
    key(name).appendString(value == null ? "" : value);
    return this;
  }

  public JsonRow put(String name, long value) {
    key(name).json.append(value);
    return this;
  }

  /** A Float64 column; NaN and infinities (not JSON) are written as 0. */
  public JsonRow put(String name, double value) {
    key(name).json.append(Double.isFinite(value) ? Double.toString(value) : "0");
    return this;
  }

  /** A DateTime column from epoch milliseconds, UTC: {@code "yyyy-MM-dd HH:mm:ss"}. */
  public JsonRow putDateTime(String name, long epochMillis) {
    long seconds = Math.floorDiv(epochMillis, 1000L);
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    if (!fourDigitYear(day)) {
      return put(name, DATE_TIME.format(Instant.ofEpochMilli(epochMillis)));
    }
    key(name).json.append('"');
    appendDate(day);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    json.append(' ');
    twoDigits(secondOfDay / 3600).append(':');
    twoDigits(secondOfDay / 60 % 60).append(':');
    twoDigits(secondOfDay % 60).append('"');
    return this;
  }

  /** A Date column from epoch milliseconds, UTC: {@code "yyyy-MM-dd"}. */
  public JsonRow putDate(String name, long epochMillis) {
    LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(epochMillis, 86_400_000L));
    if (!fourDigitYear(day)) {
      return put(name, DATE_TIME.format(Instant.ofEpochMilli(epochMillis)).substring(0, 10));
    }
    key(name).json.append('"');
    appendDate(day);
    json.append('"');
    return this;
  }

  private static boolean fourDigitYear(LocalDate d) {
    return d.getYear() >= 1 && d.getYear() <= 9999;
  }

  /** yyyy-MM-dd of a day of years 1-9999. */
  private void appendDate(LocalDate d) {
    int year = d.getYear();
    twoDigits(year / 100);
    twoDigits(year % 100).append('-');
    twoDigits(d.getMonthValue()).append('-');
    twoDigits(d.getDayOfMonth());
  }

  private StringBuilder twoDigits(int value) {
    return json.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
  }

  /**
   * A String column holding an Avro record as JSON text ({@link AvroJsonText}); null is written
   * as the empty string.
   */
  public JsonRow putAvro(String name, org.apache.avro.generic.GenericContainer record) {
    key(name).json.append('"');
    if (record != null) {
      AvroJsonText.appendEscaped(json, record, record.getSchema());
    }
    json.append('"');
    return this;
  }

  /**
   * As {@link #putAvro(String, org.apache.avro.generic.GenericContainer)}, written from
   * {@code binary}, the record's Avro binary from {@code offset} on, when it holds a record of
   * the record's own schema (see {@link AvroBinaryJsonText}); else from the record.
   */
  public JsonRow putAvro(String name, org.apache.avro.generic.GenericContainer record,
      byte[] binary, int offset) {
    if (record == null || binary == null) {
      return putAvro(name, record);
    }
    key(name).json.append('"');
    if (!AvroBinaryJsonText.appendEscaped(json, binary, offset, record.getSchema())) {
      AvroJsonText.appendEscaped(json, record, record.getSchema());
    }
    json.append('"');
    return this;
  }

  /** An Array(String) column. */
  public JsonRow put(String name, Collection<String> values) {
    key(name).json.append('[');
    boolean first = true;
    for (String v : values) {
      if (!first) {
        json.append(',');
      }
      first = false;
      appendString(v == null ? "" : v);
    }
    json.append(']');
    return this;
  }

  /** Appends {@code s} quoted. */
  private void appendString(String s) {
    json.append('"');
    appendEscaped(json, s, false);
    json.append('"');
  }

  /**
   * Appends the characters of {@code s} escaped as JSON defines it inside a string, or with
   * {@code twice} escaped once more (for JSON text inside a JSON string: {@code "} →
   * {@code \\\"}); runs of characters that need no escape are copied in one go.
   */
  static void appendEscaped(StringBuilder out, String s, boolean twice) {
    int n = s.length();
    int first = 0;
    while (first < n && plain(s.charAt(first))) {
      first++;
    }
    if (first == n) {
      out.append(s); // the common case: nothing to escape, one array copy
      return;
    }
    int run = 0;
    for (int i = first; i < n; i++) {
      char c = s.charAt(i);
      if (plain(c)) {
        continue;
      }
      out.append(s, run, i);
      run = i + 1;
      String escape = escape(c);
      if (twice) {
        appendEscaped(out, escape, false);
      } else {
        out.append(escape);
      }
    }
    out.append(s, run, n);
  }

  private static boolean plain(char c) {
    return c >= 0x20 && c != '"' && c != '\\';
  }

  @Override
  public String toString() {
    int length = json.length();
    String row = json.append('}').toString();
    json.setLength(length);
    return row;
  }

  /** The JSON escape of {@code c}, a character that may not stand in a string as it is. */
  static String escape(char c) {
    return switch (c) {
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default -> String.format("\\u%04x", (int) c);
    };
  }
}
