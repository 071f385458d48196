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
    return p;
  }

  private static MemoryPoint of(TimedEvent e) {
    MemoryPoint p = new MemoryPoint();
    p.utcNs = e.utcNs;
    p.errorBoundNs = e.errorBoundNs;
    p.source = e.source;
    return p;
  }

  long eventTimeMs() {
    return Math.floorDiv(utcNs, 1_000_000L);
  }
}
