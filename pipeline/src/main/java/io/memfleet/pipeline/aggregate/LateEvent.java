package io.memfleet.pipeline.aggregate;

import io.memfleet.pipeline.model.TimedEvent;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * An event that reached an aggregate after its window had closed (behind the watermark and past
 * the allowed lateness): the row of {@code late_events}. Written by {@link LateEventSerializer}
 * (declared with {@code @TypeInfo}).
 */
@TypeInfo(LateEventSerializer.Factory.class)
public class LateEvent {
  /** The aggregate the event missed: {@code process_memory_10s} or {@code process_memory_1m}. */
  public String aggregate;
  /** When the pipeline saw it late (processing time, epoch ms). */
  public long detectedAtMs;
  public TimedEvent event;

  public LateEvent() {}

  public LateEvent(String aggregate, long detectedAtMs, TimedEvent event) {
    this.aggregate = aggregate;
    this.detectedAtMs = detectedAtMs;
    this.event = event;
  }
}
