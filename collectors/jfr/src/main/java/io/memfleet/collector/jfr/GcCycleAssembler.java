package io.memfleet.collector.jfr;

import io.memfleet.event.EventHeader;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import org.apache.avro.specific.SpecificRecord;

/**
 * Assembles one {@link GcCycle} per JVM collection from the JFR events that describe it — {@code
 * jdk.GarbageCollection}, the before/after {@code jdk.GCHeapSummary} and, on G1, {@code
 * jdk.G1GarbageCollection} whose {@code type} tells a mixed collection from a young one — and
 * recognises a Java heap {@code OutOfMemoryError} from the collections that precede it.
 *
 * <p>Which collections show the live set ({@link GcCycle#getLiveBytes()}):
 *
 * <table>
 *   <caption>live set by collection</caption>
 *   <tr><td>FULL (G1Full, SerialOld, ParallelOld)</td><td>heap after = live set</td></tr>
 *   <tr><td>MIXED (G1 young collection that also evacuates old regions)</td><td>none: heap
 *       after = live set plus the garbage of the old regions G1 chose not to collect, and while
 *       G1 grows its heap it chooses few (seen: heap after mixed collections rising 335 MiB in
 *       98 s in a service with a flat live set)</td></tr>
 *   <tr><td>CONCURRENT whole-heap cycles (ZGC {@code Z}, Shenandoah)</td><td>heap after = live
 *       set plus what was allocated during the cycle</td></tr>
 *   <tr><td>CONCURRENT G1 marking cycle ({@code G1Old})</td><td>none: marking frees only empty
 *       regions, the mixed collections after it do the reclaiming; its heap after also holds all
 *       that was allocated while it marked (seen here: 28 MiB before, 60 MiB after)</td></tr>
 *   <tr><td>YOUNG</td><td>none: the old generation still holds promoted garbage</td></tr>
 * </table>
 *
 * <p>A heap {@code OutOfMemoryError} is not a JFR event (the JVM throws a preallocated error
 * without running a constructor). HotSpot throws it after a failed allocation has been retried
 * with a full collection and then a second, maximally compacting one that also clears soft
 * references; two full collections back to back (the second starting within {@value
 * #BACK_TO_BACK_NS} ns of the first's end) that leave the heap at or above {@value
 * #EXHAUSTED_FRACTION} of its maximum are that signature, reported as an {@link OomKill} with
 * {@link OomDetection#JAVA_OUT_OF_MEMORY}. The collection a JVM runs when metaspace is
 * exhausted ({@link #METASPACE_EXHAUSTED_CAUSES}) is reported the same way for
 * {@link MemoryPool#METASPACE}. At most one report per {@value
 * #REPORT_GAP_NS} ns.
 *
 * <p>Not thread-safe: one stream thread calls it.
 */
final class GcCycleAssembler {
  /** Flushes a cycle waits for its after-GC summary before it is dropped. */
  private static final int PATIENCE_FLUSHES = 3;
  static final long BACK_TO_BACK_NS = 1_000_000_000L;
  static final double EXHAUSTED_FRACTION = 0.8;
  static final long REPORT_GAP_NS = 10_000_000_000L;
  /**
   * Causes of the collection a JVM runs when a class's metadata still does not fit after the
   * collection metaspace's threshold asked for: the stop-the-world collectors clear soft
   * references for it ("Metadata GC Clear Soft References": seen on JDK 17 G1 with
   * {@code -XX:MaxMetaspaceSize=64m}, twice within 0.1 s before "OutOfMemoryError: Metaspace"),
   * the concurrent ones run a last-ditch collection. If it frees nothing the allocation throws.
   */
  static final java.util.Set<String> METASPACE_EXHAUSTED_CAUSES =
      java.util.Set.of("Last ditch collection", "Metadata GC Clear Soft References");

  private final LongFunction<EventHeader> header;
  private final String comm;
  private final Map<Long, PendingGc> pending = new LinkedHashMap<>();
  private boolean g1TypesSeen;
  private long incomplete;
  private Long maxHeapBytes;
  private Long reservedHeapBytes;
  private GcCycle previous;
  private long lastReportNs = Long.MIN_VALUE;

  /**
   * @param header the header for an event at a raw timestamp (epoch ns), numbered when called
   * @param comm the JVM's command name, for the victim of an inferred OutOfMemoryError
   */
  GcCycleAssembler(LongFunction<EventHeader> header, String comm) {
    this.header = header;
    this.comm = comm;
  }

  void maxHeapBytes(Long max) {
    this.maxHeapBytes = max;
  }

  Long maxHeapBytes() {
    return maxHeapBytes;
  }

  /**
   * The heap's reserved size from its summaries: the maximum it may grow to, which stands in for
   * the configured maximum until {@code jdk.GCHeapConfiguration} came (a chunk-start event, which
   * a stream that begins in a busy JVM may not see for a long time, or at all).
   */
  void reservedHeapBytes(Long reserved) {
    this.reservedHeapBytes = reserved;
  }

  /** Cycles dropped because their after-GC heap summary never arrived. */
  long incompleteCycles() {
    return incomplete;
  }

  List<SpecificRecord> collection(long gcId, String name, String cause, long startNs,
      long durationNs, long sumOfPausesNs) {
    PendingGc p = pending.computeIfAbsent(gcId, id -> new PendingGc());
    p.seen = true;
    p.name = name;
    p.cause = cause;
    p.startNs = startNs;
    p.durationNs = durationNs;
    p.sumOfPausesNs = sumOfPausesNs;
    return completed(gcId, p, false);
  }

  List<SpecificRecord> g1Type(long gcId, String type) {
    g1TypesSeen = true;
    PendingGc p = pending.computeIfAbsent(gcId, id -> new PendingGc());
    p.g1Type = type;
    return completed(gcId, p, false);
  }

  List<SpecificRecord> heapSummary(long gcId, boolean before, long usedBytes) {
    PendingGc p = pending.computeIfAbsent(gcId, id -> new PendingGc());
    if (before) {
      p.before = usedBytes;
    } else {
      p.after = usedBytes;
    }
    return completed(gcId, p, false);
  }

  /** After each stream flush: completes cycles still waiting for a G1 type, drops stale ones. */
  List<SpecificRecord> flush() {
    List<SpecificRecord> out = new ArrayList<>();
    Iterator<Map.Entry<Long, PendingGc>> it = pending.entrySet().iterator();
    List<Map.Entry<Long, PendingGc>> ready = new ArrayList<>();
    while (it.hasNext()) {
      Map.Entry<Long, PendingGc> e = it.next();
      PendingGc p = e.getValue();
      if (p.seen && p.after != null) {
        ready.add(e); // only the G1 type is missing: it is not coming
      } else if (++p.flushes > PATIENCE_FLUSHES) {
        it.remove();
        if (p.seen) {
          incomplete++;
        }
      }
    }
    for (Map.Entry<Long, PendingGc> e : ready) {
      out.addAll(completed(e.getKey(), e.getValue(), true));
    }
    return out;
  }

  private List<SpecificRecord> completed(long gcId, PendingGc p, boolean giveUpOnType) {
    if (!p.seen || p.after == null) {
      return List.of();
    }
    boolean needsType = g1TypesSeen && "G1New".equals(p.name) && p.g1Type == null;
    if (needsType && !giveUpOnType) {
      return List.of();
    }
    pending.remove(gcId);
    GcGeneration generation = generation(p.name, p.g1Type);
    long after = p.after;
    GcCycle cycle = GcCycle.newBuilder()
        // numbered when published, so sequence order is publish order
        .setHeader(header.apply(p.startNs))
        .setGcId(gcId)
        .setCollectorName(p.g1Type == null ? p.name : p.name + " (" + p.g1Type + ")")
        .setCause(p.cause)
        .setGeneration(generation)
        .setHeapBeforeBytes(p.before != null ? p.before : after)
        .setHeapAfterBytes(after)
        .setLiveBytes(showsLiveSet(p.name, generation) ? after : null)
        .setDurationNs(p.durationNs)
        .setSumOfPausesNs(p.sumOfPausesNs)
        .setForced("System.gc()".equals(p.cause) || "Diagnostic Command".equals(p.cause))
        .build();
    List<SpecificRecord> out = new ArrayList<>(2);
    out.add(cycle);
    OomKill oome = outOfMemory(cycle);
    if (oome != null) {
      out.add(oome);
    }
    previous = cycle;
    return out;
  }

  private static boolean showsLiveSet(String name, GcGeneration g) {
    return g == GcGeneration.FULL || g == GcGeneration.OLD
        || g == GcGeneration.CONCURRENT && !"G1Old".equals(name);
  }

  /** HotSpot collector names as JFR reports them, refined by G1's collection type. */
  static GcGeneration generation(String name, String g1Type) {
    if (name == null) {
      return GcGeneration.UNKNOWN;
    }
    return switch (name) {
      case "G1New" -> "Mixed".equals(g1Type) ? GcGeneration.MIXED : GcGeneration.YOUNG;
      case "DefNew", "ParallelScavenge", "ParNew", "PSYoungGen", "ZMinor", "ZGC Minor" ->
          GcGeneration.YOUNG;
      case "G1Full", "SerialOld", "ParallelOld", "PSMarkSweep", "Serial Old" -> GcGeneration.FULL;
      case "G1Old", "ConcurrentMarkSweep", "Z", "ZGC", "ZMajor", "ZGC Major", "Shenandoah" ->
          GcGeneration.CONCURRENT;
      default -> GcGeneration.UNKNOWN;
    };
  }

  private OomKill outOfMemory(GcCycle c) {
    long startNs = c.getHeader().getRawTimestamp();
    if (lastReportNs != Long.MIN_VALUE && startNs - lastReportNs < REPORT_GAP_NS) {
      return null;
    }
    String message = null;
    MemoryPool pool = null;
    if (METASPACE_EXHAUSTED_CAUSES.contains(c.getCause())) {
      pool = MemoryPool.METASPACE;
      message = "Metaspace (inferred: the JVM ran a " + c.getCause() + " collection, which it "
          + "does when metaspace is exhausted)";
    } else if (c.getGeneration() == GcGeneration.FULL && previous != null
        && previous.getGeneration() == GcGeneration.FULL && heapMax() > 0) {
      long previousEnd = previous.getHeader().getRawTimestamp() + previous.getDurationNs();
      double full = Math.min(c.getHeapAfterBytes(), previous.getHeapAfterBytes())
          / (double) heapMax();
      if (startNs - previousEnd <= BACK_TO_BACK_NS && full >= EXHAUSTED_FRACTION) {
        pool = MemoryPool.HEAP;
        message = String.format(Locale.ROOT, "Java heap space (inferred: two full collections "
            + "back to back left the heap %.0f%% full)", 100 * full);
      }
    }
    if (pool == null) {
      return null;
    }
    lastReportNs = startNs;
    return OomKill.newBuilder()
        .setHeader(header.apply(startNs + c.getDurationNs()))
        .setDetectedBy(OomDetection.JAVA_OUT_OF_MEMORY)
        .setVictimComm(comm)
        .setPool(pool)
        .setErrorMessage(message)
        .build();
  }

  /** The configured maximum, else the reserved heap, else 0. */
  private long heapMax() {
    Long max = maxHeapBytes != null ? maxHeapBytes : reservedHeapBytes;
    return max != null ? max : 0;
  }

  /** What is known so far of one collection. */
  private static final class PendingGc {
    boolean seen;
    long startNs;
    String name;
    String cause;
    String g1Type;
    long durationNs;
    long sumOfPausesNs;
    Long before;
    Long after;
    int flushes;
  }
}
