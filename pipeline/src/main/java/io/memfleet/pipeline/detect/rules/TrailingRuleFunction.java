package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.ObservationHistorySerializer;
import io.memfleet.pipeline.model.IdleExpiry;
import io.memfleet.pipeline.model.ProcessScopedKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps the trailing history of one series ({@link Observation#seriesKey()}) for a
 * {@link TrailingRule} and turns its findings into alert candidates, as
 * {@link RunRuleFunction} does for run rules.
 *
 * <p>Observations of one series come in bucket order from the observation stage; one older than
 * the newest point is counted in {@code outOfOrder} and ignored. History older than the rule's
 * window is dropped as points are added; a finding is re-sent at most every
 * {@link TrailingRule#reportEvery()} of event time while it holds (the alert manager turns those
 * into updates), and at once when its severity or pool changes or its forecast becomes known.
 * A series with no observation for {@code idleTimeout} (processing time) is forgotten: state and
 * timer cleared.
 *
 * <p>A rule may let older points go before they leave the window
 * ({@link TrailingRule#droppable}). Only the newest point keeps the process's identity strings:
 * an alert takes them from it,
 * and a rule judges the older ones by their figures. The
 * {@code oom-imminent} history holds 150 points per process, and the identity was most of each
 * point's bytes (StateSizeBenchmark, benchmarks README).
 *
 * <pre>{@code
 * observations.filter(rule::accepts).keyBy(Observation::seriesKey)
 *     .process(new TrailingRuleFunction(rule, 24, Duration.ofMinutes(10)));
 * }</pre>
 */
public class TrailingRuleFunction
    extends KeyedProcessFunction<ProcessScopedKey, Observation, Alert> {
  private static final long serialVersionUID = 1L;

  private final LeakRule rule;
  private final TrailingRule trailing;
  private final int evidenceMax;
  private final IdleExpiry idle;
  private transient ValueState<List<Observation>> history;
  private transient ValueState<long[]> reported; // {utcNs, severity ordinal}
  private transient Counter outOfOrder;
  private transient Counter findings;

  /** @param rule a rule that implements {@link TrailingRule} */
  public TrailingRuleFunction(LeakRule rule, int evidenceMax, Duration idleTimeout) {
    if (!(rule instanceof TrailingRule)) {
      throw new IllegalArgumentException(rule.name() + " is not judged on a trailing window");
    }
    this.rule = rule;
    this.trailing = (TrailingRule) rule;
    this.evidenceMax = evidenceMax;
    this.idle = new IdleExpiry(idleTimeout);
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    history = ctx.getState(new ValueStateDescriptor<>("history",
        ObservationHistorySerializer.TYPE));
    reported = ctx.getState(new ValueStateDescriptor<>("reported",
        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
            .LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    idle.open(ctx);
    outOfOrder = ctx.getMetricGroup().counter("outOfOrder");
    findings = ctx.getMetricGroup().counter("findings");
  }

  @Override
  public void processElement(Observation o, Context ctx, Collector<Alert> out) throws Exception {
    if (!rule.admits(o)) {
      return;
    }
    idle.touch(ctx.timerService());
    List<Observation> points = history.value();
    if (points == null) {
      points = new ArrayList<>();
    }
    Observation newest = points.isEmpty() ? null : points.get(points.size() - 1);
    if (newest != null && o.utcNs < newest.utcNs) {
      outOfOrder.inc();
      return;
    }
    long step = trailing.resolution().toNanos();
    if (newest != null && step > 0
        && Math.floorDiv(o.utcNs, step) == Math.floorDiv(newest.bucketStartUtcNs, step)) {
      trailing.merge(newest, o);
    } else {
      if (newest != null) {
        newest.slim();
      }
      points.add(o.copy());
    }
    long oldest = o.utcNs - trailing.window().toNanos();
    int drop = 0;
    while (drop < points.size() - 1 && points.get(drop).utcNs < oldest) {
      drop++;
    }
    drop += trailing.droppable(points.subList(drop, points.size()));
    if (drop > 0) {
      points = new ArrayList<>(points.subList(drop, points.size()));
    }
    history.update(points);

    Finding f = rule.assess(points);
    if (f == null) {
      reported.clear();
      return;
    }
    // the pool from the whole trailing window: a rule may judge it on more than its evidence
    io.memfleet.event.MemoryPool pool = rule.pool(points);
    long poolCode = pool == null ? -1 : pool.ordinal();
    long[] last = reported.value();
    long forecast = f.timeToOomSeconds == null ? 0 : 1;
    // {time, severity, pool, forecast} of the last report: a pool that becomes known (its
    // figures came from another source, late) is reported at once, like a new severity; so is
    // a forecast that becomes known (a heap about to run out whose live set a full collection
    // has just shown: seconds count)
    boolean due = last == null || last[1] != f.severity.ordinal()
        || last.length < 3 || last[2] != poolCode
        || last.length < 4 || last[3] < forecast
        || o.utcNs - last[0] >= trailing.reportEvery().toNanos();
    if (due) {
      findings.inc();
      reported.update(new long[] {o.utcNs, f.severity.ordinal(), poolCode, forecast});
      // the identity from the newest point: the evidence may end earlier (the live-set rule's
      // ends at G1's last mixed collection), and older points no longer carry it
      out.collect(AlertCandidates.toAlert(rule, f, trailing.evidence(points), evidenceMax,
          pool, points.get(points.size() - 1)));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out)
      throws Exception {
    if (idle.expired(timestamp, ctx.timerService())) {
      history.clear();
      reported.clear();
    }
  }
}
