package io.memfleet.sql.chdb.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON of the chDB bridge's line protocol (see {@code chdb-session.js}): writes a request line
 * and reads a response line — a flat object whose values are strings, numbers, booleans or null.
 * That is all the protocol needs, so the sql module carries no JSON library for it.
 *
 * <pre>{@code
 * String line = JsonLine.request(7, "SELECT 1", "TabSeparated");
 * Map<String, Object> r = JsonLine.parseObject("{\"id\":7,\"ok\":true,\"data\":\"1\\n\"}");
 * }</pre>
 */
public final class JsonLine {
  private final String text;
  private int pos;

  private JsonLine(String text) {
    this.text = text;
  }

  /** One request line (without the line break). Non-ASCII is escaped, so the line is pure ASCII. */
  public static String request(long id, String sql, String format) {
    StringBuilder out = new StringBuilder(sql.length() + 48);
    out.append("{\"id\":").append(id).append(",\"sql\":");
    quote(sql, out);
    out.append(",\"format\":");
    quote(format, out);
    return out.append('}').toString();
  }

  static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /**
   * Parses one flat JSON object: string keys; string, number (as Double), boolean or null values.
   *
   * @throws IllegalArgumentException when the line is not such an object
   */
  public static Map<String, Object> parseObject(String line) {
    JsonLine p = new JsonLine(line);
    Map<String, Object> out = new LinkedHashMap<>();
    p.skipSpace();
    p.expect('{');
    p.skipSpace();
    if (p.peek() == '}') {
      p.pos++;
    } else {
      while (true) {
        p.skipSpace();
        String key = p.string();
        p.skipSpace();
        p.expect(':');
        p.skipSpace();
        out.put(key, p.value());
        p.skipSpace();
        char c = p.next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw p.error("expected , or }");
        }
      }
    }
    p.skipSpace();
    if (p.pos != line.length()) {
      throw p.error("text after the object");
    }
    return out;
  }

  private Object value() {
    char c = peek();
    if (c == '"') {
      return string();
    }
    if (text.startsWith("true", pos)) {
      pos += 4;
      return Boolean.TRUE;
    }
    if (text.startsWith("false", pos)) {
      pos += 5;
      return Boolean.FALSE;
    }
    if (text.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    int start = pos;
    while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a string, number, boolean or null");
    }
    try {
      return Double.parseDouble(text.substring(start, pos));
    } catch (NumberFormatException e) {
      throw error("bad number");
    }
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          if (pos + 4 > text.length()) {
            throw error("short \\u escape");
          }
          try {
            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          pos += 4;
        }
        default -> throw error("bad escape \\" + e);
      }
    }
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private char peek() {
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    return text.charAt(pos);
  }

  private char next() {
    char c = peek();
    pos++;
    return c;
  }

  private void expect(char c) {
    if (next() != c) {
      pos--;
      throw error("expected " + c);
    }
  }

  private IllegalArgumentException error(String what) {
    String shown = text.length() <= 120 ? text : text.substring(0, 117) + "...";
    return new IllegalArgumentException(what + " at " + pos + " in: " + shown);
  }
}
