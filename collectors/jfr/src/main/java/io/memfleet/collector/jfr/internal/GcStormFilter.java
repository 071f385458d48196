package io.memfleet.collector.jfr.internal;

import io.memfleet.event.GcPause;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.schema.codec.Events;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;

/**
 * Coarser GC data while a JVM collects more than {@code gcsPerSecond} times a second (a GC
 * storm: a heap too small for its allocation rate collects hundreds of times a second): in each
 * second of event time, the first {@code gcsPerSecond} collections keep every event, later ones
 * only their {@code GcCycle}. A cycle still carries heap before and after, the live set of a full
 * collection, and the sum of its pauses, so the pipeline's GC load and live-set series stay whole;
 * what goes is the per-GC {@code HeapSummary} pair, {@code GcPause} and the metaspace reading
 * taken after it ({@code MemoryPools} with METASPACE), four of the five events each collection
 * costs to encode and send. Metaspace readings carry no GC id: beyond the rate, a second keeps
 * its first {@code gcsPerSecond} of them.
 *
 * <p>Dropped events are counted here and show in the data as gaps in the header sequence (the
 * mapper numbered them before they were dropped). Not thread-safe: one stream thread.
 */
public final class GcStormFilter {
  private final int gcsPerSecond;
  private final Set<Long> fullDetail = new HashSet<>();
  private final AtomicLong droppedHeapSummaries = new AtomicLong();
  private final AtomicLong droppedPauses = new AtomicLong();
  private final AtomicLong droppedMetaspace = new AtomicLong();
  private int metaspaceThisSecond;
  private final AtomicLong stormSeconds = new AtomicLong();
  private long second = Long.MIN_VALUE;
  private boolean stormThisSecond;

  /** {@code gcsPerSecond} ≤ 0: no filtering. */
  public GcStormFilter(int gcsPerSecond) {
    this.gcsPerSecond = gcsPerSecond;
  }

  /** Whether to publish {@code event}. */
  public boolean admit(SpecificRecord event) {
    if (gcsPerSecond <= 0) {
      return true;
    }
    long gcId;
    if (event instanceof HeapSummary h && h.getGcId() != null) {
      gcId = h.getGcId();
    } else if (event instanceof GcPause p && p.getGcId() != null) {
      gcId = p.getGcId();
    } else if (event instanceof MemoryPools m && m.getPools().stream()
        .anyMatch(u -> u.getPool() == MemoryPool.METASPACE)) {
      gcId = -1; // after a collection, which one is not said
    } else {
      return true;
    }
    long s = Math.floorDiv(Events.header(event).getRawTimestamp(), 1_000_000_000L);
    if (s > second) {
      second = s;
      fullDetail.clear();
      stormThisSecond = false;
      metaspaceThisSecond = 0;
    }
    if (gcId < 0) {
      if (++metaspaceThisSecond <= gcsPerSecond) {
        return true;
      }
      droppedMetaspace.incrementAndGet();
      return false;
    }
    if (fullDetail.contains(gcId)) {
      return true;
    }
    if (fullDetail.size() < gcsPerSecond) {
      fullDetail.add(gcId);
      return true;
    }
    if (!stormThisSecond) {
      stormThisSecond = true;
      stormSeconds.incrementAndGet();
    }
    (event instanceof HeapSummary ? droppedHeapSummaries : droppedPauses).incrementAndGet();
    return false;
  }

  public long droppedHeapSummaries() {
    return droppedHeapSummaries.get();
  }

  public long droppedPauses() {
    return droppedPauses.get();
  }

  /** Metaspace readings ({@code MemoryPools} after a collection) dropped in GC storms. */
  public long droppedMetaspace() {
    return droppedMetaspace.get();
  }

  /** Seconds of event time in which the rate was exceeded. */
  public long stormSeconds() {
    return stormSeconds.get();
  }
}
