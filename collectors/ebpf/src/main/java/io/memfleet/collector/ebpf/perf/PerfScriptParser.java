package io.memfleet.collector.ebpf.perf;

import io.memfleet.collector.ebpf.stack.Frame;
import io.memfleet.collector.ebpf.stack.FrameLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code perf script} output (default fields, with or without {@code --ns}) as a stream:
 * a header line per sample, then indented call-chain lines, then a blank line.
 *
 * <pre>{@code
 * PerfScriptParser parser = new PerfScriptParser(sample -> folded.add(sample));
 * try (BufferedReader in = ...) { parser.parse(in); }
 * long bad = parser.malformedLines();
 * }</pre>
 *
 * <p>Header: {@code comm tid [cpu] secs.frac: [period] event: [args]}; frame:
 * {@code <tab>ip symbol+0xoff (dso)}. Lines that fit neither are counted, not fatal. Not
 * thread-safe.
 */
public final class PerfScriptParser {
  // possessive after the comm: a candidate end of the comm is then checked in one pass (the
  // backtracking of the plain expression took seconds on a fuzzed 3 KB line)
  private static final Pattern HEADER = Pattern.compile(
      "^\\s*+(.+?)\\s++(\\d++)(?:/(\\d++))?\\s++(?:\\[(\\d++)]\\s++)?(\\d++)\\.(\\d++):\\s++"
          + "(?:(\\d++)\\s++)?(\\S+):(?:\\s++(.*))?$");
  /**
   * Longest header line tried: real ones are a few hundred characters; the header expression is
   * super-linear on long lines, and a longer line is malformed anyway.
   */
  static final int MAX_HEADER_CHARS = 4096;
  private static final Pattern ARG = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\\S+)");

  private final Consumer<PerfSample> sink;
  private PendingSample pending;
  private long samples;
  private long malformed;

  public PerfScriptParser(Consumer<PerfSample> sink) {
    this.sink = sink;
  }

  /** Parses everything from {@code in}, then flushes the last sample. */
  public void parse(BufferedReader in) throws IOException {
    String line;
    while ((line = in.readLine()) != null) {
      accept(line);
    }
    finish();
  }

  /** Feeds one line. */
  public void accept(String line) {
    if (line.isBlank()) {
      finish();
      return;
    }
    if (pending != null && Character.isWhitespace(line.charAt(0))) {
      Frame frame = FrameLine.parse(line, true, true);
      if (frame != null) {
        pending.frames.add(frame);
        return;
      }
    }
    Matcher h = line.length() <= MAX_HEADER_CHARS ? HEADER.matcher(line) : null;
    if (h != null && h.matches()) {
      PendingSample next;
      try {
        next = header(h);
      } catch (NumberFormatException e) {
        // a tid, cpu, time or period past its type: corrupt output, counted like any bad line
        malformed++;
        return;
      }
      finish();
      pending = next;
      return;
    }
    malformed++;
  }

  /** Emits the sample being read, if any. */
  public void finish() {
    if (pending == null) {
      return;
    }
    PendingSample p = pending;
    pending = null;
    samples++;
    sink.accept(new PerfSample(p.comm, p.tid, p.cpu, p.timestampNs, p.period, p.event, p.args,
        p.frames));
  }

  public long samples() {
    return samples;
  }

  public long malformedLines() {
    return malformed;
  }

  private static PendingSample header(Matcher h) {
    PendingSample p = new PendingSample();
    p.comm = h.group(1);
    p.tid = Integer.parseInt(h.group(3) != null ? h.group(3) : h.group(2));
    p.cpu = h.group(4) == null ? -1 : Integer.parseInt(h.group(4));
    p.timestampNs = nanos(h.group(5), h.group(6));
    p.period = h.group(7) == null ? 1 : Long.parseLong(h.group(7));
    p.event = h.group(8);
    if (h.group(9) != null) {
      Matcher a = ARG.matcher(h.group(9));
      while (a.find()) {
        p.args.put(a.group(1), a.group(2));
      }
    }
    return p;
  }

  /**
   * seconds + fraction of any length (6 digits without --ns, 9 with) → nanoseconds.
   *
   * @throws NumberFormatException when the time does not fit a long of nanoseconds
   */
  static long nanos(String seconds, String fraction) {
    String nine = fraction.length() >= 9 ? fraction.substring(0, 9)
        : fraction + "0".repeat(9 - fraction.length());
    try {
      return Math.addExact(Math.multiplyExact(Long.parseLong(seconds), 1_000_000_000L),
          Long.parseLong(nine));
    } catch (ArithmeticException e) {
      throw new NumberFormatException("time " + seconds + "." + fraction + " s overflows");
    }
  }

  private static final class PendingSample {
    String comm;
    int tid;
    int cpu;
    long timestampNs;
    long period;
    String event;
    final Map<String, String> args = new LinkedHashMap<>();
    final List<Frame> frames = new ArrayList<>();
  }
}
