package io.memfleet.pipeline.detect.alert;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.pipeline.model.TimedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per process: turns the rules' alert candidates into an alert lifecycle, so an ongoing leak is
 * one alert that updates rather than a stream of new ones.
 *
 * <ul>
 *   <li>First candidate of a rule and series (the stack, for per-stack rules): FIRING, with a new
 *       deterministic id ({@link Fingerprints#alertId}: process, rule, fingerprint, first seen).
 *   <li>Later candidates: UPDATED — same id, fingerprint and first-seen; new last-seen, severity,
 *       growth, forecast and evidence.
 *   <li>No candidate for {@code resolveAfter} of event time after last-seen: RESOLVED, forgotten.
 *   <li>{@code ProcessLifecycle} EXITED (second input): every open alert RESOLVED, state and
 *       timers cleared.
 * </ul>
 *
 * <pre>{@code
 * candidates.keyBy(AlertManagerFunction::processKey)
 *     .connect(exits.keyBy(TimedEvent::processKey))
 *     .process(new AlertManagerFunction(Duration.ofMinutes(5)));
 * }</pre>
 */
public class AlertManagerFunction extends KeyedCoProcessFunction<String, Alert, TimedEvent, Alert> {
  private static final long serialVersionUID = 1L;

  private final long resolveAfterMs;
  private transient MapState<String, Alert> open;

  public AlertManagerFunction(Duration resolveAfter) {
    if (resolveAfter.isNegative() || resolveAfter.isZero()) {
      throw new IllegalArgumentException("resolve-after must be positive");
    }
    this.resolveAfterMs = resolveAfter.toMillis();
  }

  /** The process key of an alert, as {@link TimedEvent#processKey()}. */
  public static String processKey(Alert a) {
    ProcessIdentity p = a.getProcess();
    return TimedEvent.processKey(p.getCluster(), p.getNode(), p.getPid(),
        p.getProcessStartTimeMs());
  }

  /** Which open alert a candidate continues: rule and, for per-stack rules, the stack. */
  static String seriesOf(Alert a) {
    return a.getRule() + "|" + (a.getTopStack() == null ? "" : Long.toHexString(
        a.getTopStack().getHash()));
  }

  @Override
  public void open(OpenContext openContext) {
    open = getRuntimeContext().getMapState(new MapStateDescriptor<>("open-alerts", Types.STRING,
        TypeInformation.of(Alert.class)));
  }

  @Override
  public void processElement1(Alert candidate, Context ctx, Collector<Alert> out)
      throws Exception {
    String series = seriesOf(candidate);
    Alert previous = open.get(series);
    Alert next;
    if (previous == null) {
      next = Alert.newBuilder(candidate).setStatus(AlertStatus.FIRING)
          .setAlertId(Fingerprints.alertId(ctx.getCurrentKey(), candidate.getRule(),
              candidate.getFingerprint(), candidate.getFirstSeenUtcNs()))
          .build();
    } else {
      deleteTimer(ctx, previous, series);
      next = Alert.newBuilder(candidate).setStatus(AlertStatus.UPDATED)
          .setAlertId(previous.getAlertId())
          .setFingerprint(previous.getFingerprint())
          .setFirstSeenUtcNs(Math.min(previous.getFirstSeenUtcNs(),
              candidate.getFirstSeenUtcNs()))
          .setLastSeenUtcNs(Math.max(previous.getLastSeenUtcNs(), candidate.getLastSeenUtcNs()))
          .build();
    }
    open.put(series, next);
    ctx.timerService().registerEventTimeTimer(dueMs(next));
    out.collect(next);
  }

  @Override
  public void processElement2(TimedEvent event, Context ctx, Collector<Alert> out)
      throws Exception {
    if (!event.processExited) {
      return;
    }
    for (Alert a : open.values()) {
      ctx.timerService().deleteEventTimeTimer(dueMs(a));
      out.collect(resolved(a, "process exited"));
    }
    open.clear();
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out)
      throws Exception {
    List<String> done = new ArrayList<>();
    for (Map.Entry<String, Alert> e : open.entries()) {
      if (dueMs(e.getValue()) <= timestamp) {
        out.collect(resolved(e.getValue(), "no new evidence for " + resolveAfterMs / 1000 + " s"));
        done.add(e.getKey());
      }
    }
    for (String series : done) {
      open.remove(series);
    }
  }

  private long dueMs(Alert a) {
    return Math.floorDiv(a.getLastSeenUtcNs(), 1_000_000L) + resolveAfterMs;
  }

  /** Deletes the alert's timer unless another open alert is due at the same time. */
  private void deleteTimer(Context ctx, Alert a, String series) throws Exception {
    long due = dueMs(a);
    for (Map.Entry<String, Alert> e : open.entries()) {
      if (!e.getKey().equals(series) && dueMs(e.getValue()) == due) {
        return;
      }
    }
    ctx.timerService().deleteEventTimeTimer(due);
  }

  private static Alert resolved(Alert a, String why) {
    return Alert.newBuilder(a).setStatus(AlertStatus.RESOLVED)
        .setSummary("resolved (" + why + "): " + a.getSummary()).build();
  }
}
