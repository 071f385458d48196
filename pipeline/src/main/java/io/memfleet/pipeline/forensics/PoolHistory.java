package io.memfleet.pipeline.forensics;

import io.memfleet.event.GcCycle;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.OomKill;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.pipeline.model.Shmem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The last minute of a process's memory by pool, kept next to its forensic buffer so that an OOM
 * snapshot can say which pool grew before the kill. One sample per pool every {@value #STEP_NS}
 * ns at most, {@value #KEEP_NS} ns kept: a few dozen numbers per process.
 *
 * <p>Pools tracked, from whatever the process reports: HEAP (its footprint: committed or used
 * from heap summaries, committed minus released from a Go program's pools; heap after GC when
 * neither came), NATIVE (RSS −
 * managed, from the join), the runtime pools of {@code MemoryPools} (METASPACE with class space,
 * DIRECT_BUFFERS, CODE_CACHE, THREAD_STACKS, GOROUTINE_STACKS), thread and goroutine counts
 * (stack bytes estimated at their default size), and RSS and the cgroup working set as the
 * totals the verdict falls back on.
 */
public final class PoolHistory {
  static final long STEP_NS = 2_000_000_000L;
  static final long KEEP_NS = 70_000_000_000L;
  /** How far back the verdict looks. */
  static final long VERDICT_NS = 60_000_000_000L;
  /** Totals: named only when no pool explains the growth. */
  static final String RSS = "RSS";
  static final String WORKING_SET = "WORKING_SET";
  /** The heap after collections: the heap's growth only when no heap summary was seen. */
  static final String HEAP_AFTER_GC = "HEAP_AFTER_GC";

  /** Where the samples live: {pool name → flattened [utcNs, value, ...]} in time order. */
  public interface Store {
    double[] get(String pool) throws Exception;

    void put(String pool, double[] samples) throws Exception;

    Iterable<Map.Entry<String, double[]>> entries() throws Exception;
  }

  private final Store series;

  public PoolHistory(Store series) {
    this.series = series;
  }

  /** A history in memory (tests, tools). */
  public static PoolHistory inMemory() {
    Map<String, double[]> m = new LinkedHashMap<>();
    return new PoolHistory(new Store() {
      @Override
      public double[] get(String pool) {
        return m.get(pool);
      }

      @Override
      public void put(String pool, double[] samples) {
        m.put(pool, samples);
      }

      @Override
      public Iterable<Map.Entry<String, double[]>> entries() {
        return m.entrySet();
      }
    });
  }

  /** The values of one event, as (pool name, bytes) pairs. */
  static Map<String, Double> valuesOf(SpecificRecord r) {
    Map<String, Double> v = new LinkedHashMap<>();
    if (r instanceof HeapSummary h) {
      if (h.getHeader().getProcess().getRuntime() != io.memfleet.event.Runtime.GO) {
        // the heap's footprint: committed (a Go heap's comes from its pools: HeapSys is
        // address space reserved, not memory)
        v.put(MemoryPool.HEAP.name(), (double) Math.max(h.getUsedBytes(), h.getCommittedBytes()));
      }
    } else if (r instanceof GcCycle c) {
      v.put(HEAP_AFTER_GC, (double) (c.getLiveBytes() != null ? c.getLiveBytes()
          : c.getHeapAfterBytes()));
    } else if (r instanceof ResidentMemory m) {
      v.put(RSS, (double) m.getRssBytes());
      Long ws = m.getCgroupWorkingSetBytes() != null ? m.getCgroupWorkingSetBytes()
          : m.getCgroupUsageBytes();
      if (ws != null && m.getCgroupLimitBytes() != null) {
        v.put(WORKING_SET, (double) ws);
      }
      Long shmem = Shmem.of(m);
      if (shmem != null) {
        v.put(MemoryPool.SHMEM.name(), (double) shmem);
      }
    } else if (r instanceof MemoryPools p) {
      double metaspace = 0;
      boolean hasMetaspace = false;
      Double heap = null;
      double released = 0;
      for (PoolUsage u : p.getPools()) {
        MemoryPool pool = u.getPool();
        if (pool == MemoryPool.HEAP && u.getCommittedBytes() != null) {
          heap = (double) Math.max(u.getUsedBytes(), u.getCommittedBytes());
        } else if (pool == MemoryPool.HEAP_RELEASED) {
          released = u.getUsedBytes();
        } else if (pool == MemoryPool.METASPACE || pool == MemoryPool.CLASS_SPACE) {
          metaspace += u.getUsedBytes();
          hasMetaspace = true;
        } else if (pool != MemoryPool.HEAP && pool != MemoryPool.HEAP_RELEASED
            && pool != MemoryPool.UNKNOWN) {
          v.put(pool.name(), (double) u.getUsedBytes());
        }
      }
      if (hasMetaspace) {
        v.put(MemoryPool.METASPACE.name(), metaspace);
      }
      if (heap != null) {
        v.put(MemoryPool.HEAP.name(), Math.max(0, heap - released)); // what it holds from the OS
      }
    } else if (r instanceof ThreadCount t && t.getKind() == ThreadKind.GOROUTINES) {
      v.put(MemoryPool.GOROUTINE_STACKS.name(), t.getCount() * 8192.0);
    } else if (r instanceof ThreadCount t) {
      v.put(MemoryPool.THREAD_STACKS.name(), t.getCount() * 1048576.0);
    }
    return v;
  }

  /** Adds a value of a pool at a time. */
  void add(String pool, long utcNs, double value) throws Exception {
    double[] s = series.get(pool);
    if (s == null) {
      s = new double[0];
    }
    int n = s.length / 2;
    if (n > 0 && utcNs < (long) s[2 * (n - 1)]) {
      return; // older than what we have: the verdict needs the trend, not every sample
    }
    double[] next;
    if (n > 0 && utcNs - (long) s[2 * (n - 1)] < STEP_NS) {
      next = s.clone();
      next[2 * (n - 1) + 1] = value; // the latest in the step
    } else {
      int drop = 0;
      while (drop < n && utcNs - (long) s[2 * drop] > KEEP_NS) {
        drop++;
      }
      next = new double[(n - drop + 1) * 2];
      System.arraycopy(s, 2 * drop, next, 0, (n - drop) * 2);
      next[next.length - 2] = utcNs;
      next[next.length - 1] = value;
    }
    series.put(pool, next);
  }

  /** Growth of each pool over the minute before {@code killNs}: last minus first in it. */
  Map<String, Double> growthBefore(long killNs) throws Exception {
    Map<String, Double> g = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : series.entries()) {
      double[] s = e.getValue();
      Double first = null;
      Double last = null;
      for (int i = 0; i < s.length; i += 2) {
        long t = (long) s[i];
        if (t > killNs || t < killNs - VERDICT_NS) {
          continue;
        }
        if (first == null) {
          first = s[i + 1];
        }
        last = s[i + 1];
      }
      if (first != null) {
        g.put(e.getKey(), last - first);
      }
    }
    return g;
  }

  /** Latest value of a pool at or before {@code killNs}, or NaN. */
  double latest(String pool, long killNs) throws Exception {
    double[] s = series.get(pool);
    if (s == null && pool.equals(MemoryPool.HEAP.name())) {
      s = series.get(HEAP_AFTER_GC);
    }
    double v = Double.NaN;
    if (s != null) {
      for (int i = 0; i < s.length; i += 2) {
        if ((long) s[i] <= killNs) {
          v = s[i + 1];
        }
      }
    }
    return v;
  }

  /** The pool a verdict blames, and the one-line verdict; pool null when nothing grew. */
  record Verdict(MemoryPool pool, String text, Map<String, Double> growth) {}

  Verdict verdict(OomKill kill, long killNs) throws Exception {
    Map<String, Double> growth = growthBefore(killNs);
    Double afterGc = growth.remove(HEAP_AFTER_GC);
    if (afterGc != null && !growth.containsKey(MemoryPool.HEAP.name())) {
      growth.put(MemoryPool.HEAP.name(), afterGc);
    }
    Long limit = kill.getCgroupLimitBytes();
    String ofLimit = limit == null ? "" : " of a " + mib(limit) + " limit";
    if (kill.getPool() != null) {
      String p = kill.getPool().name();
      double now = latest(p, killNs);
      Double grew = growth.get(p);
      return new Verdict(kill.getPool(), String.format(Locale.ROOT, "%s exhausted (%s)%s",
          words(p), kill.getErrorMessage() == null ? "OutOfMemoryError" : kill.getErrorMessage(),
          grew == null ? "" : String.format(Locale.ROOT, ": grew %s in the last 60 s to %s",
              mib(grew), mib(now))), growth);
    }
    List<Map.Entry<String, Double>> pools = new ArrayList<>();
    for (Map.Entry<String, Double> e : growth.entrySet()) {
      if (!e.getKey().equals(RSS) && !e.getKey().equals(WORKING_SET) && e.getValue() > 0) {
        pools.add(e);
      }
    }
    pools.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
    Double total = growth.getOrDefault(WORKING_SET, growth.get(RSS));
    if (pools.isEmpty() || total != null && pools.get(0).getValue() < total / 2) {
      // nothing named explains the growth: native memory outside every pool we see
      if (total == null || total <= 0) {
        return new Verdict(null, "no pool was seen to grow in the last 60 s", growth);
      }
      return new Verdict(MemoryPool.NATIVE, String.format(Locale.ROOT,
          "native memory grew %s in the last 60 s (resident %s%s), outside every named pool",
          mib(total), mib(latest(growth.containsKey(WORKING_SET) ? WORKING_SET : RSS, killNs)),
          ofLimit), growth);
    }
    String p = pools.get(0).getKey();
    MemoryPool pool = MemoryPool.valueOf(p);
    return new Verdict(pool, String.format(Locale.ROOT, "%s grew %s in the last 60 s (to %s%s)",
        words(p), mib(pools.get(0).getValue()), mib(latest(p, killNs)), ofLimit), growth);
  }

  private static String words(String pool) {
    return switch (pool) {
      case "HEAP" -> "heap";
      case "NATIVE" -> "native memory";
      case "DIRECT_BUFFERS" -> "direct buffers";
      case "THREAD_STACKS" -> "thread stacks";
      case "GOROUTINE_STACKS" -> "goroutine stacks";
      default -> pool.toLowerCase(Locale.ROOT).replace('_', ' ');
    };
  }

  private static String mib(double bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1 << 20));
  }
}
