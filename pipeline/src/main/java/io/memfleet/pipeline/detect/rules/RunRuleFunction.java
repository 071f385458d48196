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
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a rule's runs ({@link LeakRule#run()}, a {@link RunShape}) in one series and turns the
 * runs the rule accepts ({@link LeakRule#assess}) into alert candidates.
 *
 * <p>The runs are sliding windows, one starting at each observation: a run that starts at an
 * observation is judged at the first observation that gives it {@code min-points} over
 * {@code min-span}, and then never again — so a run the rule rejects (a warm-up still in it) does
 * not hide the run that starts one bucket later, and an ongoing leak is judged at every new
 * observation, on about {@code min-span} of history (the alert manager turns that into at most
 * one update a minute). A falling or not admitted observation ends every run (a sawtooth back to
 * its baseline, a goroutine burst that drains); a run whose first observation is {@code within}
 * or more before the newest is dropped. Where the series stood before each fall is kept for
 * {@code within} ({@link EarlierPeaks}): a run the rule would accept must also climb past the
 * highest of those ({@link LeakRule#climbsPast}) — a batch loaded and freed every few minutes
 * climbs back to the same height each time. This is the Flink CEP pattern "one or more consecutive,
 * then one more, within, skip to the next start after a match", judged the same way
 * ({@code RunRuleFunctionTest} feeds both the same series and compares the alerts), kept as one
 * list per series: CEP keeps a partial match per start, each walking its run at every
 * observation, plus a shared buffer, its entries, a timer per buffered observation and the NFA
 * state (about 2 KB per series against a few hundred bytes here; StateSizeBenchmark, benchmarks
 * README).
 *
 * <p>State: the observations from the oldest start still to be judged to the newest; only the
 * newest keeps the process's identity strings (an alert takes them from it); the peaks before
 * falls of the last {@code within} (none while a series does not fall). Observations of
 * one series come in bucket order from the observation stage; one older than the newest is
 * counted ({@code outOfOrder}, logged for the first and every 1000th) and ignored. A series with
 * no observation for {@code idleTimeout} (processing time) is forgotten.
 *
 * <pre>{@code
 * observations.filter(rule::accepts).keyBy(Observation::seriesKey)
 *     .process(new RunRuleFunction(rule, 24, Duration.ofMinutes(10)));
 * }</pre>
 */
public class RunRuleFunction extends KeyedProcessFunction<ProcessScopedKey, Observation, Alert> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RunRuleFunction.class);

  private final LeakRule rule;
  private final RunShape shape;
  private final int evidenceMax;
  private final IdleExpiry idle;
  private transient ValueState<List<Observation>> runs;
  private transient ValueState<long[]> peaks;
  private transient Counter matches;
  private transient Counter rejected;
  private transient Counter outOfOrder;

  public RunRuleFunction(LeakRule rule, int evidenceMax, Duration idleTimeout) {
    if (evidenceMax < 2) {
      throw new IllegalArgumentException("evidence-max must be at least 2");
    }
    this.rule = rule;
    this.shape = rule.run();
    this.evidenceMax = evidenceMax;
    this.idle = new IdleExpiry(idleTimeout);
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    runs = ctx.getState(new ValueStateDescriptor<>("runs",
        ObservationHistorySerializer.TYPE));
    peaks = ctx.getState(new ValueStateDescriptor<>("peaks",
        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    idle.open(ctx);
    matches = ctx.getMetricGroup().counter("matches");
    rejected = ctx.getMetricGroup().counter("rejected");
    outOfOrder = ctx.getMetricGroup().counter("outOfOrder");
  }

  @Override
  public void processElement(Observation o, Context ctx, Collector<Alert> out) throws Exception {
    idle.touch(ctx.timerService());
    List<Observation> run = runs.value();
    if (run == null) {
      run = new ArrayList<>();
    }
    if (!run.isEmpty() && o.utcNs < run.get(run.size() - 1).utcNs) {
      outOfOrder.inc();
      if (outOfOrder.getCount() % 1000 == 1) {
        LOG.warn("observation older than its series' newest, not judged by {} ({} so far): {}",
            rule.name(), outOfOrder.getCount(), o);
      }
      return;
    }
    if (!rule.admits(o)) {
      runs.clear();
      return;
    }
    // starts whose run would span the bound or more are dropped before o is judged
    long withinMs = shape.within().toMillis();
    int timedOut = 0;
    while (timedOut < run.size()
        && o.utcNs / 1_000_000L - run.get(timedOut).utcNs / 1_000_000L >= withinMs) {
      timedOut++;
    }
    long[] earlier = EarlierPeaks.expire(peaks.value(), o.utcNs / 1_000_000L, withinMs);
    if (timedOut == run.size()) {
      run.clear();
    } else if (shape.falls(run.get(run.size() - 1).value, o.value)) {
      Observation peak = run.get(run.size() - 1);
      earlier = EarlierPeaks.add(earlier, peak.utcNs / 1_000_000L, peak.value);
      run.clear();
    } else {
      run.subList(0, timedOut).clear();
    }
    if (!run.isEmpty()) {
      run.get(run.size() - 1).slim();
    }
    run.add(o.copy());
    // the oldest start first: a younger one has fewer points over less time
    double peak = EarlierPeaks.highest(earlier);
    while (run.size() >= shape.minPoints()
        && o.utcNs - run.get(0).utcNs >= shape.minSpanNs()) {
      matches.inc();
      Finding f = Double.isNaN(peak) || rule.climbsPast(run, peak) ? rule.assess(run) : null;
      if (f == null) {
        rejected.inc();
      } else {
        out.collect(AlertCandidates.toAlert(rule, f, run, evidenceMax));
      }
      run.remove(0);
    }
    runs.update(run);
    if (earlier == null) {
      peaks.clear();
    } else {
      peaks.update(earlier);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out)
      throws Exception {
    if (idle.expired(timestamp, ctx.timerService())) {
      runs.clear();
      peaks.clear();
    }
  }
}
