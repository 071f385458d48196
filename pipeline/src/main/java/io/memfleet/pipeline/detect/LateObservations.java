package io.memfleet.pipeline.detect;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the observations a rule's CEP operator received behind its watermark, which CEP cannot
 * match any more: they are reported (metric {@code lateObservations}, a log line for the first
 * and every 1000th) instead of vanishing. Emits nothing.
 *
 * <pre>{@code
 * patternStream.sideOutputLateData(LATE) ... getSideOutput(LATE).flatMap(new LateObservations())
 * }</pre>
 */
public class LateObservations extends RichFlatMapFunction<Observation, Void> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(LateObservations.class);

  private transient Counter late;

  @Override
  public void open(OpenContext openContext) {
    late = getRuntimeContext().getMetricGroup().counter("lateObservations");
  }

  @Override
  public void flatMap(Observation o, Collector<Void> out) {
    late.inc();
    if (late.getCount() % 1000 == 1) {
      LOG.warn("observation behind the watermark, not matched by the rules ({} so far): {} {} "
          + "pid {} at {} ns", late.getCount(), o.signal, o.series, o.pid, o.utcNs);
    }
  }
}
