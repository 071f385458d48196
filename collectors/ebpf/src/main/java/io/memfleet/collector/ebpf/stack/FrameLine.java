package io.memfleet.collector.ebpf.stack;

/**
 * Reads one printed stack frame, {@code <spaces>ip symbol+off (module)}, as {@code perf script}
 * and bpftrace's {@code ustack(perf)} print it, by hand rather than with a regular expression.
 *
 * <p>The expressions this replaces ({@code \s+([0-9a-f]+)\s+(.+?)\s+\(([^)]*)\)\s*$}) backtrack
 * over every whitespace run: a fuzzed line of 7 KB took seconds. This scan is linear. The module
 * is the text in the last parentheses of the line, opened after whitespace (a symbol may contain
 * parentheses itself, e.g. C++ signatures); addresses longer than 16 hex digits are no frame; a
 * frame without a symbol has a null one.
 *
 * <pre>{@code
 * Frame f = FrameLine.parse("\t 16e0ba memset+0x7a (/usr/lib/libc.so.6)", true, true);
 * }</pre>
 */
public final class FrameLine {
  private FrameLine() {}

  /**
   * The frame on {@code line}, or null when the line is not one.
   *
   * @param indented the line must start with whitespace ({@code perf script})
   * @param moduleRequired the line must end with {@code (module)} ({@code perf script})
   */
  public static Frame parse(String line, boolean indented, boolean moduleRequired) {
    int n = line.length();
    int i = skipSpaces(line, 0, n);
    if (indented && i == 0) {
      return null;
    }
    int hexStart = i;
    while (i < n && Character.digit(line.charAt(i), 16) >= 0 && line.charAt(i) < 0x80) {
      i++;
    }
    if (i == hexStart || i - hexStart > 16) {
      return null;
    }
    long address = Long.parseUnsignedLong(line, hexStart, i, 16);
    int symbolStart = skipSpaces(line, i, n);
    if (symbolStart == i || symbolStart == n) {
      return null;
    }
    int end = n;
    while (end > symbolStart && isSpace(line.charAt(end - 1))) {
      end--;
    }
    if (line.charAt(end - 1) == ')') {
      int close = end - 1;
      int after = Math.max(line.lastIndexOf(')', close - 1) + 1, symbolStart);
      for (int open = line.indexOf('(', after); open >= 0 && open < close;
          open = line.indexOf('(', open + 1)) {
        if (isSpace(line.charAt(open - 1))) {
          int symbolEnd = open;
          while (symbolEnd > symbolStart && isSpace(line.charAt(symbolEnd - 1))) {
            symbolEnd--;
          }
          // no symbol at all ("ip (module)") reads as an unknown one
          return new Frame(address, Frame.symbolOf(line.substring(symbolStart, symbolEnd)),
              line.substring(open + 1, close));
        }
      }
    }
    return moduleRequired ? null
        : new Frame(address, Frame.symbolOf(line.substring(symbolStart, end)), null);
  }

  private static int skipSpaces(String s, int from, int to) {
    while (from < to && isSpace(s.charAt(from))) {
      from++;
    }
    return from;
  }

  /** What {@code \s} matches in Java's regular expressions. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }
}
