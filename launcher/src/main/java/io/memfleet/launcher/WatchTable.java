package io.memfleet.launcher;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.EventHeader;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.pipeline.model.Shmem;
import io.memfleet.pipeline.detect.rules.Culprits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * What {@code memfleet watch} shows per process, like {@code top} for memory: resident set,
 * managed heap in use (after its last collection, or as the runtime reports it), native
 * (resident − the heap's committed footprint: what the runtime took from the OS for its heap is
 * not native memory; a ZGC heap counts three times in the resident set of a JVM before
 * generational ZGC, which maps its heap thrice), how fast the resident set grew in the last minute and
 * which part grows, and the process's open alert — sorted by growth, so the process in trouble is
 * at the top and pid 1 and idle shells are not.
 *
 * <pre>{@code
 * WatchTable table = new WatchTable();
 * table.add(record, nowMs);                 // ResidentMemory, HeapSummary, MemoryPools, Alert
 * table.rows(15).forEach(System.out::println);
 * }</pre>
 *
 * <p>Growth per minute is measured over the samples of the last {@value #WINDOW_MS} ms (at least
 * {@value #MIN_SPAN_MS} ms of them). Bounded: at most {@value #MAX_PROCESSES} processes, the one
 * seen longest ago leaves first. Not thread-safe.
 */
final class WatchTable {
  static final long WINDOW_MS = 60_000;
  static final long MIN_SPAN_MS = 15_000;
  static final int MAX_PROCESSES = 2_000;
  private static final double MIB = 1024.0 * 1024.0;

  /** One process's figures. */
  private static final class Row {
    ProcessIdentity process;
    final Deque<long[]> rss = new ArrayDeque<>();
    final Deque<long[]> heap = new ArrayDeque<>();
    /** The heap's committed footprint (its used bytes where the runtime says no more). */
    final Deque<long[]> footprint = new ArrayDeque<>();
    Alert alert;
    long seenMs;
    /** Times the resident set counts the heap (ZGC maps its heap three times), at least 1. */
    int heapViews = 1;
  }

  private final Map<String, Row> rows = new HashMap<>();

  /** Folds a record in; {@code nowMs} is when it arrived (processing time). */
  void add(SpecificRecord record, EventHeader header, long nowMs) {
    if (record instanceof Alert a) {
      Row row = row(a.getProcess(), nowMs);
      row.alert = a.getStatus() == AlertStatus.RESOLVED ? null : a;
      return;
    }
    if (header == null) {
      return;
    }
    long[] heap = heapBytes(record);
    if (record instanceof MemoryPools p) {
      row(header.getProcess(), nowMs).heapViews = Math.max(1,
          Shmem.heapViews(p.getSettings().get("gc")));
    }
    if (record instanceof ResidentMemory r) {
      sample(row(header.getProcess(), nowMs).rss, nowMs, r.getRssBytes());
    } else if (heap != null) {
      Row row = row(header.getProcess(), nowMs);
      sample(row.heap, nowMs, heap[0]);
      sample(row.footprint, nowMs, heap[1]);
    }
  }

  /** The managed heap a record reports, in use and committed, or null. */
  private static long[] heapBytes(SpecificRecord record) {
    if (record instanceof HeapSummary h) {
      // before a collection the heap holds its garbage too: a sawtooth, not a figure to show
      return h.getPhase() == io.memfleet.event.HeapPhase.BEFORE_GC ? null
          : new long[] {h.getUsedBytes(), Math.max(h.getUsedBytes(), h.getCommittedBytes())};
    }
    if (record instanceof MemoryPools p) {
      for (PoolUsage u : p.getPools()) {
        if (u.getPool() == MemoryPool.HEAP) {
          long committed = u.getCommittedBytes() == null ? u.getUsedBytes()
              : Math.max(u.getUsedBytes(), u.getCommittedBytes());
          return new long[] {u.getUsedBytes(), committed};
        }
      }
    }
    return null;
  }

  private Row row(ProcessIdentity p, long nowMs) {
    String key = p.getNode() + "/" + p.getPid() + "/" + p.getProcessStartTimeMs();
    Row row = rows.get(key);
    if (row == null) {
      if (rows.size() >= MAX_PROCESSES) {
        rows.values().stream().min(Comparator.comparingLong(r -> r.seenMs))
            .ifPresent(oldest -> rows.values().remove(oldest));
      }
      row = new Row();
      rows.put(key, row);
    }
    row.process = p;
    row.seenMs = nowMs;
    return row;
  }

  private static void sample(Deque<long[]> samples, long nowMs, long bytes) {
    samples.addLast(new long[] {nowMs, bytes});
    while (samples.size() > 2 && samples.peekFirst()[0] < nowMs - WINDOW_MS) {
      samples.pollFirst();
    }
  }

  /** Bytes per minute over the window, NaN when the samples span less than the minimum. */
  static double perMinute(Deque<long[]> samples) {
    if (samples.size() < 2) {
      return Double.NaN;
    }
    long[] first = samples.peekFirst();
    long[] last = samples.peekLast();
    long spanMs = last[0] - first[0];
    return spanMs < MIN_SPAN_MS ? Double.NaN : (last[1] - first[1]) * 60_000.0 / spanMs;
  }

  /** Processes known (at most {@value #MAX_PROCESSES}). */
  int size() {
    return rows.size();
  }

  /** The header line of {@link #rows}. */
  static String header() {
    return String.format(Locale.ROOT, "%7s  %-24s %-6s %9s %9s %9s %9s  %-8s %s", "PID",
        "SERVICE / COMMAND", "RT", "RSS", "HEAP", "NATIVE", "RSS/min", "GROWING", "ALERT");
  }

  /** The {@code n} processes with a resident set, fastest growing first. */
  List<String> rows(int n) {
    List<Row> shown = new ArrayList<>();
    for (Row r : rows.values()) {
      if (!r.rss.isEmpty()) {
        shown.add(r);
      }
    }
    shown.sort(Comparator.comparingDouble((Row r) -> {
      double g = perMinute(r.rss);
      return Double.isNaN(g) ? Double.NEGATIVE_INFINITY : g;
    }).reversed().thenComparing(r -> -r.rss.peekLast()[1]));
    List<String> out = new ArrayList<>();
    for (Row r : shown.subList(0, Math.min(n, shown.size()))) {
      out.add(line(r));
    }
    return out;
  }

  private static String line(Row r) {
    ProcessIdentity p = r.process;
    long rss = r.rss.peekLast()[1];
    Long heap = r.heap.isEmpty() ? null : r.heap.peekLast()[1];
    boolean unmanaged = p.getRuntime() == io.memfleet.event.Runtime.NATIVE;
    // no managed heap: all of the resident set is native memory
    Long footprint = null;
    if (!r.footprint.isEmpty()) {
      footprint = r.footprint.peekLast()[1];
    } else if (unmanaged) {
      footprint = 0L;
    }
    String name = p.getService() != null && !p.getService().isBlank()
        ? p.getService() + " / " + p.getComm() : p.getComm();
    double rssGrowth = perMinute(r.rss);
    double heapGrowth = unmanaged && r.footprint.isEmpty() ? 0 : perMinute(r.footprint);
    return String.format(Locale.ROOT, "%7d  %-24s %-6s %9s %9s %9s %9s  %-8s %s", p.getPid(),
        clip(name, 24), p.getRuntime() == null ? "" : clip(p.getRuntime().name(), 6),
        mib(rss), heap == null ? "-" : mib(heap),
        footprint == null ? "-" : mib(Math.max(0, rss - r.heapViews * footprint)),
        Double.isNaN(rssGrowth) ? "…" : signedMib(rssGrowth), growing(r, rssGrowth, heapGrowth),
        alert(r.alert));
  }

  /**
   * The part that grows: the open alert's pool, else the heap (its committed footprint) or
   * native memory, whichever grew more.
   */
  private static String growing(Row r, double rssGrowth, double heapGrowth) {
    if (r.alert != null && r.alert.getPool() != null) {
      return r.alert.getPool().name().toLowerCase(Locale.ROOT);
    }
    if (Double.isNaN(rssGrowth) || rssGrowth < MIB) { // under 1 MiB a minute: nothing to say
      return "";
    }
    if (Double.isNaN(heapGrowth)) {
      return "rss";
    }
    return heapGrowth >= rssGrowth - heapGrowth ? "heap" : "native";
  }

  private static String alert(Alert a) {
    if (a == null) {
      return "";
    }
    String culprit = a.getObjectClass() != null && !a.getObjectClass().isBlank()
        ? a.getObjectClass()
        : a.getTopStack() == null ? null : Culprits.frame(a.getTopStack().getFrames());
    return a.getSeverity() + " " + a.getRule() + (culprit == null ? "" : " " + culprit);
  }

  /** One line per alert for the list under the table: pool and culprit included. */
  static String describe(Alert a) {
    return a.getStatus() + " " + a.getSeverity() + "  " + a.getRule() + "  "
        + (a.getPool() == null ? "" : a.getPool().name().toLowerCase(Locale.ROOT) + "  ")
        + (a.getProcess().getService() == null ? "" : a.getProcess().getService() + " ")
        + a.getProcess().getComm() + "/" + a.getProcess().getPid() + "  "
        + (a.getVerdict() != null && !a.getVerdict().isBlank() ? a.getVerdict() : a.getSummary());
  }

  private static String clip(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 1) + "…";
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1fM", bytes / MIB);
  }

  private static String signedMib(double bytes) {
    return String.format(Locale.ROOT, "%+.1fM", bytes / MIB);
  }
}
