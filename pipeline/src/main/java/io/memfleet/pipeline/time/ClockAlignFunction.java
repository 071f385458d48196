package io.memfleet.pipeline.time;

import io.memfleet.event.ClockDomain;
import io.memfleet.pipeline.model.TimeBasis;
import io.memfleet.pipeline.model.TimedEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Puts every event of one host boot on the UTC timeline, keyed by {@code cluster/node/bootId}
 * ({@link TimedEvent#hostKey()}); input 1 is events, input 2 is that host's clock samples.
 *
 * <ul>
 *   <li>REALTIME events are host wall clock already: error bound 0 relative to the host clock.
 *   <li>GO_PROCESS_RELATIVE events (gctrace's seconds since start) are anchored on the process
 *       start time, with the start time's resolution as error bound.
 *   <li>MONOTONIC, PERF_CLOCK, TSC and JFR_TICKS need the host's {@link ClockModel} for that domain
 *       (JFR ticks: the JVM's own). Every sample calibrates MONOTONIC (each carries a
 *       realtime/monotonic pair) and, if different, its own domain.
 *   <li>An event whose model does not exist yet is held: at most {@code holdMaxEvents} per host,
 *       released converted when the first sample arrives, or emitted after {@code holdTimeoutMs}
 *       (processing time) — or when pushed out of a full buffer — with the Kafka publish time,
 *       an unbounded error and an {@code UNCALIBRATED_*} {@link TimeBasis}. Never dropped, never
 *       silently misdated. UNKNOWN-domain events leave at once, flagged the same way.
 * </ul>
 *
 * <p>Side output {@link #CALIBRATIONS}: a {@link ClockCalibration} (the {@code clock_calibration}
 * row) of a model after the sample that created it, stepped it or saw a reboot, and otherwise at
 * most once per {@code calibrationIntervalMs} of the host's UTC time — the fit moves a little with
 * every sample, one row a minute is enough to see drift and bounds over time. Timed by the
 * samples, not by processing time, so a replayed backlog reports the history it covers.
 *
 * <p>State: the models, when each was last reported, the hold buffer and one processing-time timer
 * (the next hold timeout or the idle expiry). A host with no event and no sample for
 * {@code hostIdleTimeoutMs} leaves no state and no timer behind.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<TimedEvent> aligned = events.keyBy(TimedEvent::hostKey)
 *     .connect(samples.keyBy(ClockSample::hostKey))
 *     .process(new ClockAlignFunction(settings));
 * DataStream<ClockCalibration> calibrations = aligned.getSideOutput(CALIBRATIONS);
 * }</pre>
 */
public class ClockAlignFunction
    extends KeyedCoProcessFunction<String, TimedEvent, ClockSample, TimedEvent> {
  private static final long serialVersionUID = 1L;

  /** The calibration rows, see the class comment. */
  public static final OutputTag<ClockCalibration> CALIBRATIONS =
      new OutputTag<>("clock-calibrations", TypeInformation.of(ClockCalibration.class));

  private final ClockAlignSettings settings;

  private transient MapState<String, ClockModelState> models;
  /** Model key → UTC ms of its last calibration row. */
  private transient MapState<String, Long> reportedMs;
  private transient MapState<Long, HeldEvent> held;
  private transient ValueState<HoldQueue> queue;
  private transient ValueState<Long> lastActivityMs;
  private transient ValueState<Long> timerMs;

  private transient Counter heldCount;
  private transient Counter releasedCount;
  private transient Counter timedOutCount;
  private transient Counter overflowCount;
  private transient Counter stepCount;
  private transient Counter rebootCount;

  public ClockAlignFunction(ClockAlignSettings settings) {
    this.settings = settings;
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    models = ctx.getMapState(new MapStateDescriptor<>(
        "clock-models", Types.STRING, TypeInformation.of(ClockModelState.class)));
    reportedMs = ctx.getMapState(new MapStateDescriptor<>(
        "calibration-reported", Types.STRING, Types.LONG));
    held = ctx.getMapState(new MapStateDescriptor<>(
        "held-events", Types.LONG, TypeInformation.of(HeldEvent.class)));
    queue = ctx.getState(new ValueStateDescriptor<>(
        "hold-queue", TypeInformation.of(HoldQueue.class)));
    lastActivityMs = ctx.getState(new ValueStateDescriptor<>("last-activity", Types.LONG));
    timerMs = ctx.getState(new ValueStateDescriptor<>("timer", Types.LONG));
    var metrics = ctx.getMetricGroup();
    heldCount = metrics.counter("eventsHeld");
    releasedCount = metrics.counter("eventsReleased");
    timedOutCount = metrics.counter("eventsUncalibratedTimeout");
    overflowCount = metrics.counter("eventsUncalibratedOverflow");
    stepCount = metrics.counter("clockSteps");
    rebootCount = metrics.counter("clockReboots");
  }

  @Override
  public void processElement1(TimedEvent event, Context ctx, Collector<TimedEvent> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    touch(ctx, now);
    if (event.clockDomain == null || event.clockDomain == ClockDomain.UNKNOWN) {
      out.collect(uncalibrated(event, TimeBasis.UNCALIBRATED_UNKNOWN_DOMAIN));
      return;
    }
    if (convert(event)) {
      out.collect(event);
      return;
    }
    hold(event, now, ctx, out);
  }

  @Override
  public void processElement2(ClockSample sample, Context ctx, Collector<TimedEvent> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    touch(ctx, now);
    if (sample.problem() != null) {
      return; // the decode stage dead-letters these; guard anyway
    }
    update(ClockDomain.MONOTONIC, sample.monotonicNs, 1.0, sample, ctx);
    if (ClockDomains.needsModel(sample.domain) && sample.domain != ClockDomain.MONOTONIC) {
      update(sample.domain, sample.domainValue,
          ClockDomains.nominalNsPerUnit(sample.domain, sample.frequencyHz), sample, ctx);
    }
    releaseConvertible(out);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<TimedEvent> out)
      throws Exception {
    timerMs.clear();
    HoldQueue q = queue.value();
    if (q != null) {
      for (long i = q.head; i < q.tail; i++) {
        HeldEvent h = held.get(i);
        if (h == null) {
          continue;
        }
        if (h.heldAtMs + settings.holdTimeoutMs() > timestamp) {
          break; // FIFO: the rest started waiting later
        }
        held.remove(i);
        q.size--;
        timedOutCount.inc();
        out.collect(uncalibrated(h.event, TimeBasis.UNCALIBRATED_HOLD_TIMEOUT));
      }
      storeQueue(q);
    }
    Long last = lastActivityMs.value();
    boolean holding = q != null && q.size > 0;
    if (!holding && (last == null || last + settings.hostIdleTimeoutMs() <= timestamp)) {
      models.clear();
      reportedMs.clear();
      lastActivityMs.clear();
      return;
    }
    long next = last == null ? Long.MAX_VALUE : last + settings.hostIdleTimeoutMs();
    if (holding) {
      next = Math.min(next, oldest(q).heldAtMs + settings.holdTimeoutMs());
    }
    schedule(ctx, next);
  }

  private boolean convert(TimedEvent e) throws Exception {
    switch (e.clockDomain) {
      case REALTIME:
        e.utcNs = e.rawTimestamp;
        e.errorBoundNs = 0;
        e.timeBasis = TimeBasis.REALTIME;
        return true;
      case GO_PROCESS_RELATIVE:
        e.utcNs = Math.multiplyExact(e.processStartTimeMs, 1_000_000L) + e.rawTimestamp;
        e.errorBoundNs = settings.goStartErrorNs();
        e.timeBasis = TimeBasis.PROCESS_START;
        return true;
      default:
        ClockModelState state = models.get(ClockDomains.modelKey(e.clockDomain, e.processKey()));
        if (state == null) {
          return false;
        }
        ClockModel.Conversion c = new ClockModel(settings.model(), state).toUtc(e.rawTimestamp);
        if (c == null) {
          return false;
        }
        e.utcNs = c.utcNs();
        e.errorBoundNs = c.errorBoundNs();
        e.timeBasis = TimeBasis.CLOCK_MODEL;
        return true;
    }
  }

  private void update(ClockDomain domain, long raw, double nominal, ClockSample sample,
      Context ctx) throws Exception {
    String key = ClockDomains.modelKey(domain, sample.processKey());
    ClockModelState state = models.get(key);
    ClockModel model =
        new ClockModel(settings.model(), state == null ? new ClockModelState() : state);
    ClockModel.Update result =
        model.add(sample.bootId, raw, nominal, sample.realtimeNs, sample.uncertaintyNs);
    if (result == ClockModel.Update.STEP) {
      stepCount.inc();
    } else if (result == ClockModel.Update.REBOOT) {
      rebootCount.inc();
    }
    models.put(key, model.state());
    if (result != ClockModel.Update.REJECTED) {
      report(key, result, ClockCalibration.of(sample,
          ClockDomains.calibrationName(domain, sample.pid, sample.processStartTimeMs), model,
          raw), ctx);
    }
  }

  private void report(String key, ClockModel.Update result, ClockCalibration calibration,
      Context ctx) throws Exception {
    Long last = reportedMs.get(key);
    long at = calibration.utcMs();
    // FIRST, STEP and REBOOT change the model's meaning: reported at once
    boolean due = result != ClockModel.Update.ADDED || last == null
        || at - last >= settings.calibrationIntervalMs();
    if (due) {
      ctx.output(CALIBRATIONS, calibration);
      reportedMs.put(key, at);
    }
  }

  private void hold(TimedEvent event, long now, Context ctx, Collector<TimedEvent> out)
      throws Exception {
    HoldQueue q = queue.value();
    if (q == null) {
      q = new HoldQueue();
    }
    if (q.size >= settings.holdMaxEvents()) {
      HeldEvent evicted = oldest(q);
      held.remove(q.head);
      q.head++;
      q.size--;
      overflowCount.inc();
      out.collect(uncalibrated(evicted.event, TimeBasis.UNCALIBRATED_HOLD_OVERFLOW));
    }
    held.put(q.tail, new HeldEvent(event, now));
    q.tail++;
    q.size++;
    storeQueue(q);
    heldCount.inc();
    schedule(ctx, oldest(q).heldAtMs + settings.holdTimeoutMs());
  }

  private void releaseConvertible(Collector<TimedEvent> out) throws Exception {
    HoldQueue q = queue.value();
    if (q == null) {
      return;
    }
    for (long i = q.head; i < q.tail; i++) {
      HeldEvent h = held.get(i);
      if (h != null && convert(h.event)) {
        held.remove(i);
        q.size--;
        releasedCount.inc();
        out.collect(h.event);
      }
    }
    storeQueue(q);
  }

  /** Advances head over gaps; the entry at head afterwards, or null when empty. */
  private HeldEvent oldest(HoldQueue q) throws Exception {
    while (q.head < q.tail) {
      HeldEvent h = held.get(q.head);
      if (h != null) {
        return h;
      }
      q.head++;
    }
    return null;
  }

  private void storeQueue(HoldQueue q) throws Exception {
    if (q.size == 0) {
      queue.clear();
    } else {
      oldest(q);
      queue.update(q);
    }
  }

  private void touch(Context ctx, long now) throws Exception {
    lastActivityMs.update(now);
    if (timerMs.value() == null) {
      schedule(ctx, now + settings.hostIdleTimeoutMs());
    }
  }

  /** Keeps exactly one timer: the earliest one wanted. */
  private void schedule(Context ctx, long at) throws Exception {
    Long current = timerMs.value();
    if (current != null && current <= at) {
      return;
    }
    if (current != null) {
      ctx.timerService().deleteProcessingTimeTimer(current);
    }
    ctx.timerService().registerProcessingTimeTimer(at);
    timerMs.update(at);
  }

  private static TimedEvent uncalibrated(TimedEvent e, TimeBasis why) {
    e.utcNs = Math.multiplyExact(e.publishTimeMs, 1_000_000L);
    e.errorBoundNs = TimedEvent.UNBOUNDED_ERROR_NS;
    e.timeBasis = why;
    return e;
  }
}
