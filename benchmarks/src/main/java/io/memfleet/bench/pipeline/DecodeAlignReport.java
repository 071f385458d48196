package io.memfleet.bench.pipeline;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a benchmark run: every timed pass, and per variant the median throughput and
 * its ratio to the baseline's median (ours / baseline; above 1 means the pipeline reads faster
 * than the bare consumer loop).
 *
 * <pre>{@code
 * report.add(baselinePass);
 * report.add(pipelinePass);
 * double r = report.ratio("ALIGN p=2");     // median steady throughput / baseline's
 * report.print(System.out);
 * }</pre>
 */
public final class DecodeAlignReport {
  /** Name of the baseline variant. */
  public static final String BASELINE = "baseline";

  private final List<String> header = new ArrayList<>();
  private final Map<String, List<Throughput>> byVariant = new LinkedHashMap<>();
  private final Map<String, List<String>> notes = new LinkedHashMap<>();

  /** A line printed above the table (workload, machine, command). */
  void describe(String line) {
    header.add(line);
  }

  void add(Throughput pass) {
    byVariant.computeIfAbsent(pass.variant(), v -> new ArrayList<>()).add(pass);
  }

  /** A fact about one pass of a variant (e.g. how many events were calibrated). */
  void note(String variant, String note) {
    notes.computeIfAbsent(variant, v -> new ArrayList<>()).add(note);
  }

  /** Variants in the order first measured, the baseline first when present. */
  public List<String> variants() {
    return List.copyOf(byVariant.keySet());
  }

  public List<Throughput> passes(String variant) {
    return List.copyOf(byVariant.getOrDefault(variant, List.of()));
  }

  /** Median steady-window records/s of a variant; NaN when it has no pass. */
  public double medianRate(String variant) {
    return median(passes(variant).stream().mapToDouble(Throughput::recordsPerSecond).toArray());
  }

  /** Median records/s of a variant including start-up. */
  public double medianRateTotal(String variant) {
    return median(passes(variant).stream().mapToDouble(Throughput::recordsPerSecondTotal)
        .toArray());
  }

  /** Median steady throughput of {@code variant} divided by the baseline's. */
  public double ratio(String variant) {
    return medianRate(variant) / medianRate(BASELINE);
  }

  /** The same ratio with start-up included on both sides. */
  public double ratioTotal(String variant) {
    return medianRateTotal(variant) / medianRateTotal(BASELINE);
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  public void print(PrintStream out) {
    header.forEach(out::println);
    out.println();
    out.println("passes (steady = first to last record; total = incl. start-up):");
    out.printf("  %-16s %10s %10s %12s %10s %12s%n", "variant", "records", "steady s",
        "records/s", "total s", "records/s");
    for (Map.Entry<String, List<Throughput>> e : byVariant.entrySet()) {
      for (Throughput t : e.getValue()) {
        out.printf("  %-16s %10d %10.2f %12.0f %10.2f %12.0f%n", t.variant(), t.records(),
            t.steadyNs() / 1e9, t.recordsPerSecond(), t.totalNs() / 1e9,
            t.recordsPerSecondTotal());
      }
    }
    out.println();
    out.println("medians and ratio to the baseline (ours / baseline):");
    out.printf("  %-16s %5s %14s %8s %14s %8s%n", "variant", "runs", "steady rec/s", "ratio",
        "total rec/s", "ratio");
    for (String v : byVariant.keySet()) {
      out.printf("  %-16s %5d %14.0f %8.3f %14.0f %8.3f%n", v, passes(v).size(), medianRate(v),
          ratio(v), medianRateTotal(v), ratioTotal(v));
    }
    if (!notes.isEmpty()) {
      out.println();
      out.println("checks per pass:");
      notes.forEach((v, list) -> list.forEach(n -> out.printf("  %-16s %s%n", v, n)));
    }
    out.flush();
  }
}
