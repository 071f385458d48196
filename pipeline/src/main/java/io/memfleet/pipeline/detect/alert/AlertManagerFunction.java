package io.memfleet.pipeline.detect.alert;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.Evidence;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import io.memfleet.pipeline.detect.rules.Culprits;
import io.memfleet.pipeline.detect.rules.OutstandingGrowthRule;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.TimedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per process: turns the rules' alert candidates into an alert lifecycle that follows the memory,
 * not the rate at which evidence arrives.
 *
 * <ul>
 *   <li>First candidate of a rule and series (the stack, for per-stack rules): FIRING, with a new
 *       deterministic id ({@link Fingerprints#alertId}: process, rule, fingerprint, first seen).
 *   <li>Later candidates: UPDATED — same id, fingerprint and first-seen; new last-seen, severity,
 *       growth, forecast, evidence and verdict; sent at most once a minute of event time (at once
 *       when the severity, the pool or the culprit changes — better evidence arrived, e.g. the
 *       malloc escalation's outstanding bytes after the first touches of new heap pages — or a
 *       forecast becomes known), the latest kept for the next one.
 *   <li>The observations of the process (second input) keep it alive: each time the alert's own
 *       series, or the process's resident set, rises above the highest value seen since the
 *       alert fired, the growth is still going on. A growing Go heap runs fewer GC cycles and a
 *       JVM that rarely collects reports its heap rarely; their resident set still says it grows.
 *   <li>RESOLVED when nothing grew for {@code resolveAfter} of event time ("growth stopped"), when
 *       the series falls back below where the alert began ("reclaimed": e.g. an old collection
 *       freed what young collections had shown as growth), or when the process exits. GC
 *       thrashing has no growth: it resolves {@code resolveAfter} after its last candidate.
 *   <li>After the process exited, a candidate still on its way (the rules match in event time,
 *       behind the watermark, while the exit reaches this function at once: a forecast made 14 s
 *       before an OOM kill can arrive after it) is sent FIRING and at once RESOLVED, not left
 *       FIRING for a process that is gone; the exit is remembered for
 *       {@value #EXITED_MEMORY_MINUTES} minutes of event time, then the process's state is gone.
 * </ul>
 *
 * <pre>{@code
 * candidates.keyBy(AlertManagerFunction::processKey)
 *     .connect(observations.keyBy(Observation::processKey))
 *     .process(new AlertManagerFunction(Duration.ofMinutes(5), ruleSignals));
 * }</pre>
 */
public class AlertManagerFunction
    extends KeyedCoProcessFunction<ProcessId, Alert, Observation, Alert> {
  private static final long serialVersionUID = 1L;
  /** A rise smaller than this fraction of the peak is measurement noise, not growth. */
  static final double GROWTH_NOISE = 0.005;
  /**
   * Least event time between two UPDATED messages of one alert (unless its severity or its pool
   * changes, or its forecast becomes known).
   */
  static final long UPDATE_EVERY_NS = 60_000_000_000L;

  private final long resolveAfterNs;
  private final Map<String, Signal> ruleSignals;
  private transient MapState<String, Alert> open;
  /** Per open alert: {peak, lastGrowthUtcNs, startValue, lastSentUtcNs}. */
  private transient MapState<String, double[]> progress;
  /** The process's resident set: {peak, lastGrowthUtcNs}. */
  private transient ValueState<double[]> resident;
  /** The one event-time timer of the process: the earliest an open alert may resolve. */
  private transient ValueState<Long> timer;
  /** When the process exited (event time), once it has. */
  private transient ValueState<Long> exitedUtcNs;
  /** How long an exit is remembered, in minutes of event time. */
  static final int EXITED_MEMORY_MINUTES = 15;

  /**
   * @param resolveAfter how long without growth (event time) resolves an alert
   * @param ruleSignals the signal each rule reads, by rule name
   */
  public AlertManagerFunction(Duration resolveAfter, Map<String, Signal> ruleSignals) {
    if (resolveAfter.isNegative() || resolveAfter.isZero()) {
      throw new IllegalArgumentException("resolve-after must be positive");
    }
    this.resolveAfterNs = resolveAfter.toNanos();
    this.ruleSignals = new HashMap<>(ruleSignals);
  }

  /** The process of an alert, as {@link TimedEvent#processId()}. */
  public static ProcessId processId(Alert a) {
    ProcessIdentity p = a.getProcess();
    return new ProcessId(p.getCluster(), p.getNode(), p.getPid(), p.getProcessStartTimeMs());
  }

  /**
   * Which open alert a candidate continues: the rule and, for the per-stack rule, the stack. Other
   * rules name a stack only as a culprit, which may change between matches of one leak.
   */
  static String seriesOf(Alert a) {
    boolean perStack = OutstandingGrowthRule.NAME.equals(a.getRule());
    return a.getRule() + "|" + (!perStack || a.getTopStack() == null ? ""
        : Long.toHexString(a.getTopStack().getHash()));
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    open = ctx.getMapState(new MapStateDescriptor<>("open-alerts", Types.STRING,
        TypeInformation.of(Alert.class)));
    progress = ctx.getMapState(new MapStateDescriptor<>("alert-progress", Types.STRING,
        PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
    resident = ctx.getState(new ValueStateDescriptor<>("resident-progress",
        PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
    timer = ctx.getState(new ValueStateDescriptor<>("resolve-timer", Types.LONG));
    exitedUtcNs = ctx.getState(new ValueStateDescriptor<>("exited-at", Types.LONG));
  }

  @Override
  public void processElement1(Alert candidate, Context ctx, Collector<Alert> out)
      throws Exception {
    String series = seriesOf(candidate);
    Alert previous = open.get(series);
    Alert next;
    double[] p = progress.get(series);
    double last = lastEvidence(candidate);
    if (previous == null && exitedUtcNs.value() != null) {
      // found on the process's data before its exit, so sent; and resolved at once
      Alert firing = Alert.newBuilder(candidate).setStatus(AlertStatus.FIRING)
          .setAlertId(Fingerprints.alertId(ctx.getCurrentKey().toString(), candidate.getRule(),
              candidate.getFingerprint(), candidate.getFirstSeenUtcNs()))
          .build();
      out.collect(firing);
      out.collect(resolved(firing, "process exited"));
      return;
    }
    if (previous == null) {
      next = Alert.newBuilder(candidate).setStatus(AlertStatus.FIRING)
          .setAlertId(Fingerprints.alertId(ctx.getCurrentKey().toString(), candidate.getRule(),
              candidate.getFingerprint(), candidate.getFirstSeenUtcNs()))
          .build();
      p = new double[] {last, candidate.getLastSeenUtcNs(), firstEvidence(candidate),
          Double.NEGATIVE_INFINITY};
    } else {
      next = Alert.newBuilder(candidate).setStatus(AlertStatus.UPDATED)
          .setAlertId(previous.getAlertId())
          .setFingerprint(previous.getFingerprint())
          .setFirstSeenUtcNs(Math.min(previous.getFirstSeenUtcNs(),
              candidate.getFirstSeenUtcNs()))
          .setLastSeenUtcNs(Math.max(previous.getLastSeenUtcNs(), candidate.getLastSeenUtcNs()))
          .build();
      if (p == null) {
        p = new double[] {last, candidate.getLastSeenUtcNs(), firstEvidence(candidate),
            Double.NEGATIVE_INFINITY};
      }
      // a new match is new evidence of growth
      p[0] = Double.isNaN(last) ? p[0] : Math.max(p[0], last);
      p[1] = Math.max(p[1], candidate.getLastSeenUtcNs());
    }
    open.put(series, next);
    progress.put(series, p);
    schedule(ctx);
    if (previous == null || previous.getSeverity() != next.getSeverity()
        || previous.getPool() != next.getPool()
        || !Objects.equals(culprit(previous), culprit(next))
        || previous.getForecastOomUtcNs() == null && next.getForecastOomUtcNs() != null
        || next.getLastSeenUtcNs() - p[3] >= UPDATE_EVERY_NS) {
      p[3] = next.getLastSeenUtcNs();
      progress.put(series, p);
      out.collect(next);
    }
  }

  /** What the alert blames: its stack's innermost program frame, else the class it names. */
  private static String culprit(Alert a) {
    return a.getTopStack() != null && !a.getTopStack().getFrames().isEmpty()
        ? Culprits.frame(a.getTopStack().getFrames()) : a.getObjectClass();
  }

  @Override
  public void processElement2(Observation o, Context ctx, Collector<Alert> out)
      throws Exception {
    if (o.signal == Signal.EXITED) {
      exitedUtcNs.update(o.utcNs);
      for (Alert a : open.values()) {
        out.collect(resolved(a, "process exited"));
      }
      open.clear();
      progress.clear();
      resident.clear();
      Long t = timer.value();
      if (t != null) {
        ctx.timerService().deleteEventTimeTimer(t);
      }
      // the one timer now forgets the exit
      long forget = Math.floorDiv(o.utcNs, 1_000_000L) + EXITED_MEMORY_MINUTES * 60_000L;
      ctx.timerService().registerEventTimeTimer(forget);
      timer.update(forget);
      return;
    }
    if (o.signal == Signal.RESIDENT) {
      if (open.isEmpty()) {
        return; // only a process with open alerts needs its resident set followed
      }
      double[] r = resident.value();
      if (r == null) {
        resident.update(new double[] {o.value, o.utcNs});
      } else if (o.value > r[0] * (1 + GROWTH_NOISE)) {
        resident.update(new double[] {o.value, o.utcNs});
        if (!open.isEmpty()) {
          schedule(ctx);
        }
      }
      return;
    }
    List<String> reclaimed = new ArrayList<>();
    for (Map.Entry<String, Alert> e : open.entries()) {
      Alert a = e.getValue();
      if (!follows(a, o)) {
        continue;
      }
      double[] p = progress.get(e.getKey());
      if (p == null) {
        continue;
      }
      if (!Double.isNaN(p[2]) && o.value < p[2] && ruleSignals.get(a.getRule()) != Signal.GC_LOAD
          && ruleSignals.get(a.getRule()) != Signal.CGROUP_MEMORY) {
        out.collect(resolved(a, String.format(Locale.ROOT, "reclaimed: fell back to %.1f MiB, "
            + "below the %.1f MiB where the alert began", o.value / (1 << 20), p[2] / (1 << 20))));
        reclaimed.add(e.getKey());
      } else if (o.value > p[0] * (1 + GROWTH_NOISE)) {
        p[0] = o.value;
        p[1] = Math.max(p[1], o.utcNs);
        progress.put(e.getKey(), p);
      }
    }
    for (String series : reclaimed) {
      open.remove(series);
      progress.remove(series);
    }
    schedule(ctx);
  }

  /** Whether an observation is of the series an alert is about. */
  private boolean follows(Alert a, Observation o) {
    Signal s = ruleSignals.get(a.getRule());
    if (s == null || s != o.signal || s == Signal.GC_LOAD) {
      return false;
    }
    if (s == Signal.POOL) {
      return a.getPool() != null && a.getPool().name().equals(o.series);
    }
    if (s == Signal.OUTSTANDING) {
      return a.getTopStack() == null ? "mmap".equals(o.series)
          : ("stack:" + Long.toHexString(a.getTopStack().getHash())).equals(o.series);
    }
    return true;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out)
      throws Exception {
    timer.clear();
    if (exitedUtcNs.value() != null) {
      exitedUtcNs.clear(); // the exit's memory ran out: nothing of the process is left
      return;
    }
    List<String> done = new ArrayList<>();
    for (Map.Entry<String, Alert> e : open.entries()) {
      if (dueMs(lastGrowth(e.getKey(), e.getValue())) <= timestamp) {
        out.collect(resolved(e.getValue(), "growth stopped: nothing grew for "
            + resolveAfterNs / 60_000_000_000L + " min"));
        done.add(e.getKey());
      }
    }
    for (String series : done) {
      open.remove(series);
      progress.remove(series);
    }
    if (open.isEmpty()) {
      resident.clear();
    }
    schedule(ctx);
  }

  /** When an open alert last saw growth: its series, or the process's resident set. */
  private double lastGrowth(String series, Alert a) throws Exception {
    double[] p = progress.get(series);
    double last = p == null ? a.getLastSeenUtcNs() : p[1];
    Signal s = ruleSignals.get(a.getRule());
    double[] r = resident.value();
    if (r != null && s != Signal.GC_LOAD && s != Signal.CGROUP_MEMORY) {
      last = Math.max(last, r[1]); // still growing as the kernel sees it
    }
    return last;
  }

  /** Keeps one timer, at the earliest time an open alert may resolve; none when none is open. */
  private void schedule(Context ctx) throws Exception {
    Long due = null;
    for (Map.Entry<String, Alert> e : open.entries()) {
      long d = dueMs(lastGrowth(e.getKey(), e.getValue()));
      due = due == null ? d : Math.min(due, d);
    }
    Long current = timer.value();
    if (java.util.Objects.equals(current, due)) {
      return;
    }
    if (current != null) {
      ctx.timerService().deleteEventTimeTimer(current);
    }
    if (due == null) {
      timer.clear();
      resident.clear();
    } else {
      ctx.timerService().registerEventTimeTimer(due);
      timer.update(due);
    }
  }

  private long dueMs(double utcNs) {
    return (long) Math.floorDiv((long) utcNs + resolveAfterNs, 1_000_000L);
  }

  private static double lastEvidence(Alert a) {
    List<Evidence> ev = a.getEvidence();
    return ev.isEmpty() ? Double.NaN : ev.get(ev.size() - 1).getValue();
  }

  private static double firstEvidence(Alert a) {
    List<Evidence> ev = a.getEvidence();
    return ev.isEmpty() ? Double.NaN : ev.get(0).getValue();
  }

  private static Alert resolved(Alert a, String why) {
    return Alert.newBuilder(a).setStatus(AlertStatus.RESOLVED)
        .setSummary("resolved (" + why + "): " + a.getSummary()).build();
  }
}
