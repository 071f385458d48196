package io.memfleet.pipeline.clickhouse;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;

/**
 * Builds one JSONEachRow object for a {@link RowEncoder}, escaping strings per JSON.
 *
 * <pre>{@code
 * String row = JsonRow.create().put("service", "checkout").put("rss_max", 1L << 30)
 *     .putDateTime("window_start", startMillis).toString();
 * }</pre>
 */
public final class JsonRow {
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private final StringBuilder json = new StringBuilder(256).append('{');

  private JsonRow() {}

  public static JsonRow create() {
    return new JsonRow();
  }

  private JsonRow key(String name) {
    if (json.length() > 1) {
      json.append(',');
    }
    appendString(name);
    json.append(':');
    return this;
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

  /** A DateTime column from epoch milliseconds, UTC. */
  public JsonRow putDateTime(String name, long epochMillis) {
    return put(name, DATE_TIME.format(Instant.ofEpochMilli(epochMillis)));
  }

  /** A Date column from epoch milliseconds, UTC. */
  public JsonRow putDate(String name, long epochMillis) {
    return put(name, DATE_TIME.format(Instant.ofEpochMilli(epochMillis)).substring(0, 10));
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
  static void appendEscaped(StringBuilder out, CharSequence s, boolean twice) {
    int run = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, run, i);
      run = i + 1;
      String escape = switch (c) {
        case '"' -> "\\\"";
        case '\\' -> "\\\\";
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        case '\t' -> "\\t";
        default -> String.format("\\u%04x", (int) c);
      };
      if (twice) {
        appendEscaped(out, escape, false);
      } else {
        out.append(escape);
      }
    }
    out.append(s, run, n);
  }

  @Override
  public String toString() {
    return json + "}";
  }
}
