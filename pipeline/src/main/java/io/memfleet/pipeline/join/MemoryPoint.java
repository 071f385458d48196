package io.memfleet.pipeline.join;

import io.memfleet.event.Source;
import io.memfleet.pipeline.model.TimedEvent;

/** One RSS or managed-heap reading kept by the join. A Flink POJO (keyed state). */
public class MemoryPoint {
  public long utcNs;
  public long errorBoundNs;
  public long bytes;
  /** Managed only: used bytes. */
  public long usedBytes;
  /**
   * Managed only: the most the heap has used since its committed size last shrank — the part of
   * the committed heap that has been touched, so is resident (a JVM commits its heap's pages
   * long before it writes them).
   */
  public long usedHighWaterBytes;
  public Source source;

  public MemoryPoint() {}

  static MemoryPoint rss(TimedEvent e) {
    MemoryPoint p = of(e);
    p.bytes = e.rssBytes;
    return p;
  }

  static MemoryPoint managed(TimedEvent e) {
    MemoryPoint p = of(e);
    p.bytes = e.heapCommittedBytes;
    p.usedBytes = e.heapUsedBytes == null ? 0 : e.heapUsedBytes;
    p.usedHighWaterBytes = p.usedBytes;
    return p;
  }

  private static MemoryPoint of(TimedEvent e) {
    MemoryPoint p = new MemoryPoint();
    p.utcNs = e.utcNs;
    p.errorBoundNs = e.errorBoundNs;
    p.source = e.source;
    return p;
  }

  /**
   * Managed only: what of the heap is resident, the committed size where the heap has used that
   * much, else the most it has used (committed pages never written are not in RSS).
   */
  long residentBytes() {
    return usedHighWaterBytes <= 0 ? bytes : Math.min(bytes, usedHighWaterBytes);
  }

  long eventTimeMs() {
    return Math.floorDiv(utcNs, 1_000_000L);
  }
}
