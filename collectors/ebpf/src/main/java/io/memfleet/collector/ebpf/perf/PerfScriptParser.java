package io.memfleet.collector.ebpf.perf;

import io.memfleet.collector.ebpf.stack.Frame;
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
  private static final Pattern HEADER = Pattern.compile(
      "^\\s*(.+?)\\s+(\\d+)(?:/(\\d+))?\\s+(?:\\[(\\d+)]\\s+)?(\\d+)\\.(\\d+):\\s+(?:(\\d+)\\s+)?"
          + "(\\S+):(?:\\s+(.*))?$");
  private static final Pattern FRAME =
      Pattern.compile("^\\s+([0-9a-fA-F]+)\\s+(.+?)\\s+\\(([^)]*)\\)\\s*$");
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
      Matcher f = FRAME.matcher(line);
      if (f.matches()) {
        pending.frames.add(new Frame(Long.parseUnsignedLong(f.group(1), 16),
            Frame.symbolOf(f.group(2)), f.group(3)));
        return;
      }
    }
    Matcher h = HEADER.matcher(line);
    if (h.matches()) {
      finish();
      pending = header(h);
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

  /** seconds + fraction of any length (6 digits without --ns, 9 with) → nanoseconds. */
  static long nanos(String seconds, String fraction) {
    String nine = fraction.length() >= 9 ? fraction.substring(0, 9)
        : fraction + "0".repeat(9 - fraction.length());
    return Long.parseLong(seconds) * 1_000_000_000L + Long.parseLong(nine);
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
