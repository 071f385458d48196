package io.memfleet.launcher.explain;

import io.memfleet.launcher.explain.Explanation.AlertRow;
import io.memfleet.launcher.explain.Explanation.ClockRow;
import io.memfleet.launcher.explain.Explanation.ProcessRef;
import io.memfleet.launcher.explain.Explanation.StackRow;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Renders an {@link Explanation} as the text {@code memfleet explain} prints: the process, its
 * breakdown now (each pool in MiB and as a share of RSS, where the window began, the robust
 * trend per minute), the pool that grows the most, the heap, kernel and cgroup figures, the
 * alerts with their pool, verdict and culprit, the top allocation stacks, and the newest
 * calibration of each clock of the host (how far the times above can be trusted). Pure: no I/O.
 *
 * <pre>{@code
 * System.out.print(ExplainReport.render(explanation));
 * }</pre>
 */
public final class ExplainReport {
  static final double MIB = 1024 * 1024;
  /** Growth over the window below this is no growth: readings move by that much unprompted. */
  static final long MIN_GROWTH_BYTES = 1 << 20;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final int FRAMES_SHOWN = 4;

  private ExplainReport() {}

  /** The whole report, lines ending in {@code \n}. */
  public static String render(Explanation e) {
    StringBuilder out = new StringBuilder();
    header(e, out);
    if (e.samples().isEmpty()) {
      line(out, "no rows in process_memory_1m for this process in the window");
    } else {
      breakdown(e, out);
    }
    alerts(e, out);
    stacks(e, out);
    clocks(e, out);
    return out.toString();
  }

  private static void line(StringBuilder out, String text) {
    out.append(text.stripTrailing()).append('\n');
  }

  private static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / MIB);
  }

  /** {@code yyyy-MM-dd HH:mm:ss UTC}. */
  static String time(long epochSecond) {
    return TIME.format(Instant.ofEpochSecond(epochSecond));
  }

  private static void header(Explanation e, StringBuilder out) {
    ProcessRef p = e.process();
    String who = String.join(", ", nonEmpty(p.service(), p.comm(), p.runtime()));
    line(out, "pid " + p.pid() + (who.isEmpty() ? "" : " · " + who) + " · node " + p.node()
        + " · cluster " + p.cluster() + " · started " + time(p.processStartMs() / 1000));
    for (String note : e.notes()) {
      line(out, "note: " + note);
    }
  }

  private static List<String> nonEmpty(String... values) {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        out.add(v);
      }
    }
    return out;
  }

  /** A pool's figures over the window. */
  private record Row(String name, String label, long now, long first, double slope,
      String trendOf) {
    long growth(double minutes) {
      return Double.isNaN(slope) ? 0 : Math.round(slope * minutes);
    }
  }

  private static void breakdown(Explanation e, StringBuilder out) {
    List<BreakdownSample> s = e.samples();
    BreakdownSample first = s.get(0);
    BreakdownSample now = s.get(s.size() - 1);
    double minutes = (now.epochSecond() - first.epochSecond()) / 60.0;
    long rss = now.get("rss_last");
    line(out, "");
    line(out, "breakdown of the minute from " + time(now.epochSecond()) + "; trends over the "
        + span(e.window()) + " before it (" + s.size() + " one-minute point"
        + (s.size() == 1 ? "" : "s")
        + (s.size() > 1 ? " from " + time(first.epochSecond()) : "") + ")");

    List<Row> rows = new ArrayList<>();
    for (Pool pool : Pool.values()) {
      long poolNow = pool.bytes(now);
      long poolFirst = pool.bytes(first);
      boolean any = s.stream().anyMatch(x -> pool.bytes(x) != 0);
      if (!any && pool != Pool.NATIVE) {
        continue;
      }
      ToLongFunction<BreakdownSample> signal = pool::bytes;
      String trendOf = "";
      if (pool == Pool.HEAP) {
        // the committed heap moves in steps; what the heap holds after GC is the leak signal
        if (s.stream().anyMatch(x -> x.get("live_set") > 0)) {
          signal = x -> x.get("live_set");
          trendOf = "live set after GC";
        } else if (s.stream().anyMatch(x -> x.get("heap_used") > 0)) {
          signal = x -> x.get("heap_used");
          trendOf = "heap in use";
        }
      }
      rows.add(new Row(pool.name(), pool.label(), poolNow, poolFirst,
          Trend.perMinute(s, signal), trendOf));
    }
    Row rssRow = new Row("RSS", "resident set", rss, first.get("rss_last"),
        Trend.perMinute(s, x -> x.get("rss_last")), "");

    line(out, "");
    List<List<String>> table = new ArrayList<>();
    table.add(List.of("pool", "MiB now", "of RSS", "MiB at start", "MiB/min", "what"));
    for (Row r : rows) {
      table.add(tableRow(r, rss));
    }
    table.add(tableRow(rssRow, rss));
    align(table, out, "lrrrrl");

    long named = rows.stream().filter(r -> !r.name().equals(Pool.NATIVE.name()))
        .mapToLong(Row::now).sum();
    if (rss > 0 && named > rss) {
      line(out, "the named pools add up to " + mib(named) + " MiB, more than RSS: some are counted"
          + " as reserved or committed, not as touched (hsperfdata's thread stacks are count ×"
          + " stack size), so NATIVE is 0");
    }

    line(out, "");
    if (s.size() < 2) {
      line(out, "grows the most: one point only, no trend yet");
    } else {
      List<Row> growing = rows.stream().filter(r -> r.growth(minutes) >= MIN_GROWTH_BYTES)
          .sorted(Comparator.comparingDouble(Row::slope).reversed()).toList();
      if (growing.isEmpty()) {
        line(out, "grows the most: no pool grew by " + mib(MIN_GROWTH_BYTES) + " MiB or more over"
            + " the window (RSS " + slope(rssRow.slope()) + " MiB/min)");
      } else {
        Row top = growing.get(0);
        line(out, "grows the most: " + top.name() + " " + slope(top.slope()) + " MiB/min"
            + (top.trendOf().isEmpty() ? "" : " (" + top.trendOf() + ")")
            + ", +" + mib(top.growth(minutes)) + " MiB over " + Math.round(minutes)
            + " min (Theil–Sen); RSS " + slope(rssRow.slope()) + " MiB/min");
        if (growing.size() > 1) {
          List<String> also = new ArrayList<>();
          for (Row r : growing.subList(1, growing.size())) {
            also.add(r.name() + " " + slope(r.slope()));
          }
          line(out, "also growing (MiB/min): " + String.join(", ", also));
        }
      }
    }
    figures(now, out);
  }

  private static String slope(double perMinute) {
    return Double.isNaN(perMinute) ? "n/a"
        : String.format(Locale.ROOT, "%+.2f", perMinute / MIB).replace("-0.00", "+0.00");
  }

  private static List<String> tableRow(Row r, long rss) {
    String share = rss > 0 ? String.format(Locale.ROOT, "%.1f %%", 100.0 * r.now() / rss) : "";
    String what = r.label() + (r.trendOf().isEmpty() ? "" : " (trend: " + r.trendOf() + ")");
    return List.of(r.name(), mib(r.now()), share, mib(r.first()), slope(r.slope()), what);
  }

  private static String span(java.time.Duration d) {
    long minutes = d.toMinutes();
    return minutes >= 120 && minutes % 60 == 0 ? minutes / 60 + " h" : minutes + " min";
  }

  /** Prints cells aligned as {@code how} says per column: {@code l}eft or {@code r}ight. */
  private static void align(List<List<String>> table, StringBuilder out, String how) {
    int columns = table.get(0).size();
    int[] width = new int[columns];
    for (List<String> row : table) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    for (List<String> row : table) {
      StringBuilder s = new StringBuilder("  ");
      for (int i = 0; i < columns; i++) {
        String c = row.get(i);
        String pad = " ".repeat(width[i] - c.length());
        s.append(how.charAt(i) == 'l' ? c + pad : pad + c).append("  ");
      }
      line(out, s.toString());
    }
  }

  private static void figures(BreakdownSample now, StringBuilder out) {
    List<String> heap = new ArrayList<>();
    if (now.get("heap_used") > 0) {
      heap.add("heap in use " + mib(now.get("heap_used")) + " MiB");
    }
    if (now.get("live_set") > 0) {
      heap.add("live set " + mib(now.get("live_set")) + " MiB");
    }
    if (now.get("managed_limit") > 0) {
      heap.add("heap limit " + mib(now.get("managed_limit")) + " MiB");
    }
    if (now.get("heap_released") > 0) {
      heap.add("released to the OS " + mib(now.get("heap_released")) + " MiB");
    }
    if (now.get("native_tracked") > 0) {
      heap.add("native memory tracking " + mib(now.get("native_tracked")) + " MiB in all");
    }
    long threads = now.get("thread_count") > 0 ? now.get("thread_count") : now.get("threads_max");
    if (threads > 0) {
      heap.add("threads " + threads);
    }
    long goroutines = now.get("goroutine_count") > 0 ? now.get("goroutine_count")
        : now.get("goroutines_max");
    if (goroutines > 0) {
      heap.add("goroutines " + goroutines);
    }
    if (!heap.isEmpty()) {
      line(out, String.join(" · ", heap));
    }
    if (now.get("rss_anon") + now.get("rss_file") + now.get("rss_shmem") + now.get("swap") > 0) {
      line(out, "kernel: anon " + mib(now.get("rss_anon")) + " MiB · file "
          + mib(now.get("rss_file")) + " MiB · shmem " + mib(now.get("rss_shmem")) + " MiB · swap "
          + mib(now.get("swap")) + " MiB");
    }
    long workingSet = now.get("cgroup_working_set");
    long limit = now.get("cgroup_limit");
    if (workingSet + now.get("cgroup_page_cache") + now.get("cgroup_anon") > 0) {
      boolean limited = limit > 0 && limit < (1L << 60);
      line(out, "cgroup: working set " + mib(workingSet) + " MiB"
          + (limited ? String.format(Locale.ROOT, " of a %s MiB limit (%.0f %%)", mib(limit),
              100.0 * workingSet / limit) : ", no limit")
          + " · anon " + mib(now.get("cgroup_anon")) + " MiB · page cache "
          + mib(now.get("cgroup_page_cache")) + " MiB · shmem " + mib(now.get("cgroup_shmem"))
          + " MiB · swap " + mib(now.get("cgroup_swap")) + " MiB");
    }
  }

  private static void alerts(Explanation e, StringBuilder out) {
    line(out, "");
    if (e.alerts().isEmpty()) {
      line(out, "alerts: none open");
      return;
    }
    line(out, "alerts (" + e.alerts().size() + "):");
    for (AlertRow a : e.alerts()) {
      line(out, "  " + a.alertId() + "  " + a.severity() + " " + a.status() + "  " + a.rule()
          + (a.pool().isEmpty() ? "" : "  pool " + a.pool()) + "  last seen "
          + time(a.lastSeenEpochSecond()));
      line(out, "    " + (a.verdict().isEmpty() ? a.summary() : a.verdict()));
      String stack = a.topStack().isEmpty() ? ""
          : frames(List.of(a.topStack().split(" <- ")), 0);
      List<String> culprit = nonEmpty(a.objectClass(), stack);
      if (!culprit.isEmpty()) {
        line(out, "    culprit: " + String.join(" at ", culprit));
      }
      List<String> rate = new ArrayList<>();
      if (a.growthBytesPerSecond() != 0) {
        rate.add(String.format(Locale.ROOT, "growth %.3f MiB/s", a.growthBytesPerSecond() / MIB));
      }
      if (a.timeToOomSeconds() > 0) {
        rate.add(String.format(Locale.ROOT, "OOM forecast in %.1f h", a.timeToOomSeconds() / 3600));
      }
      if (!rate.isEmpty()) {
        line(out, "    " + String.join(" · ", rate));
      }
    }
  }

  private static void stacks(Explanation e, StringBuilder out) {
    line(out, "");
    if (e.stacks().isEmpty()) {
      line(out, "top stacks: none recorded for this process in the window");
      return;
    }
    line(out, "top stacks (allocations_1m over the window, most still held first):");
    List<List<String>> table = new ArrayList<>();
    table.add(List.of("", "held MiB", "sampled MiB", "kind", "stack (innermost first)"));
    for (StackRow s : e.stacks()) {
      String stack = frames(s.frames(), s.stackHash());
      String what = s.objectClass().isEmpty() ? stack : s.objectClass() + " · " + stack;
      table.add(List.of("", mib(s.outstandingBytes()), mib(s.sampledBytes()), s.kind(), what));
    }
    align(table, out, "lrrll");
  }

  private static void clocks(Explanation e, StringBuilder out) {
    line(out, "");
    String node = "node " + e.process().node();
    if (e.clocks().isEmpty()) {
      line(out, "clocks: no calibration of " + node + " in clock_calibration");
      return;
    }
    line(out, "clocks of " + node + " (newest calibration per domain):");
    List<List<String>> table = new ArrayList<>();
    table.add(List.of("", "domain", "drift ppb", "error bound", "samples", "age"));
    for (ClockRow c : e.clocks()) {
      String domain = c.domain().startsWith("JFR_TICKS@") ? "JFR_TICKS (this JVM)" : c.domain();
      table.add(List.of("", domain, String.format(Locale.ROOT, "%+.1f", c.driftPpb()),
          nanos(c.errorBoundNs()), String.valueOf(c.samples()), age(c.ageSeconds())));
    }
    align(table, out, "llrrrr");
  }

  /** A duration in ns as ns, µs, ms or s with three significant figures or so. */
  static String nanos(long ns) {
    if (ns < 1_000) {
      return ns + " ns";
    }
    double[] scale = {1e3, 1e6, 1e9};
    String[] unit = {"µs", "ms", "s"};
    int i = ns < 1_000_000 ? 0 : ns < 1_000_000_000 ? 1 : 2;
    return String.format(Locale.ROOT, "%.1f %s", ns / scale[i], unit[i]);
  }

  /** How long ago, coarsely: seconds, minutes, hours or days. */
  static String age(long seconds) {
    if (seconds < 0) {
      return "in the future";
    }
    return seconds < 120 ? seconds + " s" : seconds < 7_200 ? seconds / 60 + " min"
        : seconds < 172_800 ? seconds / 3_600 + " h" : seconds / 86_400 + " d";
  }

  /** The first frames joined innermost first; {@code #hash} when the frames are unknown. */
  private static String frames(List<String> frames, long hash) {
    if (frames.isEmpty()) {
      return "#" + hash;
    }
    List<String> shown = frames.size() <= FRAMES_SHOWN ? frames : frames.subList(0, FRAMES_SHOWN);
    return String.join(" <- ", shown) + (frames.size() > FRAMES_SHOWN ? " <- …" : "");
  }
}
