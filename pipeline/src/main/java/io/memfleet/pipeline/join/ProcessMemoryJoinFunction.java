package io.memfleet.pipeline.join;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.Source;
import io.memfleet.pipeline.model.NativeMemorySample;
import io.memfleet.pipeline.model.TimedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per process ({@link TimedEvent#processKey()}): enriches every event with the process identity
 * seen so far, and joins resident memory with the managed heap into a native-memory series.
 *
 * <p>Join: each calibrated RSS sample (ResidentMemory from procfs or eBPF) is joined, once the
 * watermark has passed its time, with the latest calibrated managed-heap sample (HeapSummary from
 * JFR or Go memstats) at or before it, if that is at most {@code joinInterval} older. The result,
 * RSS − managed committed, goes to {@link #NATIVE_MEMORY} and, as a derived
 * {@link TimedEvent#NATIVE_MEMORY_KIND} event carrying rss, heap and native bytes, into the main
 * output, so rules see it in the same keyed stream. Waiting for the watermark makes the result
 * independent of arrival order; an RSS sample that arrives behind the watermark joins with what
 * is there. Uncalibrated samples never join: their time is only the publish time.
 *
 * <p>Cleanup: a {@code ProcessLifecycle} EXITED event ends the process once the watermark passes
 * its time (later samples of a dead process cannot exist): state and timers are cleared. A
 * process with no event for {@code idleTimeout} (processing time; it may have died unseen) is
 * cleared the same way, after joining what is pending.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<TimedEvent> joined = aligned.keyBy(TimedEvent::processKey)
 *     .process(new ProcessMemoryJoinFunction(Duration.ofSeconds(30), Duration.ofMinutes(10)));
 * DataStream<NativeMemorySample> nativeMemory = joined.getSideOutput(NATIVE_MEMORY);
 * }</pre>
 */
public class ProcessMemoryJoinFunction
    extends KeyedProcessFunction<String, TimedEvent, TimedEvent> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<NativeMemorySample> NATIVE_MEMORY =
      new OutputTag<>("native-memory", TypeInformation.of(NativeMemorySample.class));

  private final long joinIntervalNs;
  private final long idleTimeoutMs;

  private transient ValueState<ProcessInfo> identity;
  private transient MapState<Long, MemoryPoint> managed;
  private transient MapState<Long, MemoryPoint> pendingRss;
  private transient ValueState<Long> exitAtMs;
  private transient ValueState<Long> lastActivityMs;
  private transient ValueState<Long> idleTimerMs;

  private transient Counter joinedCount;
  private transient Counter unjoinedCount;
  private transient Counter lateCount;

  public ProcessMemoryJoinFunction(Duration joinInterval, Duration idleTimeout) {
    if (joinInterval.isNegative() || joinInterval.isZero() || idleTimeout.isNegative()
        || idleTimeout.isZero()) {
      throw new IllegalArgumentException("join interval and idle timeout must be positive");
    }
    this.joinIntervalNs = joinInterval.toNanos();
    this.idleTimeoutMs = idleTimeout.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    identity = ctx.getState(new ValueStateDescriptor<>(
        "identity", TypeInformation.of(ProcessInfo.class)));
    managed = ctx.getMapState(new MapStateDescriptor<>(
        "managed", Types.LONG, TypeInformation.of(MemoryPoint.class)));
    pendingRss = ctx.getMapState(new MapStateDescriptor<>(
        "pending-rss", Types.LONG, TypeInformation.of(MemoryPoint.class)));
    exitAtMs = ctx.getState(new ValueStateDescriptor<>("exit-at", Types.LONG));
    lastActivityMs = ctx.getState(new ValueStateDescriptor<>("last-activity", Types.LONG));
    idleTimerMs = ctx.getState(new ValueStateDescriptor<>("idle-timer", Types.LONG));
    var metrics = ctx.getMetricGroup();
    joinedCount = metrics.counter("nativeMemoryJoined");
    unjoinedCount = metrics.counter("rssWithoutManaged");
    lateCount = metrics.counter("rssBehindWatermark");
  }

  @Override
  public void processElement(TimedEvent e, Context ctx, Collector<TimedEvent> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    lastActivityMs.update(now);
    if (idleTimerMs.value() == null) {
      long at = now + idleTimeoutMs;
      ctx.timerService().registerProcessingTimeTimer(at);
      idleTimerMs.update(at);
    }
    ProcessInfo info = identity.value();
    if (info == null) {
      info = new ProcessInfo();
    }
    if (info.learnFrom(e)) {
      identity.update(info);
    }
    info.enrich(e);
    out.collect(e);

    long watermark = ctx.timerService().currentWatermark();
    if (e.heapCommittedBytes != null && e.calibrated()) {
      managed.put(e.utcNs, MemoryPoint.managed(e));
      pruneManaged(watermark);
    }
    if (e.rssBytes != null && e.calibrated()) {
      MemoryPoint rss = MemoryPoint.rss(e);
      if (rss.eventTimeMs() <= watermark) {
        lateCount.inc();
        join(rss, info, ctx, out);
      } else {
        pendingRss.put(rss.utcNs, rss);
        ctx.timerService().registerEventTimeTimer(rss.eventTimeMs());
      }
    }
    if (e.processExited) {
      long at = e.eventTimeMs();
      exitAtMs.update(at);
      if (at <= watermark) {
        endProcess(ctx);
      } else {
        ctx.timerService().registerEventTimeTimer(at);
      }
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<TimedEvent> out)
      throws Exception {
    ProcessInfo info = identity.value();
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
      idleTimerMs.clear();
      Long last = lastActivityMs.value();
      if (last != null && last + idleTimeoutMs > timestamp) {
        long at = last + idleTimeoutMs;
        ctx.timerService().registerProcessingTimeTimer(at);
        idleTimerMs.update(at);
        return;
      }
      joinPending(Long.MAX_VALUE, info, ctx, out);
      endProcess(ctx);
      return;
    }
    joinPending(timestamp, info, ctx, out);
    pruneManaged(timestamp);
    Long exit = exitAtMs.value();
    if (exit != null && exit <= timestamp) {
      endProcess(ctx);
    }
  }

  private void joinPending(long upToMs, ProcessInfo info, Context ctx, Collector<TimedEvent> out)
      throws Exception {
    List<MemoryPoint> due = new ArrayList<>();
    for (MemoryPoint p : pendingRss.values()) {
      if (p.eventTimeMs() <= upToMs) {
        due.add(p);
      }
    }
    due.sort((a, b) -> Long.compare(a.utcNs, b.utcNs));
    for (MemoryPoint p : due) {
      pendingRss.remove(p.utcNs);
      // a no-op for the timer being fired; needed when joining early (idle expiry)
      ctx.timerService().deleteEventTimeTimer(p.eventTimeMs());
      join(p, info, ctx, out);
    }
  }

  private void join(MemoryPoint rss, ProcessInfo info, Context ctx, Collector<TimedEvent> out)
      throws Exception {
    MemoryPoint best = null;
    for (MemoryPoint m : managed.values()) {
      if (m.utcNs <= rss.utcNs && rss.utcNs - m.utcNs <= joinIntervalNs
          && (best == null || m.utcNs > best.utcNs)) {
        best = m;
      }
    }
    if (best == null) {
      unjoinedCount.inc();
      return;
    }
    joinedCount.inc();
    String[] key = ctx.getCurrentKey().split("/", -1);
    NativeMemorySample s = new NativeMemorySample();
    s.cluster = key[0];
    s.node = key[1];
    s.pid = Integer.parseInt(key[2]);
    s.processStartTimeMs = Long.parseLong(key[3]);
    if (info != null) {
      s.comm = info.comm;
      s.runtime = info.runtime;
      s.service = info.service;
      s.namespace = info.namespace;
      s.pod = info.pod;
      s.container = info.container;
    }
    s.utcNs = rss.utcNs;
    s.errorBoundNs = rss.errorBoundNs;
    s.managedUtcNs = best.utcNs;
    s.calibrated = true;
    s.rssBytes = rss.bytes;
    s.managedCommittedBytes = best.bytes;
    s.managedUsedBytes = best.usedBytes;
    s.nativeBytes = rss.bytes - best.bytes;
    s.rssSource = rss.source;
    s.managedSource = best.source;
    ctx.output(NATIVE_MEMORY, s);
    out.collect(derivedEvent(s, rss));
  }

  private static TimedEvent derivedEvent(NativeMemorySample s, MemoryPoint rss) {
    TimedEvent d = new TimedEvent();
    d.kind = TimedEvent.NATIVE_MEMORY_KIND;
    d.source = Source.PIPELINE;
    d.clockDomain = ClockDomain.REALTIME;
    d.rawTimestamp = s.utcNs;
    d.collector = "memfleet-pipeline";
    d.cluster = s.cluster;
    d.node = s.node;
    d.pid = s.pid;
    d.processStartTimeMs = s.processStartTimeMs;
    d.comm = s.comm;
    d.runtime = s.runtime;
    d.service = s.service;
    d.namespace = s.namespace;
    d.pod = s.pod;
    d.container = s.container;
    d.utcNs = s.utcNs;
    d.errorBoundNs = s.errorBoundNs;
    d.timeBasis = io.memfleet.pipeline.model.TimeBasis.CLOCK_MODEL;
    d.rssBytes = s.rssBytes;
    d.heapCommittedBytes = s.managedCommittedBytes;
    d.heapUsedBytes = s.managedUsedBytes;
    d.nativeBytes = s.nativeBytes;
    return d;
  }

  /**
   * Drops managed samples no future (non-late) RSS sample can use: those superseded by a newer
   * one at or before the watermark, and the newest one once it is older than the interval.
   */
  private void pruneManaged(long watermarkMs) throws Exception {
    if (watermarkMs == Long.MIN_VALUE) {
      return;
    }
    long passedNs = watermarkMs >= Long.MAX_VALUE / 1_000_000L
        ? Long.MAX_VALUE
        : watermarkMs * 1_000_000L + 999_999L;
    Long newestPassed = null;
    for (Long t : managed.keys()) {
      if (t <= passedNs && (newestPassed == null || t > newestPassed)) {
        newestPassed = t;
      }
    }
    if (newestPassed == null) {
      return;
    }
    List<Long> drop = new ArrayList<>();
    for (Long t : managed.keys()) {
      boolean superseded = t < newestPassed;
      boolean expired = t.equals(newestPassed) && passedNs - t > joinIntervalNs;
      if (superseded || expired) {
        drop.add(t);
      }
    }
    for (Long t : drop) {
      managed.remove(t);
    }
  }

  private void endProcess(Context ctx) throws Exception {
    for (Map.Entry<Long, MemoryPoint> p : pendingRss.entries()) {
      // RSS samples stamped after the exit: a collector's clock is off; counted, not joined
      unjoinedCount.inc();
      ctx.timerService().deleteEventTimeTimer(p.getValue().eventTimeMs());
    }
    Long exit = exitAtMs.value();
    if (exit != null) {
      ctx.timerService().deleteEventTimeTimer(exit);
    }
    Long idle = idleTimerMs.value();
    if (idle != null) {
      ctx.timerService().deleteProcessingTimeTimer(idle);
    }
    identity.clear();
    managed.clear();
    pendingRss.clear();
    exitAtMs.clear();
    lastActivityMs.clear();
    idleTimerMs.clear();
  }
}
