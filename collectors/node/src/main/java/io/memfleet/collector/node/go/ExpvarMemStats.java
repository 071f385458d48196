package io.memfleet.collector.node.go;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code memstats} object of a Go program's {@code expvar} page ({@code /debug/vars}), which
 * is {@code runtime.MemStats} as JSON.
 *
 * <pre>{@code
 * ExpvarMemStats stats = ExpvarMemStats.parse(httpBody);
 * long live = stats.heapAlloc();
 * List<ExpvarMemStats.Pause> newPauses = stats.pausesAfter(previousNumGc);
 * }</pre>
 *
 * @param pauseNs the runtime's circular buffer of recent STW pause totals (256 entries; the
 *     pause of cycle {@code n} is at {@code (n - 1) % 256})
 * @param pauseEnd epoch nanoseconds at which each of those pauses ended, same indexing
 * @param runtime the runtime's own bookkeeping (0 where an older Go lacks a field)
 */
public record ExpvarMemStats(
    long alloc,
    long totalAlloc,
    long sys,
    long heapAlloc,
    long heapSys,
    long heapIdle,
    long heapInuse,
    long heapReleased,
    long heapObjects,
    long stackInuse,
    long nextGc,
    long lastGcEpochNs,
    long pauseTotalNs,
    long numGc,
    long numForcedGc,
    double gcCpuFraction,
    long[] pauseNs,
    long[] pauseEnd,
    RuntimeSys runtime) {

  /**
   * The off-heap runtime structures memstats reports ({@code runtime.MemStats} fields of the same
   * names): stacks, span and per-P cache structures, profiling buckets, GC metadata, the rest.
   */
  public record RuntimeSys(long stackSys, long mSpanInuse, long mSpanSys, long mCacheInuse,
      long mCacheSys, long buckHashSys, long gcSys, long otherSys) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One STW pause total from the memstats buffer. */
  public record Pause(long gcNumber, long startEpochNs, long durationNs) {}

  /**
   * Parses a {@code /debug/vars} body.
   *
   * @throws IllegalArgumentException when the body is not JSON or has no {@code memstats} object
   *     (the program does not import expvar, or the URL is not an expvar page)
   */
  public static ExpvarMemStats parse(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode m = root == null ? null : root.get("memstats");
    if (m == null || !m.isObject()) {
      throw new IllegalArgumentException("no memstats object in the expvar page");
    }
    return new ExpvarMemStats(
        required(m, "Alloc"), required(m, "TotalAlloc"), required(m, "Sys"),
        required(m, "HeapAlloc"), required(m, "HeapSys"), required(m, "HeapIdle"),
        required(m, "HeapInuse"), required(m, "HeapReleased"), required(m, "HeapObjects"),
        required(m, "StackInuse"), required(m, "NextGC"), required(m, "LastGC"),
        required(m, "PauseTotalNs"), required(m, "NumGC"), m.path("NumForcedGC").asLong(0),
        m.path("GCCPUFraction").asDouble(0),
        longs(m.get("PauseNs")), longs(m.get("PauseEnd")),
        new RuntimeSys(m.path("StackSys").asLong(0), m.path("MSpanInuse").asLong(0),
            m.path("MSpanSys").asLong(0), m.path("MCacheInuse").asLong(0),
            m.path("MCacheSys").asLong(0), m.path("BuckHashSys").asLong(0),
            m.path("GCSys").asLong(0), m.path("OtherSys").asLong(0)));
  }

  /** Where the heap profile's text ({@code ?debug=1}) prints {@code runtime.MemStats}. */
  static final String PROFILE_MEMSTATS = "# runtime.MemStats";

  /**
   * Reads {@code runtime.MemStats} from a heap profile page ({@code /debug/pprof/heap?debug=1}),
   * whose text ends with it as {@code # Name = value} lines: the same figures as the expvar page
   * for a program that serves {@code net/http/pprof} but does not import expvar — most Go
   * services. {@code Stack}, {@code MSpan} and {@code MCache} are printed as {@code inuse / sys};
   * {@code PauseTotalNs} is not printed, so it is the sum of the recent-pause buffer here.
   *
   * @throws IllegalArgumentException when the page has no MemStats block or lacks a figure
   */
  public static ExpvarMemStats parseHeapProfile(String body) {
    int at = body.lastIndexOf(PROFILE_MEMSTATS);
    if (at < 0) {
      throw new IllegalArgumentException("no runtime.MemStats block in the heap profile page");
    }
    Map<String, String> f = new HashMap<>();
    for (String line : body.substring(at + PROFILE_MEMSTATS.length()).split("\n")) {
      int eq = line.indexOf(" = ");
      if (line.startsWith("# ") && eq > 2) {
        f.put(line.substring(2, eq).trim(), line.substring(eq + 3).trim());
      }
    }
    long[] pauseNs = bracketed(f.get("PauseNs"));
    long[] stack = pair(f, "Stack");
    long[] mSpan = pair(f, "MSpan");
    long[] mCache = pair(f, "MCache");
    long pauseTotal = 0;
    for (long ns : pauseNs) {
      pauseTotal += ns;
    }
    return new ExpvarMemStats(
        number(f, "Alloc"), number(f, "TotalAlloc"), number(f, "Sys"),
        number(f, "HeapAlloc"), number(f, "HeapSys"), number(f, "HeapIdle"),
        number(f, "HeapInuse"), number(f, "HeapReleased"), number(f, "HeapObjects"),
        stack[0], number(f, "NextGC"), number(f, "LastGC"), pauseTotal, number(f, "NumGC"),
        optional(f, "NumForcedGC"),
        f.containsKey("GCCPUFraction") ? decimal(f, "GCCPUFraction") : 0,
        pauseNs, bracketed(f.get("PauseEnd")),
        new RuntimeSys(stack[1], mSpan[0], mSpan[1], mCache[0], mCache[1],
            optional(f, "BuckHashSys"), optional(f, "GCSys"), optional(f, "OtherSys")));
  }

  private static long number(Map<String, String> f, String name) {
    String v = f.get(name);
    try {
      if (v != null) {
        return Long.parseLong(v);
      }
    } catch (NumberFormatException e) {
      // refused below, with the figure
    }
    throw new IllegalArgumentException("MemStats field " + name + " missing or not a number: "
        + v);
  }

  /** A figure an older Go may not print: 0 when absent, as the expvar page's are read. */
  private static long optional(Map<String, String> f, String name) {
    return f.containsKey(name) ? number(f, name) : 0;
  }

  private static double decimal(Map<String, String> f, String name) {
    try {
      return Double.parseDouble(f.get(name));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("MemStats field " + name + " not a number: "
          + f.get(name));
    }
  }

  /** {@code inuse / sys}, as the profile prints Stack, MSpan and MCache. */
  private static long[] pair(Map<String, String> f, String name) {
    String v = f.get(name);
    int slash = v == null ? -1 : v.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("MemStats field " + name + " not 'inuse / sys': " + v);
    }
    try {
      return new long[] {Long.parseLong(v.substring(0, slash).trim()),
          Long.parseLong(v.substring(slash + 1).trim())};
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("MemStats field " + name + " not 'inuse / sys': " + v);
    }
  }

  /** {@code [1 2 3]}; an absent or malformed list is empty (no pauses read, none invented). */
  private static long[] bracketed(String v) {
    if (v == null || !v.startsWith("[") || !v.endsWith("]")) {
      return new long[0];
    }
    String inner = v.substring(1, v.length() - 1).trim();
    if (inner.isEmpty()) {
      return new long[0];
    }
    String[] parts = inner.split("\\s+");
    long[] out = new long[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        out[i] = Long.parseLong(parts[i]);
      }
    } catch (NumberFormatException e) {
      return new long[0];
    }
    return out;
  }

  private static long required(JsonNode m, String field) {
    JsonNode n = m.get(field);
    if (n == null || !n.isNumber()) {
      throw new IllegalArgumentException("memstats field " + field + " missing or not a number");
    }
    return n.asLong();
  }

  private static long[] longs(JsonNode array) {
    if (array == null || !array.isArray()) {
      return new long[0];
    }
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  /**
   * Pauses of the cycles after {@code previousNumGc}, oldest first; at most the buffer's 256
   * (older ones were overwritten between scrapes and are lost).
   */
  public List<Pause> pausesAfter(long previousNumGc) {
    List<Pause> out = new ArrayList<>();
    int size = Math.min(pauseNs.length, pauseEnd.length);
    if (size == 0 || numGc < 1 || numGc <= previousNumGc) {
      return out;
    }
    // counted, not "for n <= numGc; n++": with NumGC = Long.MAX_VALUE that loop never ended
    long count = Math.min(size, numGc - Math.max(previousNumGc, 0));
    for (long n = numGc - count + 1, k = 0; k < count; n++, k++) {
      int i = (int) ((n - 1) % size);
      out.add(new Pause(n, pauseEnd[i] - pauseNs[i], pauseNs[i]));
    }
    return out;
  }
}
