package io.memfleet.collector.node.procfs;

import java.nio.charset.StandardCharsets;

/**
 * The {@code Key:   value [kB]} layout shared by {@code status} and {@code smaps_rollup}, read
 * straight from the bytes the kernel wrote.
 *
 * <p>The node collector parses these files for every process every interval, so the parser
 * neither builds strings nor maps: {@link #next()} steps from line to line and the caller asks
 * whether the current key is one it wants ({@link #keyIs}). Values carrying a {@code kB} unit are
 * converted to bytes. Lines that do not fit the layout are counted, never thrown: a new kernel
 * adding a field must not stop collection.
 *
 * <pre>{@code
 * KbFields f = new KbFields(bytes, length);
 * while (f.next()) {
 *   if (f.keyIs(VM_RSS)) rss = f.bytes();
 * }
 * }</pre>
 */
final class KbFields {
  private static final byte[] ROLLUP_HEADER = "[rollup]".getBytes(StandardCharsets.US_ASCII);

  private final byte[] b;
  private final int end;
  private int lineEnd = -1;
  private int keyStart;
  private int keyEnd;
  private int valueStart;
  int malformedLines;

  KbFields(byte[] bytes, int length) {
    this.b = bytes;
    this.end = length;
  }

  static byte[] key(String name) {
    return name.getBytes(StandardCharsets.US_ASCII);
  }

  /** Moves to the next {@code Key: value} line; false at the end of the text. */
  boolean next() {
    while (lineEnd < end) {
      int start = lineEnd + 1;
      int nl = start;
      while (nl < end && b[nl] != '\n') {
        nl++;
      }
      lineEnd = nl;
      if (blank(start, nl)) {
        continue;
      }
      int colon = start;
      while (colon < nl && b[colon] != ':') {
        colon++;
      }
      if (colon == nl || colon == start) {
        // smaps_rollup's first line is the address range header, not a field
        if (!contains(start, nl, ROLLUP_HEADER)) {
          malformedLines++;
        }
        continue;
      }
      keyStart = start;
      keyEnd = colon;
      while (keyStart < keyEnd && isSpace(b[keyStart])) {
        keyStart++;
      }
      while (keyEnd > keyStart && isSpace(b[keyEnd - 1])) {
        keyEnd--;
      }
      valueStart = colon + 1;
      while (valueStart < nl && isSpace(b[valueStart])) {
        valueStart++;
      }
      return true;
    }
    return false;
  }

  boolean keyIs(byte[] key) {
    if (keyEnd - keyStart != key.length) {
      return false;
    }
    for (int i = 0; i < key.length; i++) {
      if (b[keyStart + i] != key[i]) {
        return false;
      }
    }
    return true;
  }

  /** The value of the current line as text (trimmed). */
  String text() {
    int e = lineEnd;
    while (e > valueStart && isSpace(b[e - 1])) {
      e--;
    }
    return new String(b, valueStart, e - valueStart, StandardCharsets.UTF_8);
  }

  /** The first character of the value, or 0 when the value is empty. */
  char firstChar() {
    return valueStart < lineEnd ? (char) (b[valueStart] & 0xff) : 0;
  }

  /** Bytes of a {@code N kB} value (a plain {@code N} stays N); null when not a number. */
  Long bytes() {
    int i = valueStart;
    long n = 0;
    int digits = 0;
    while (i < lineEnd && b[i] >= '0' && b[i] <= '9' && digits < 19) {
      n = n * 10 + (b[i] - '0');
      i++;
      digits++;
    }
    if (digits == 0 || (i < lineEnd && !isSpace(b[i]))) {
      malformedLines++;
      return null;
    }
    while (i < lineEnd && isSpace(b[i])) {
      i++;
    }
    boolean kb = i + 1 < lineEnd && (b[i] == 'k' || b[i] == 'K') && (b[i + 1] == 'B'
        || b[i + 1] == 'b') && (i + 2 == lineEnd || isSpace(b[i + 2]));
    return kb ? n * 1024 : n;
  }

  /** A plain integer value (the first word), or null when not a number. */
  Long number() {
    int i = valueStart;
    boolean negative = i < lineEnd && b[i] == '-';
    if (negative) {
      i++;
    }
    long n = 0;
    int digits = 0;
    while (i < lineEnd && b[i] >= '0' && b[i] <= '9' && digits < 19) {
      n = n * 10 + (b[i] - '0');
      i++;
      digits++;
    }
    if (digits == 0 || (i < lineEnd && !isSpace(b[i]))) {
      malformedLines++;
      return null;
    }
    return negative ? -n : n;
  }

  private boolean blank(int from, int to) {
    for (int i = from; i < to; i++) {
      if (!isSpace(b[i])) {
        return false;
      }
    }
    return true;
  }

  private boolean contains(int from, int to, byte[] needle) {
    outer:
    for (int i = from; i + needle.length <= to; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (b[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == 0x0b || c == '\f';
  }
}
