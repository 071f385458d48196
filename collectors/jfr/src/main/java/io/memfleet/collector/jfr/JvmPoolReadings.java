package io.memfleet.collector.jfr;

import io.memfleet.event.EventHeader;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.PoolUsage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedObject;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JVM's memory outside the Java heap, from JFR, as {@link MemoryPools} readings in memfleet's
 * one pool vocabulary, and direct buffer memory running out.
 *
 * <table>
 *   <caption>mapping</caption>
 *   <tr><td>jdk.MetaspaceSummary (after GC)</td><td>METASPACE (non-class data) and CLASS_SPACE:
 *       used, committed</td></tr>
 *   <tr><td>jdk.DirectBufferStatistics (periodic)</td><td>DIRECT_BUFFERS: memory used,
 *       capacity, maximum (-XX:MaxDirectMemorySize), count</td></tr>
 *   <tr><td>jdk.CodeCacheStatistics (one per code heap, periodic)</td><td>CODE_CACHE: used =
 *       reserved − unallocated over all code heaps, limit = reserved; one reading per flush</td>
 *       </tr>
 *   <tr><td>jdk.NativeMemoryUsageTotal (JDK 20+, with -XX:NativeMemoryTracking)</td><td>
 *       NATIVE_TRACKED: committed</td></tr>
 *   <tr><td>jdk.GCConfiguration</td><td>settings {@code gc}: young and old collector</td></tr>
 *   <tr><td>jdk.DirectBufferStatistics at or above {@value #EXHAUSTED_FRACTION} of its
 *       maximum</td><td>OomKill JAVA_OUT_OF_MEMORY for DIRECT_BUFFERS (at most one per
 *       {@value #REPORT_GAP_NS} ns): the next {@code allocateDirect} fails with "Direct buffer
 *       memory"</td></tr>
 * </table>
 *
 * <p>JFR records no event for an OutOfMemoryError, not even one built by Java code
 * ({@code jdk.JavaErrorThrow} leaves them out), so exhaustion is recognised from the pool's
 * size against its limit.
 *
 * <p>Not thread-safe: one stream thread calls it.
 */
public final class JvmPoolReadings {
  /** Share of its maximum at which a pool's next allocation fails: it is exhausted. */
  public static final double EXHAUSTED_FRACTION = 0.9;
  /** At most one inferred OutOfMemoryError per this many ns. */
  public static final long REPORT_GAP_NS = 10_000_000_000L;
  private final LongFunction<EventHeader> header;
  private final String comm;
  private final Map<String, long[]> codeHeaps = new LinkedHashMap<>(); // name -> {used, reserved}
  private long codeCacheAtNs;
  private final Map<String, String> settings = new LinkedHashMap<>();
  private long lastReportNs = Long.MIN_VALUE;

  JvmPoolReadings(LongFunction<EventHeader> header, String comm) {
    this.header = header;
    this.comm = comm;
  }

  /** The pools of one JFR event, or empty when it adds nothing by itself. */
  List<SpecificRecord> map(RecordedEvent e, long atNs) {
    switch (e.getEventType().getName()) {
      case "jdk.MetaspaceSummary" -> {
        if (!"After GC".equals(e.getString("when"))) {
          return List.of();
        }
        return List.of(pools(atNs, List.of(
            usage(MemoryPool.METASPACE, e.getValue("dataSpace"), null),
            usage(MemoryPool.CLASS_SPACE, e.getValue("classSpace"), null))));
      }
      case "jdk.DirectBufferStatistics" -> {
        long max = e.getLong("maxCapacity");
        long used = Math.max(0, e.getLong("memoryUsed"));
        MemoryPools reading = pools(atNs, List.of(PoolUsage.newBuilder()
            .setPool(MemoryPool.DIRECT_BUFFERS)
            .setUsedBytes(used)
            .setCommittedBytes(Math.max(0, e.getLong("totalCapacity")))
            .setLimitBytes(max > 0 ? max : null)
            .setCount(e.getLong("count"))
            .build()));
        if (max <= 0 || used < EXHAUSTED_FRACTION * max
            || lastReportNs != Long.MIN_VALUE && atNs - lastReportNs < REPORT_GAP_NS) {
          return List.of(reading);
        }
        lastReportNs = atNs;
        return List.of(reading, OomKill.newBuilder()
            .setHeader(header.apply(atNs))
            .setDetectedBy(OomDetection.JAVA_OUT_OF_MEMORY)
            .setVictimComm(comm)
            .setPool(MemoryPool.DIRECT_BUFFERS)
            .setErrorMessage(String.format(Locale.ROOT, "Direct buffer memory (inferred: direct "
                + "buffers use %.0f%% of -XX:MaxDirectMemorySize)", 100.0 * used / max))
            .build());
      }
      case "jdk.CodeCacheStatistics" -> {
        long reserved = e.getLong("reservedTopAddress") - e.getLong("startAddress");
        long used = Math.max(0, reserved - e.getLong("unallocatedCapacity"));
        codeHeaps.put(e.getString("codeBlobType"), new long[] {used, reserved});
        codeCacheAtNs = atNs;
        return List.of();
      }
      case "jdk.NativeMemoryUsageTotal" -> {
        return List.of(pools(atNs, List.of(PoolUsage.newBuilder()
            .setPool(MemoryPool.NATIVE_TRACKED)
            .setUsedBytes(e.getLong("committed"))
            .setCommittedBytes(e.getLong("committed"))
            .build())));
      }
      case "jdk.GCConfiguration" -> {
        settings.put("gc", e.getString("youngCollector") + "/" + e.getString("oldCollector"));
        return List.of();
      }
      default -> {
        return List.of();
      }
    }
  }

  /** After a stream flush: the code cache summed over the code heaps reported since. */
  List<SpecificRecord> flush() {
    if (codeHeaps.isEmpty()) {
      return List.of();
    }
    long used = 0;
    long reserved = 0;
    for (long[] h : codeHeaps.values()) {
      used += h[0];
      reserved += h[1];
    }
    codeHeaps.clear();
    return List.of(pools(codeCacheAtNs, List.of(PoolUsage.newBuilder()
        .setPool(MemoryPool.CODE_CACHE).setUsedBytes(used).setCommittedBytes(null)
        .setLimitBytes(reserved).build())));
  }

  private MemoryPools pools(long atNs, List<PoolUsage> pools) {
    return MemoryPools.newBuilder().setHeader(header.apply(atNs)).setPools(pools)
        .setSettings(Map.copyOf(settings)).build();
  }

  private static PoolUsage usage(MemoryPool pool, RecordedObject sizes, Long limit) {
    return PoolUsage.newBuilder().setPool(pool)
        .setUsedBytes(sizes == null ? 0 : sizes.getLong("used"))
        .setCommittedBytes(sizes == null ? null : sizes.getLong("committed"))
        .setLimitBytes(limit)
        .build();
  }
}
