package io.memfleet.pipeline.aggregate;

import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Fires an event-time window once, when the watermark passes its end plus the allowed lateness —
 * the window operator's own lateness bound ({@code allowedLateness}), after which later events go
 * to the late-data side output. Events up to the lateness behind the watermark are therefore in
 * the window's one row; Flink's default trigger would instead emit at the end and again for each
 * late event, and a table of windows would hold several rows for one window.
 *
 * <p>With a lateness of 0 it is Flink's {@code EventTimeTrigger}.
 */
public final class LatenessTrigger extends Trigger<Object, TimeWindow> {
  private static final long serialVersionUID = 1L;
  private final long latenessMs;

  public LatenessTrigger(long latenessMs) {
    if (latenessMs < 0) {
      throw new IllegalArgumentException("allowed lateness must not be negative: " + latenessMs);
    }
    this.latenessMs = latenessMs;
  }

  private long fireAt(TimeWindow window) {
    return window.maxTimestamp() + latenessMs;
  }

  @Override
  public TriggerResult onElement(Object element, long timestamp, TimeWindow window,
      TriggerContext ctx) {
    if (fireAt(window) <= ctx.getCurrentWatermark()) {
      return TriggerResult.FIRE; // not reached: the operator sends such elements to the side output
    }
    ctx.registerEventTimeTimer(fireAt(window));
    return TriggerResult.CONTINUE;
  }

  @Override
  public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
    return time == fireAt(window) ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }

  @Override
  public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
    return TriggerResult.CONTINUE;
  }

  @Override
  public void clear(TimeWindow window, TriggerContext ctx) {
    ctx.deleteEventTimeTimer(fireAt(window));
  }
}
