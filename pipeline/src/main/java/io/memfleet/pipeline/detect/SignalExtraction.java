package io.memfleet.pipeline.detect;

import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PageFault;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.StackCount;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.pipeline.detect.rules.Culprits;
import io.memfleet.pipeline.detect.rules.LiveSetGrowthRule;
import io.memfleet.pipeline.model.Limits;
import io.memfleet.pipeline.model.Shmem;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.model.Unreclaimable;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Which event feeds which {@link Signal}, and with what value: the one place that reads events
 * for the rules. {@link ObservationFunction} folds what is added here into buckets.
 *
 * <table>
 *   <caption>What feeds which signal</caption>
 *   <tr><td>GcCycle (JVM)</td><td>LIVE_SET: heap after every collection (floor of the bucket);
 *       confirmed when the collection shows the live set (liveBytes set: full,
 *       ZGC/Shenandoah), whose newest figure also rides along with its own time</td></tr>
 *   <tr><td>GcCycle (Go)</td><td>GO_LIVE_HEAP: lowest live heap</td></tr>
 *   <tr><td>ThreadCount</td><td>GOROUTINES; THREADS series {@code java} (JFR) or {@code os}
 *       (procfs); goroutines by the stack where they are parked and JFR's live threads by the
 *       stack that started them as levels by stack, which name a goroutine or thread leak's
 *       code</td></tr>
 *   <tr><td>MemoryPools</td><td>POOL series METASPACE (metaspace + class space),
 *       DIRECT_BUFFERS (+ mapped), CODE_CACHE: latest bytes, limit as companion; JFR's live
 *       classes by the stack that defined them as levels by stack, which name a class-loader
 *       leak's code</td></tr>
 *   <tr><td>NativeMemory (derived by the join)</td><td>NATIVE: lowest RSS − managed,
 *       companion managed committed</td></tr>
 *   <tr><td>ResidentMemory of a native process (no managed heap), or of a Go program whose
 *       runtime metrics never came</td><td>NATIVE: lowest RSS, companion 0</td></tr>
 *   <tr><td>PageFault (minor, with stack)</td><td>faulted-in bytes by stack: the heaviest stack
 *       since the process was first seen rides along on NATIVE (where new pages are first
 *       touched)</td></tr>
 *   <tr><td>Allocation OUTSTANDING from the Go heap profile, Allocation JAVA_OLD_OBJECT</td>
 *       <td>what the managed heap retains, by stack (and class): the heaviest of the latest set
 *       (JVM samples at least 10 s old) rides along on GO_LIVE_HEAP / LIVE_SET</td></tr>
 *   <tr><td>Allocation OUTSTANDING (eBPF), MemoryMapping</td><td>OUTSTANDING per stack / "mmap":
 *       latest outstanding bytes; "mmap" carries the stack that mapped the most</td></tr>
 *   <tr><td>Allocation JAVA_HEAP_CLASS (the JVM's class histograms)</td><td>levels by class
 *       (bytes on the heap): where no old-object sample names what a JVM retains, the program
 *       class whose bytes grew the most (else the class) names LIVE_SET</td></tr>
 *   <tr><td>Allocation MAPPED / FAULTED_IN (eBPF)</td><td>levels by stack (still mapped, pages
 *       still there): the stack whose level grew the most names NATIVE and "mmap", before the
 *       sums above (which name churn as readily as a leak)</td></tr>
 *   <tr><td>Allocation OUTSTANDING of {@value #DIRECT_BUFFER_CLASS} (the JVM's direct-buffer
 *       probe)</td><td>levels by stack (live direct buffers): the stack whose level grew the
 *       most names POOL DIRECT_BUFFERS</td></tr>
 *   <tr><td>ResidentMemory</td><td>RESIDENT: lowest RSS; POOL SHMEM: shared memory and tmpfs
 *       (the cgroup's, else the process's RssShmem); CGROUP_MEMORY when the cgroup has a limit:
 *       highest unreclaimable bytes (usage − page cache, tmpfs and shmem kept), companion the
 *       limit</td></tr>
 *   <tr><td>GcPause, GcCycle, HeapSummary</td><td>GC_LOAD: GC time fraction, companion heap
 *       after GC / max</td></tr>
 * </table>
 */
final class SignalExtraction {
  /** A minor fault brings in one page. */
  static final long PAGE_BYTES = 4096;
  /** An old-object sample counts as retained once the object is this old. */
  static final long MIN_RETAINED_AGE_NS = 10_000_000_000L;
  /** The class of what the JVM's direct-buffer probe reports live by stack. */
  static final String DIRECT_BUFFER_CLASS = "java.nio.DirectByteBuffer";

  private SignalExtraction() {}

  /** Where extraction puts values: the open buckets of one process. */
  interface Buckets {
    /** The open bucket of the series for {@code e}, emitting the previous; null if over limit. */
    SeriesBucket openBucket(Signal signal, String series, TimedEvent e) throws Exception;

    /** Stores a bucket changed after {@link #openBucket}. */
    void store(SeriesBucket b) throws Exception;

    /** The managed heap's maximum when known, else NaN. */
    double heapMax() throws Exception;

    /** Remembers the managed heap's maximum. */
    void heapMax(long bytes) throws Exception;

    /**
     * What the program can fill of the managed heap: the usable part of its maximum where the
     * collector keeps some of it empty (a Serial JVM's survivor space: the JVM throws
     * OutOfMemoryError there), else the maximum, else NaN. The live set's forecast and the
     * heap's fullness aim at it; the heap's footprint in its cgroup is the whole maximum.
     */
    double heapFillable() throws Exception;

    /** Remembers the usable part of the managed heap's maximum. */
    void heapUsableMax(long bytes) throws Exception;

    /** Remembers the managed heap's latest footprint (any heap summary) and its event time. */
    void heapFootprint(long utcNs, long bytes) throws Exception;

    /** The managed heap's latest footprint, else NaN. */
    double heapFootprint() throws Exception;

    /** The event time of {@link #heapFootprint()}, 0 when none. */
    long heapFootprintUtcNs() throws Exception;

    /** Adds sampled allocation weight to an object class. */
    void classWeight(String objectClass, long weightBytes) throws Exception;

    /** Adds an old-object sample (still alive) to the latest set of retained samples. */
    void retained(long utcNs, long hash, String frames, String objectClass, long bytes)
        throws Exception;

    /**
     * Adds bytes to the process's stack tally at event time {@code utcNs}: {@code faults} (new
     * pages, summed since the process was first seen) or mappings (what each stack mapped
     * lately: the tally decays).
     */
    void stackBytes(boolean faults, long utcNs, long hash, String frames, long bytes)
        throws Exception;

    /**
     * Notes how many times the process's resident shared memory counts its managed heap: a ZGC
     * heap lives in a memfd, mapped three times by the single-generation ZGC (JDK ≤ 20's
     * multi-mapping), once by the generational one.
     */
    void heapSharedViews(int views) throws Exception;

    /** What {@link #heapSharedViews(int)} noted, 0 when the heap is not shared memory. */
    int heapSharedViews() throws Exception;

    /** Notes the process's resident set. */
    void residentBytes(long bytes) throws Exception;

    /** The process's latest resident set, NaN when none was seen. */
    double residentBytes() throws Exception;

    /**
     * Notes that the process's managed heap is known: the join derived its native memory, or a
     * Go runtime's own figures came.
     */
    void managedSeen() throws Exception;

    /** Whether {@link #managedSeen()} was noted for the process. */
    boolean managedKnown() throws Exception;

    /** Notes the bytes of a JVM's direct and mapped buffers (its MemoryPools). */
    void jvmBufferBytes(long bytes) throws Exception;

    /** What {@link #jvmBufferBytes(long)} noted last, NaN when nothing was. */
    double jvmBufferBytes() throws Exception;

    /**
     * Stacks' levels of {@code kind} as a collector reports them at {@code utcNs}: every group
     * with a stack (one state read and write for all of them; frames are joined only for a stack
     * whose level is kept with its frames).
     */
    void stackLevels(StackLevels.Kind kind, long utcNs, List<StackCount> groups)
        throws Exception;

    /** A stack's level of {@code kind} as a collector reports it at {@code utcNs}. */
    void stackLevel(StackLevels.Kind kind, long utcNs, long hash, List<String> frames, long bytes)
        throws Exception;

    /** Folds a value into the series' open bucket. */
    default SeriesBucket add(Signal signal, String series, TimedEvent e, double value,
        double companion) throws Exception {
      SeriesBucket b = openBucket(signal, series, e);
      if (b != null) {
        b.add(e.utcNs, value);
        if (!Double.isNaN(companion)) {
          b.companion = companion;
        }
        store(b);
      }
      return b;
    }
  }

  /** Whether events of this kind feed any signal (others are not decoded). */
  static boolean relevant(String kind) {
    switch (kind == null ? "" : kind) {
      case TimedEvent.NATIVE_MEMORY_KIND:
      case "GcCycle":
      case "HeapSummary":
      case "GcPause":
      case "ThreadCount":
      case "ResidentMemory":
      case "Allocation":
      case "MemoryMapping":
      case "MemoryPools":
      case "PageFault":
        return true;
      default:
        return false;
    }
  }

  /** The derived native-memory event of the join. */
  static void nativeMemory(TimedEvent e, Buckets out) throws Exception {
    if (e.nativeBytes == null || e.heapCommittedBytes == null) {
      return;
    }
    out.managedSeen();
    SeriesBucket b = out.openBucket(Signal.NATIVE, "", e);
    if (b != null) {
      b.add(e.utcNs, e.nativeBytes);
      b.companion = e.heapCommittedBytes;
      if (e.heapUsedBytes != null) {
        b.usedCompanion = Double.isNaN(b.usedCompanion) ? e.heapUsedBytes
            : Math.min(b.usedCompanion, e.heapUsedBytes);
      }
      out.store(b);
    }
  }

  /** A decoded event. */
  static void record(TimedEvent e, SpecificRecord record, Buckets out) throws Exception {
    if (e.source != Source.EBPF && isGo(e) && (record instanceof HeapSummary
        || record instanceof GcCycle || record instanceof MemoryPools)) {
      // the Go runtime's own figures, in the stream beside the resident set (the join's derived
      // native memory comes only once the watermark passes, minutes later in a replay)
      out.managedSeen();
    }
    if (record instanceof GcCycle) {
      gcCycle(e, (GcCycle) record, out);
    } else if (record instanceof HeapSummary) {
      heapSummary(e, (HeapSummary) record, out);
    } else if (record instanceof GcPause) {
      SeriesBucket b = out.openBucket(Signal.GC_LOAD, "", e);
      if (b != null) {
        b.count++;
        b.lastUtcNs = Math.max(b.lastUtcNs, e.utcNs);
        b.pauseEventsNs += ((GcPause) record).getDurationNs();
        out.store(b);
      }
    } else if (record instanceof ThreadCount) {
      threads(e, (ThreadCount) record, out);
    } else if (record instanceof ResidentMemory) {
      resident(e, (ResidentMemory) record, out);
    } else if (record instanceof MemoryPools) {
      pools(e, (MemoryPools) record, out);
    } else if (record instanceof Allocation) {
      allocation(e, (Allocation) record, out);
    } else if (record instanceof MemoryMapping) {
      MemoryMapping m = (MemoryMapping) record;
      // a PROT_NONE mapping reserves address space (the Go runtime's page allocator, a JVM's
      // heap before it commits it), no memory: it names no culprit
      if (m.getOp() == MappingOp.MMAP && m.getStack() != null && m.getLengthBytes() > 0
          && !m.getStack().getFrames().isEmpty() && !"PROT_NONE".equals(m.getProtection())) {
        out.stackBytes(false, e.utcNs, m.getStack().getHash(),
            String.join("\n", m.getStack().getFrames()), m.getLengthBytes());
      }
      if (m.getOutstandingBytes() != null) {
        // companion: the resident set alongside, so the rule can tell memory from address space
        SeriesBucket b = out.add(Signal.OUTSTANDING, "mmap", e, unexplained(e, m, out),
            out.residentBytes());
        if (b != null && m.getLengthBytes() > 0) {
          if (m.getOp() == MappingOp.BRK) {
            b.brkBytes += m.getLengthBytes();
          } else if (m.getOp() == MappingOp.MMAP) {
            b.mmapBytes += m.getLengthBytes();
          }
          out.store(b);
        }
      }
    } else if (record instanceof PageFault) {
      PageFault f = (PageFault) record;
      // by the program's own frame: a fault seen only inside the allocator names nobody —
      // unless the stack ends at the allocator's entry (a program without frame pointers:
      // operator new or strdup and nothing beyond), which is all there is to name
      String culprit = f.getMajor() || f.getStack() == null ? null
          : Culprits.ownFrame(f.getStack().getFrames());
      if (culprit != null) {
        out.stackBytes(true, e.utcNs, culprit.hashCode(),
            String.join("\n", f.getStack().getFrames()),
            f.getCount() * PAGE_BYTES);
      }
    }
  }

  static boolean isGo(TimedEvent e) {
    return e.runtime == Runtime.GO || (e.runtime != Runtime.JVM
        && (e.source == Source.GO_GCTRACE || e.source == Source.GO_EXPVAR));
  }

  private static void gcCycle(TimedEvent e, GcCycle c, Buckets out) throws Exception {
    double max = out.heapFillable();
    if (isGo(e)) {
      // every Go cycle marks the whole heap
      double live = c.getLiveBytes() != null ? c.getLiveBytes() : c.getHeapAfterBytes();
      out.add(Signal.GO_LIVE_HEAP, "", e, live, max);
    } else {
      SeriesBucket b = out.openBucket(Signal.LIVE_SET, "", e);
      if (b != null) {
        double after = c.getLiveBytes() != null ? c.getLiveBytes() : c.getHeapAfterBytes();
        b.add(e.utcNs, after);
        if (showsLiveSet(c)) {
          b.confirmedMin = Math.min(b.confirmedMin, after);
          if (e.utcNs >= b.liveUtcNs) {
            b.live = after;
            b.liveUtcNs = e.utcNs;
          }
        }
        b.reclaimed |= c.getGeneration() == GcGeneration.MIXED;
        boolean g1 = c.getCollectorName() != null && c.getCollectorName().startsWith("G1");
        b.g1 |= g1;
        boolean concurrent = c.getGeneration() == GcGeneration.CONCURRENT
            && c.getLiveBytes() != null;
        double left = LiveSetGrowthRule.garbageLeft(g1, concurrent, after, out.heapFootprint());
        if (!Double.isNaN(left) && e.utcNs >= b.lastUtcNs) {
          b.usedCompanion = left;
        }
        if (!Double.isNaN(max)) {
          b.companion = max;
        }
        out.store(b);
      }
    }
    SeriesBucket b = out.openBucket(Signal.GC_LOAD, "", e);
    if (b != null) {
      b.count++;
      b.lastUtcNs = Math.max(b.lastUtcNs, e.utcNs);
      if (c.getSumOfPausesNs() != null) {
        b.cyclePausesNs += c.getSumOfPausesNs();
      }
      if (c.getGcCpuFraction() != null) {
        b.gcCpuFraction = Math.max(b.gcCpuFraction, c.getGcCpuFraction());
      }
      heapRatio(b, c.getHeapAfterBytes(), max);
      out.store(b);
    }
  }

  /**
   * Whether a JVM collection shows the live set: what the collector says (liveBytes: a full
   * collection, a G1 marking with its object counts, a ZGC or Shenandoah cycle), or, from
   * collectors that did not say, full and old ones. A mixed collection does not: G1 leaves the
   * old regions it did not choose, garbage and all, and while it grows its heap it chooses few.
   */
  static boolean showsLiveSet(GcCycle c) {
    GcGeneration g = c.getGeneration();
    return c.getLiveBytes() != null || g == GcGeneration.FULL || g == GcGeneration.OLD;
  }

  private static void heapSummary(TimedEvent e, HeapSummary h, Buckets out) throws Exception {
    if (!isGo(e)) {
      // what the heap takes of the cgroup: committed, or used when that is more (a Go heap's
      // footprint comes from its pools: HeapSys is address space reserved, not memory)
      out.heapFootprint(e.utcNs, Math.max(h.getUsedBytes(), h.getCommittedBytes()));
    }
    Long m = h.getMaxBytes();
    if (Limits.isLimit(m)) {
      out.heapMax(m);
    }
    Long usable = h.getUsableMaxBytes();
    if (Limits.isLimit(usable)) {
      out.heapUsableMax(usable);
    }
    if (h.getPhase() != HeapPhase.AFTER_GC) {
      return;
    }
    double max = out.heapFillable();
    SeriesBucket b = out.openBucket(Signal.GC_LOAD, "", e);
    if (b != null) {
      b.lastUtcNs = Math.max(b.lastUtcNs, e.utcNs);
      heapRatio(b, h.getUsedBytes(), max);
      out.store(b);
    }
  }

  private static void heapRatio(SeriesBucket b, long used, double max) {
    if (!Double.isNaN(max)) {
      double r = used / max;
      b.heapRatio = Double.isNaN(b.heapRatio) ? r : Math.max(b.heapRatio, r);
    }
  }

  private static void threads(TimedEvent e, ThreadCount t, Buckets out) throws Exception {
    if (t.getKind() == ThreadKind.GOROUTINES) {
      SeriesBucket b = out.add(Signal.GOROUTINES, "", e, t.getCount(), Double.NaN);
      if (b != null && !t.getStacks().isEmpty() && t.getStacks().get(0).getStack() != null) {
        // the largest group until the levels below show one growing
        var top = t.getStacks().get(0).getStack();
        b.stackHash = top.getHash();
        b.stackFrames = String.join("\n", top.getFrames());
        out.store(b);
      }
      // goroutines by the stack where they are parked: the group that grows is named, not a
      // worker pool that is larger but steady
      levels(StackLevels.Kind.GOROUTINES, e, t.getStacks(), out);
    } else if (t.getKind() == ThreadKind.JAVA_THREADS) {
      out.add(Signal.THREADS, "java", e, t.getCount(), Double.NaN);
      // the live threads by the stack that started them: the one whose count grows is named
      levels(StackLevels.Kind.THREADS, e, t.getStacks(), out);
    } else if (t.getKind() == ThreadKind.OS_THREADS) {
      out.add(Signal.THREADS, "os", e, t.getCount(), Double.NaN);
    }
  }

  /** Counts by stack (threads, goroutines, classes) as the levels of their kind. */
  private static void levels(StackLevels.Kind kind, TimedEvent e,
      List<StackCount> groups, Buckets out) throws Exception {
    if (!groups.isEmpty()) {
      out.stackLevels(kind, e.utcNs, groups);
    }
  }

  private static void resident(TimedEvent e, ResidentMemory r, Buckets out) throws Exception {
    out.add(Signal.RESIDENT, "", e, r.getRssBytes(), Double.NaN);
    out.residentBytes(r.getRssBytes());
    // tmpfs and shared memory: not reclaimable like page cache, and in no runtime's pools
    Long shmem = Shmem.of(r);
    if (shmem != null && e.source != Source.EBPF) {
      // a ZGC heap is shared memory (a memfd): what is the heap's is the heap rules' business
      int views = e.runtime == Runtime.JVM ? out.heapSharedViews() : 0;
      double heap = out.heapFootprint();
      double own = views > 0 && !Double.isNaN(heap) ? Math.max(0, shmem - views * heap) : shmem;
      out.add(Signal.POOL, MemoryPool.SHMEM.name(), e, own, Double.NaN);
    }
    if (e.source != Source.EBPF && (e.runtime == Runtime.NATIVE
        || e.runtime == Runtime.GO && !out.managedKnown())) {
      // no managed heap: all of the resident set is native memory (companion: 0 managed); a Go
      // program that serves no runtime metrics (no expvar, no pprof, no gctrace — most do not)
      // is judged on its resident set the same way until they come, or a leak in it would be
      // seen by no rule at all (seen: a cgo C.CString leak, RSS up 1 MiB/s for 9 min, silent)
      out.add(Signal.NATIVE, "", e, r.getRssBytes(), 0);
    }
    Long limit = r.getCgroupLimitBytes();
    if (Limits.isLimit(limit)) {
      // what the kernel cannot reclaim: page cache it drops under pressure is no OOM risk
      Long unreclaimable = Unreclaimable.of(r);
      long usage = unreclaimable != null ? unreclaimable : r.getRssBytes();
      SeriesBucket b = out.add(Signal.CGROUP_MEMORY, "", e, usage, limit);
      double heap = out.heapFootprint();
      if (b != null && !Double.isNaN(heap)) {
        // the managed heap alongside, with its own time: which pool the limit fills with
        b.usedCompanion = heap;
        b.usedCompanionUtcNs = out.heapFootprintUtcNs();
        out.store(b);
      }
    }
  }

  private static void pools(TimedEvent e, MemoryPools p, Buckets out) throws Exception {
    long metaspace = 0;
    boolean hasMetaspace = false;
    Long metaspaceLimit = null;
    long direct = 0;
    boolean hasDirect = false;
    Long directLimit = null;
    Long heapCommitted = null;
    long heapReleased = 0;
    int views = Shmem.heapViews(p.getSettings().get("gc"));
    if (views > 0) {
      out.heapSharedViews(views);
    }
    for (PoolUsage u : p.getPools()) {
      MemoryPool pool = u.getPool();
      if (pool == MemoryPool.HEAP && u.getCommittedBytes() != null) {
        heapCommitted = Math.max(u.getUsedBytes(), u.getCommittedBytes());
      } else if (pool == MemoryPool.HEAP_RELEASED) {
        heapReleased = u.getUsedBytes();
      } else if (pool == MemoryPool.METASPACE || pool == MemoryPool.CLASS_SPACE) {
        metaspace += u.getUsedBytes();
        hasMetaspace = true;
        if (pool == MemoryPool.METASPACE) {
          metaspaceLimit = u.getLimitBytes();
          // live classes by the stack that defined them: the one whose count grows is named
          levels(StackLevels.Kind.CLASSES, e, u.getStacks(), out);
        }
      } else if (pool == MemoryPool.DIRECT_BUFFERS || pool == MemoryPool.MAPPED_BUFFERS) {
        direct += u.getUsedBytes();
        hasDirect = true;
        if (pool == MemoryPool.DIRECT_BUFFERS) {
          directLimit = u.getLimitBytes();
        }
      } else if (pool == MemoryPool.CODE_CACHE) {
        out.add(Signal.POOL, pool.name(), e, u.getUsedBytes(), limit(u.getLimitBytes()));
      }
    }
    if (heapCommitted != null) {
      // the heap's footprint: what it holds from the OS (a Go heap: HeapSys − HeapReleased,
      // about twice its live objects under GOGC=100)
      out.heapFootprint(e.utcNs, Math.max(0, heapCommitted - heapReleased));
    }
    if (hasMetaspace) {
      out.add(Signal.POOL, MemoryPool.METASPACE.name(), e, metaspace, limit(metaspaceLimit));
    }
    if (hasDirect) {
      out.add(Signal.POOL, MemoryPool.DIRECT_BUFFERS.name(), e, direct, limit(directLimit));
      if (e.runtime == io.memfleet.event.Runtime.JVM) {
        out.jvmBufferBytes(direct);
      }
    }
  }

  private static double limit(Long bytes) {
    return Limits.isLimit(bytes) ? bytes : Double.NaN;
  }

  /**
   * A process's mapped bytes (mappings and the heap break) less what a JVM accounts for itself:
   * its direct buffers live in malloc's heap and its mapped buffers are mappings, and the JVM
   * reports both (MemoryPools), where direct-buffer-growth judges them and names the Java code.
   * Seen: a stock JDK 25 leaking 64 KiB direct buffers at 1 MiB/s grew its mappings 1.1 MiB/s,
   * raising outstanding-growth beside direct-buffer-growth and naming a mapping of the JDK's
   * module image. What is left grows only for native memory the JVM does not account for.
   */
  private static long unexplained(TimedEvent e, MemoryMapping m, Buckets out) throws Exception {
    long mapped = m.getOutstandingBytes();
    if (e.runtime != io.memfleet.event.Runtime.JVM) {
      return mapped;
    }
    double buffers = out.jvmBufferBytes();
    return Double.isNaN(buffers) ? mapped : Math.max(0, mapped - (long) buffers);
  }

  /** A 64-bit hash of a class name, the key of its level. */
  static long classHash(String className) {
    long h = 1125899906842597L;
    for (int i = 0; i < className.length(); i++) {
      h = 31 * h + className.charAt(i);
    }
    return h;
  }

  private static void allocation(TimedEvent e, Allocation a, Buckets out) throws Exception {
    if (a.getKind() == AllocationKind.OUTSTANDING && a.getOutstandingBytes() != null
        && isGo(e) && e.source != Source.EBPF) {
      // the Go heap profile: in-use bytes by stack, the set a scrape read; it names the code
      // that holds the Go heap (go-heap-growth), it is no native allocation
      long hash = a.getStack() == null ? 0 : a.getStack().getHash();
      String frames = a.getStack() == null ? "" : String.join("\n", a.getStack().getFrames());
      if (!frames.startsWith("(other")) { // the profile's remainder names no code
        out.retained(e.utcNs, hash, frames, null, a.getOutstandingBytes());
      }
      return;
    }
    if (a.getKind() == AllocationKind.OUTSTANDING && a.getOutstandingBytes() != null
        && DIRECT_BUFFER_CLASS.equals(a.getObjectClass())) {
      // the JVM's direct-buffer probe: live direct buffers by the stack that allocated them, a
      // level that names direct-buffer growth (no series of its own: the pool is one already)
      if (a.getStack() != null && !a.getStack().getFrames().isEmpty()) {
        out.stackLevel(StackLevels.Kind.DIRECT_BUFFERS, e.utcNs, a.getStack().getHash(),
            a.getStack().getFrames(), a.getOutstandingBytes());
      }
      return;
    }
    if (a.getKind() == AllocationKind.OUTSTANDING && a.getOutstandingBytes() != null) {
      long hash = a.getStack() == null ? 0 : a.getStack().getHash();
      String series = "stack:" + Long.toHexString(hash);
      SeriesBucket b = out.openBucket(Signal.OUTSTANDING, series, e);
      if (b != null) {
        b.add(e.utcNs, a.getOutstandingBytes());
        if (a.getStack() != null && !a.getStack().getFrames().isEmpty()) {
          b.stackHash = hash;
          b.stackFrames = String.join("\n", a.getStack().getFrames());
        }
        out.store(b);
      }
      if (a.getStack() != null && !a.getStack().getFrames().isEmpty()) {
        // the same figures as levels by stack: they name the native growth the RSS shows
        out.stackLevel(StackLevels.Kind.OUTSTANDING, e.utcNs, hash, a.getStack().getFrames(),
            a.getOutstandingBytes());
      }
      return;
    }
    if ((a.getKind() == AllocationKind.MAPPED || a.getKind() == AllocationKind.FAULTED_IN)
        && a.getOutstandingBytes() != null && a.getStack() != null
        && !a.getStack().getFrames().isEmpty()) {
      out.stackLevel(a.getKind() == AllocationKind.FAULTED_IN ? StackLevels.Kind.FAULTED_IN
          : StackLevels.Kind.MAPPED, e.utcNs, a.getStack().getHash(), a.getStack().getFrames(),
          a.getOutstandingBytes());
      return;
    }
    if (a.getKind() == AllocationKind.JAVA_HEAP_CLASS && a.getOutstandingBytes() != null
        && a.getObjectClass() != null) {
      // a row of the JVM's class histogram: a level by class, which names a growing live set
      // where old-object samples name nothing retained
      String cls = a.getObjectClass();
      out.stackLevel(StackLevels.Kind.HEAP_CLASSES, e.utcNs, classHash(cls), List.of(cls),
          a.getOutstandingBytes());
      return;
    }
    if (a.getKind() == AllocationKind.JAVA_OLD_OBJECT) {
      // an object still alive since it was sampled: what the heap retains, and from where —
      // once it has outlived MIN_RETAINED_AGE_NS of collections: younger samples are mostly
      // garbage no collection has reached yet (seen: a JVM with 8 MiB/s of request garbage next
      // to a 2 MiB/s leak named the request handler's byte[] as what it retains)
      if (a.getAgeNs() != null && a.getAgeNs() < MIN_RETAINED_AGE_NS) {
        return;
      }
      // a stack without a frame of the program is the JDK's own object (seen: an Instant of
      // JFR's Recording.start, memfleet's own recording, named as a dying JVM's culprit). The
      // JFR collector keeps the frames from the program's first one on, so a cut stack without
      // one had none either, unless JFR itself cut it (64 frames of JDK code: not seen)
      if (a.getStack() != null && !a.getStack().getFrames().isEmpty()
          && Culprits.programFrame(a.getStack().getFrames()) == null) {
        return;
      }
      long hash = a.getStack() == null ? 0 : a.getStack().getHash();
      String frames = a.getStack() == null ? "" : String.join("\n", a.getStack().getFrames());
      out.retained(e.utcNs, hash ^ (a.getObjectClass() == null ? 0
          : a.getObjectClass().hashCode()), frames, a.getObjectClass(),
          Math.max(a.getSizeBytes(), 1));
      return;
    }
    if (a.getObjectClass() != null) {
      out.classWeight(a.getObjectClass(), Math.max(a.getWeightBytes(), 0));
    }
  }
}
