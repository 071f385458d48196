package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.CheckpointStateSizes.OperatorSizes;
import io.memfleet.bench.pipeline.KeyedStateBreakdown.StateBytes;
import io.memfleet.bench.pipeline.StateSizeOptions.Backend;
import io.memfleet.bench.pipeline.StateSizeRun.Result;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The keyed-state benchmark's tables: per run, every operator with state, its bytes and bytes per
 * tracked process; then, per backend, the total and its slope between the largest and the
 * smallest fleet — the cost of one more process without the fixed cost — per operator and in
 * all; then what the largest fleet's bytes are made of, state by state.
 *
 * <pre>{@code
 * StateSizeReport report = new StateSizeReport(List.of("workload: ..."));
 * results.forEach(report::add);
 * report.print(System.out);
 * }</pre>
 */
final class StateSizeReport {
  /** States below this share of a run's keyed bytes are folded into one line. */
  private static final double STATE_SHARE_SHOWN = 0.005;

  private final List<String> description;
  private final List<Result> results = new ArrayList<>();

  StateSizeReport(List<String> description) {
    this.description = List.copyOf(description);
  }

  void add(Result result) {
    results.add(result);
  }

  List<Result> results() {
    return List.copyOf(results);
  }

  /**
   * Cost of one more process: the difference of {@code bytes} between the largest and the
   * smallest fleet, divided by the difference of their processes; NaN with one fleet.
   */
  static double slope(long bytesLarge, int processesLarge, long bytesSmall, int processesSmall) {
    if (processesLarge == processesSmall) {
      return Double.NaN;
    }
    return (double) (bytesLarge - bytesSmall) / (processesLarge - processesSmall);
  }

  void print(PrintStream out) {
    description.forEach(out::println);
    for (Result r : results) {
      out.println();
      printRun(out, r);
    }
    for (Backend backend : backends()) {
      List<Result> runs = runsOf(backend);
      if (runs.size() < 2) {
        continue;
      }
      out.println();
      printSlopes(out, backend, runs.get(runs.size() - 1), runs.get(0));
    }
    for (Backend backend : backends()) {
      List<Result> runs = runsOf(backend);
      out.println();
      printStates(out, runs.get(runs.size() - 1));
    }
    out.println();
    printSummary(out);
    out.flush();
  }

  private void printRun(PrintStream out, Result r) {
    int n = r.fleet().processes();
    out.printf(Locale.ROOT, "%s, %,d processes (%s hosts x processes): %,d of %,d events arrived "
            + "in %.0f s; checkpoint %d (full, aligned) took %.1f s%s%n", r.backend().flinkName(),
        n, r.fleet(), r.counted(), r.events(), r.processingMs() / 1000.0,
        r.sizes().checkpointId(), r.checkpointMs() / 1000.0, r.savepoint() == null ? ""
            : String.format(Locale.ROOT, ", canonical savepoint %.1f s", r.savepointMs() / 1000.0));
    out.printf(Locale.ROOT, "  %-34s %14s %10s %14s %8s %12s%n", "operator", "keyed bytes",
        "B/process", r.savepoint() == null ? "" : "savepoint B", "keys", "other bytes");
    for (OperatorSizes op : r.sizes().operators()) {
      if (op.totalBytes() == 0) {
        continue;
      }
      KeyedStateBreakdown b = r.breakdowns().get(op.name());
      out.printf(Locale.ROOT, "  %-34s %,14d %,10.0f %14s %8s %,12d%n", shorten(op.name(), 34),
          op.keyedBytes(), (double) op.keyedBytes() / n, savepointBytes(r, op.name()),
          b == null ? "" : b.distinctKeys(), op.totalBytes() - op.keyedBytes());
    }
    long stateless = r.sizes().operators().stream().filter(o -> o.totalBytes() == 0).count();
    out.printf(Locale.ROOT, "  %-34s %,14d %,10.0f %14s %8s %,12d%n", "all operators",
        r.sizes().keyedBytes(), (double) r.sizes().keyedBytes() / n,
        r.savepoint() == null ? "" : String.format(Locale.ROOT, "%,d",
            r.savepoint().keyedBytes()), "", r.sizes().totalBytes() - r.sizes().keyedBytes());
    out.printf(Locale.ROOT, "  (%d operators without state; checkpoint files %,d B, Flink's "
            + "checkpoint stats %,d B; heap live with the job's state %+,.1f MiB; Flink "
            + "temporary files %,.1f MiB)%n", stateless, r.sizes().fileBytes(),
        r.reportedStateBytes(), r.liveHeapBytes() / 1048576.0,
        r.localFileBytes() / 1048576.0);
    out.println("  outputs: " + r.outputs());
  }

  private static String savepointBytes(Result r, String operator) {
    if (r.savepoint() == null) {
      return "";
    }
    return String.format(Locale.ROOT, "%,d", r.savepoint().operators().stream()
        .filter(o -> o.name().equals(operator)).mapToLong(OperatorSizes::keyedBytes).sum());
  }

  private void printSlopes(PrintStream out, Backend backend, Result large, Result small) {
    int nl = large.fleet().processes();
    int ns = small.fleet().processes();
    out.printf(Locale.ROOT, "%s: keyed bytes per process, and per additional process "
            + "(bytes at %,d - bytes at %,d) / %,d%n", backend.flinkName(), nl, ns, nl - ns);
    out.printf(Locale.ROOT, "  %-34s %14s %14s %12s %12s%n", "operator",
        "bytes@" + nl, "bytes@" + ns, "B/proc@" + nl, "slope B/proc");
    Set<String> names = new LinkedHashSet<>();
    large.sizes().operators().stream().filter(o -> o.keyedBytes() > 0)
        .forEach(o -> names.add(o.name()));
    small.sizes().operators().stream().filter(o -> o.keyedBytes() > 0)
        .forEach(o -> names.add(o.name()));
    for (String name : names) {
      long l = keyedBytes(large, name);
      long s = keyedBytes(small, name);
      out.printf(Locale.ROOT, "  %-34s %,14d %,14d %,12.0f %,12.0f%n", shorten(name, 34), l, s,
          (double) l / nl, slope(l, nl, s, ns));
    }
    long l = large.sizes().keyedBytes();
    long s = small.sizes().keyedBytes();
    out.printf(Locale.ROOT, "  %-34s %,14d %,14d %,12.0f %,12.0f%n", "all operators", l, s,
        (double) l / nl, slope(l, nl, s, ns));
  }

  private void printStates(PrintStream out, Result r) {
    int n = r.fleet().processes();
    long keyed = (r.savepoint() == null ? r.sizes() : r.savepoint()).keyedBytes();
    out.printf(Locale.ROOT, "%s, %,d processes: keyed state by state (bytes of its entries in the"
        + " %s)%n", r.backend().flinkName(), n, r.savepoint() == null ? "checkpoint"
            : "canonical savepoint");
    out.printf(Locale.ROOT, "  %-24s %-24s %-7s %11s %14s %10s %6s%n", "operator", "state",
        "type", "entries", "bytes", "B/process", "share");
    int smallStates = 0;
    long smallBytes = 0;
    List<Map.Entry<String, StateBytes>> all = new ArrayList<>();
    r.breakdowns().forEach((op, b) -> b.states().forEach(s -> all.add(Map.entry(op, s))));
    all.sort(Comparator.comparingLong((Map.Entry<String, StateBytes> e) -> e.getValue().bytes())
        .reversed());
    for (Map.Entry<String, StateBytes> e : all) {
      StateBytes s = e.getValue();
      if (s.bytes() < keyed * STATE_SHARE_SHOWN) {
        smallStates += s.entries() > 0 ? 1 : 0;
        smallBytes += s.bytes();
        continue;
      }
      out.printf(Locale.ROOT, "  %-24s %-24s %-7s %,11d %,14d %,10.0f %5.1f%%%n",
          shorten(e.getKey(), 24), shorten(s.state(), 24), s.type(), s.entries(), s.bytes(),
          (double) s.bytes() / n, 100.0 * s.bytes() / keyed);
    }
    out.printf(Locale.ROOT, "  %-24s %-24s %-7s %11s %,14d %,10.0f %5.1f%%%n",
        smallStates + " more (with entries)", "", "", "", smallBytes, (double) smallBytes / n,
        100.0 * smallBytes / Math.max(1, keyed));
  }

  private void printSummary(PrintStream out) {
    out.println("keyed state per tracked process");
    out.printf(Locale.ROOT, "  %-8s %10s %16s %12s %14s %16s %14s%n", "backend", "processes",
        "keyed bytes", "B/process", "slope B/proc", "savepoint B/proc", "heap live MiB");
    for (Backend backend : backends()) {
      List<Result> runs = runsOf(backend);
      Result small = runs.get(0);
      for (Result r : runs) {
        int n = r.fleet().processes();
        double slope = r == small ? Double.NaN : slope(r.sizes().keyedBytes(), n,
            small.sizes().keyedBytes(), small.fleet().processes());
        out.printf(Locale.ROOT, "  %-8s %,10d %,16d %,12.0f %14s %16s %,14.1f%n",
            backend.flinkName(), n, r.sizes().keyedBytes(), (double) r.sizes().keyedBytes() / n,
            Double.isNaN(slope) ? "" : String.format(Locale.ROOT, "%,.0f", slope),
            r.savepoint() == null ? "" : String.format(Locale.ROOT, "%,.0f",
                (double) r.savepoint().keyedBytes() / n), r.liveHeapBytes() / 1048576.0);
      }
    }
  }

  private List<Backend> backends() {
    Set<Backend> seen = new LinkedHashSet<>();
    results.forEach(r -> seen.add(r.backend()));
    return List.copyOf(seen);
  }

  /** The runs of one backend, smallest fleet first. */
  private List<Result> runsOf(Backend backend) {
    return results.stream().filter(r -> r.backend() == backend)
        .sorted(Comparator.comparingInt((Result r) -> r.fleet().processes())).toList();
  }

  private static long keyedBytes(Result r, String operator) {
    return r.sizes().operators().stream().filter(o -> o.name().equals(operator))
        .mapToLong(OperatorSizes::keyedBytes).sum();
  }

  private static String shorten(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "~";
  }
}
