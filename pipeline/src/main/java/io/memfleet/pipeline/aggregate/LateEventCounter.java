package io.memfleet.pipeline.aggregate;

import io.memfleet.pipeline.model.TimedEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Labels the late-data side output of one aggregate's windows and counts it: metric
 * {@value #METRIC} of the operator (per subtask; the Flink web UI and every metrics reporter show
 * it), so late data is never silent even before it reaches {@code late_events}.
 */
public final class LateEventCounter extends RichMapFunction<TimedEvent, LateEvent> {
  private static final long serialVersionUID = 1L;
  public static final String METRIC = "lateEvents";

  private final String aggregate;
  private transient Counter late;

  public LateEventCounter(String aggregate) {
    this.aggregate = aggregate;
  }

  @Override
  public void open(OpenContext context) {
    late = getRuntimeContext().getMetricGroup().counter(METRIC);
  }

  @Override
  public LateEvent map(TimedEvent event) {
    late.inc();
    return new LateEvent(aggregate, System.currentTimeMillis(), event);
  }
}
