package io.memfleet.collector.node.go;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code GODEBUG=gctrace=1} output line by line, as printed by Go 1.9 to current.
 *
 * <p>Two formats are accepted: the current one (Go 1.18 and later) with
 * {@code # MB stacks, # MB globals}, and the older one without them; either may end in
 * {@code (forced)}. The trace may be interleaved with the program's own output or prefixed by a
 * log shipper (timestamps, {@code stderr F}); the parser looks for the {@code gc N @} marker
 * anywhere in the line. Lines with the marker that do not parse are counted as malformed;
 * other lines (application output, scavenger lines) are counted as skipped. Neither throws.
 *
 * <pre>{@code
 * GcTraceParser parser = new GcTraceParser();
 * GcTraceParser.Result r = parser.parse(line);
 * if (r instanceof GcTraceParser.Parsed p) { GcTraceLine gc = p.line(); }
 * long bad = parser.malformedLines();
 * }</pre>
 *
 * <p>Thread-safe: counters are atomic and parsing holds no other state.
 */
public final class GcTraceParser {
  private static final Pattern MARKER = Pattern.compile("\\bgc #?\\d+ @");
  private static final String NUM = "(\\d+(?:\\.\\d+)?)";
  private static final Pattern LINE = Pattern.compile(
      "gc (\\d+) @" + NUM + "s (\\d+)%: "
          + NUM + "\\+" + NUM + "\\+" + NUM + " ms clock, "
          + NUM + "\\+" + NUM + "/" + NUM + "/" + NUM + "\\+" + NUM + " ms cpu, "
          + "(\\d+)->(\\d+)->(\\d+) MB, (\\d+) MB goal, "
          + "(?:(\\d+) MB stacks, (\\d+) MB globals, )?"
          + "(\\d+) P( \\(forced\\))?\\s*$");
  private static final long MIB = 1024L * 1024L;

  /** What one line turned out to be. */
  public sealed interface Result permits Parsed, Malformed, Skipped {}

  /** A gctrace line. */
  public record Parsed(GcTraceLine line) implements Result {}

  /** A line with the {@code gc N @} marker that does not parse; {@code text} is the line. */
  public record Malformed(String text) implements Result {}

  /** Not a gctrace line. */
  public record Skipped() implements Result {}

  private static final Skipped SKIPPED = new Skipped();

  private final AtomicLong parsed = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  public Result parse(String line) {
    Matcher marker = MARKER.matcher(line);
    if (!marker.find()) {
      skipped.incrementAndGet();
      return SKIPPED;
    }
    Matcher m = LINE.matcher(line);
    if (!m.find(marker.start()) || m.start() != marker.start()) {
      malformed.incrementAndGet();
      return new Malformed(line);
    }
    try {
      GcTraceLine gc = new GcTraceLine(
          Long.parseLong(m.group(1)),
          nanos(m.group(2), 9),
          Integer.parseInt(m.group(3)),
          nanos(m.group(4), 6),
          nanos(m.group(5), 6),
          nanos(m.group(6), 6),
          Long.parseLong(m.group(12)) * MIB,
          Long.parseLong(m.group(13)) * MIB,
          Long.parseLong(m.group(14)) * MIB,
          Long.parseLong(m.group(15)) * MIB,
          m.group(16) == null ? -1 : Long.parseLong(m.group(16)) * MIB,
          m.group(17) == null ? -1 : Long.parseLong(m.group(17)) * MIB,
          Integer.parseInt(m.group(18)),
          m.group(19) != null);
      parsed.incrementAndGet();
      return new Parsed(gc);
    } catch (NumberFormatException | ArithmeticException e) {
      // digits that overflow a long: the line is corrupt, not the parser's problem
      malformed.incrementAndGet();
      return new Malformed(line);
    }
  }

  /** A decimal in seconds (shift 9) or milliseconds (shift 6) as whole nanoseconds. */
  private static long nanos(String decimal, int shift) {
    return new BigDecimal(decimal).movePointRight(shift)
        .setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  public long parsedLines() {
    return parsed.get();
  }

  public long malformedLines() {
    return malformed.get();
  }

  public long skippedLines() {
    return skipped.get();
  }
}
