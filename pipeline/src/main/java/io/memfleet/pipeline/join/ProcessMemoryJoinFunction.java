package io.memfleet.pipeline.join;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.Source;
import io.memfleet.pipeline.model.IdleExpiry;
import io.memfleet.pipeline.model.NativeMemorySample;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.Shmem;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
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
 * RSS − the managed heap's resident part, goes to {@link #NATIVE_MEMORY} and, as a derived
 * {@link TimedEvent#NATIVE_MEMORY_KIND} event carrying rss, heap and native bytes, into the main
 * output, so rules see it in the same keyed stream. Waiting for the watermark makes the result
 * independent of arrival order; an RSS sample that arrives behind the watermark joins with what
 * is there. Uncalibrated samples never join: their time is only the publish time.
 *
 * <p>The heap's resident part is its committed size, or less where the heap has never used that
 * much since it last shrank ({@link MemoryPoint#residentBytes()}): a JVM commits heap pages long
 * before it writes them, and each higher peak of a sawtooth writes new ones — RSS grows, and
 * RSS − committed would call that native growth (measured: 82 MiB in 100 s on a stock G1 JVM
 * with a flat live set). A heap the resident set counts more than once is taken as often: JDK
 * 17's ZGC maps its heap three times (the JVM's pools name the collector; {@link Shmem}), so its
 * RSS holds the heap three times, and "native" would have been twice the heap.
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
    extends KeyedProcessFunction<ProcessId, TimedEvent, TimedEvent> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<NativeMemorySample> NATIVE_MEMORY =
      new OutputTag<>("native-memory", TypeInformation.of(NativeMemorySample.class));

  private final long joinIntervalNs;
  private final IdleExpiry idle;

  private transient ValueState<ProcessInfo> identity;
  /** Managed-heap samples, sorted by time: joins and pruning are binary searches. */
  private transient ValueState<List<MemoryPoint>> managed;
  /** The most the heap has used since its committed size last shrank, and that size. */
  private transient ValueState<long[]> heapTouched;
  /** RSS samples waiting for the watermark, by event time (ms): what each timer joins. */
  private transient MapState<Long, List<MemoryPoint>> pendingRss;
  private transient ValueState<Long> exitAtMs;
  /**
   * How many times the heap is in the resident set ({@link Shmem#heapViews}: 3 for JDK 17's ZGC,
   * whose heap memfd is mapped three times); null until the JVM's collector is known.
   */
  private transient ValueState<Integer> heapViews;
  private transient EventCodec codec;

  private transient Counter joinedCount;
  private transient Counter unjoinedCount;
  private transient Counter lateCount;

  public ProcessMemoryJoinFunction(Duration joinInterval, Duration idleTimeout) {
    if (joinInterval.isNegative() || joinInterval.isZero() || idleTimeout.isNegative()
        || idleTimeout.isZero()) {
      throw new IllegalArgumentException("join interval and idle timeout must be positive");
    }
    this.joinIntervalNs = joinInterval.toNanos();
    this.idle = new IdleExpiry(idleTimeout);
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    identity = ctx.getState(new ValueStateDescriptor<>(
        "identity", TypeInformation.of(ProcessInfo.class)));
    TypeInformation<List<MemoryPoint>> points = Types.LIST(TypeInformation.of(MemoryPoint.class));
    managed = ctx.getState(new ValueStateDescriptor<>("managed-series", points));
    heapTouched = ctx.getState(new ValueStateDescriptor<>("heap-touched",
        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
            .LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    pendingRss = ctx.getMapState(new MapStateDescriptor<>("pending-rss-by-ms", Types.LONG,
        points));
    exitAtMs = ctx.getState(new ValueStateDescriptor<>("exit-at", Types.LONG));
    idle.open(ctx);
    heapViews = ctx.getState(new ValueStateDescriptor<>("heap-views", Types.INT));
    codec = EventCodec.fromClasspath();
    var metrics = ctx.getMetricGroup();
    joinedCount = metrics.counter("nativeMemoryJoined");
    unjoinedCount = metrics.counter("rssWithoutManaged");
    lateCount = metrics.counter("rssBehindWatermark");
  }

  @Override
  public void processElement(TimedEvent e, Context ctx, Collector<TimedEvent> out)
      throws Exception {
    idle.touch(ctx.timerService());
    ProcessInfo info = identity.value();
    if (info == null) {
      info = new ProcessInfo();
    }
    if (info.learnFrom(e)) {
      identity.update(info);
    }
    info.enrich(e);
    out.collect(e);

    if ("MemoryPools".equals(e.kind)) {
      // the collector's name (a JVM's pools carry it): how often the heap is resident
      String gc = ((MemoryPools) e.record(codec)).getSettings().get("gc");
      int views = Shmem.heapViews(gc);
      if (views > 0 && !Integer.valueOf(views).equals(heapViews.value())) {
        heapViews.update(views);
      }
    }
    long watermark = ctx.timerService().currentWatermark();
    if (e.heapCommittedBytes != null && e.calibrated()) {
      MemoryPoint point = MemoryPoint.managed(e);
      long[] touched = heapTouched.value(); // {most used since the heap last shrank, committed}
      if (touched != null && point.bytes >= touched[1]) {
        // the heap did not shrink: what it touched before is still resident
        point.usedHighWaterBytes = Math.max(point.usedBytes, touched[0]);
      }
      heapTouched.update(new long[] {point.usedHighWaterBytes, point.bytes});
      addManaged(point);
      pruneManaged(watermark);
    }
    if (e.rssBytes != null && e.calibrated()) {
      MemoryPoint rss = MemoryPoint.rss(e);
      if (rss.eventTimeMs() <= watermark) {
        lateCount.inc();
        join(rss, info, ctx, out);
      } else {
        List<MemoryPoint> waiting = pendingRss.get(rss.eventTimeMs());
        if (waiting == null) {
          waiting = new ArrayList<>(1);
        }
        waiting.add(rss);
        pendingRss.put(rss.eventTimeMs(), waiting);
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
      if (idle.expired(timestamp, ctx.timerService())) {
        joinAllPending(info, ctx, out);
        endProcess(ctx);
      }
      return;
    }
    List<MemoryPoint> due = pendingRss.get(timestamp);
    if (due != null) {
      // timers fire in time order, so earlier samples were joined by their own timers
      pendingRss.remove(timestamp);
      due.sort(BY_TIME);
      for (MemoryPoint p : due) {
        join(p, info, ctx, out);
      }
    }
    pruneManaged(timestamp);
    Long exit = exitAtMs.value();
    if (exit != null && exit <= timestamp) {
      endProcess(ctx);
    }
  }

  private static final Comparator<MemoryPoint> BY_TIME = Comparator.comparingLong(p -> p.utcNs);

  /** Joins every pending sample now (idle expiry: no watermark will come for them). */
  private void joinAllPending(ProcessInfo info, Context ctx, Collector<TimedEvent> out)
      throws Exception {
    List<MemoryPoint> due = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    for (Map.Entry<Long, List<MemoryPoint>> entry : pendingRss.entries()) {
      times.add(entry.getKey());
      due.addAll(entry.getValue());
    }
    for (Long t : times) {
      pendingRss.remove(t);
      ctx.timerService().deleteEventTimeTimer(t);
    }
    due.sort(BY_TIME);
    for (MemoryPoint p : due) {
      join(p, info, ctx, out);
    }
  }

  /** Inserts in time order (usually at the end); a sample at the same time replaces the old. */
  private void addManaged(MemoryPoint point) throws Exception {
    List<MemoryPoint> series = managed.value();
    if (series == null) {
      series = new ArrayList<>();
    }
    int at = lastAtOrBefore(series, point.utcNs);
    if (at >= 0 && series.get(at).utcNs == point.utcNs) {
      series.set(at, point);
    } else {
      series.add(at + 1, point);
    }
    managed.update(series);
  }

  /** Index of the last point at or before {@code utcNs} in a time-sorted list; -1 if none. */
  static int lastAtOrBefore(List<MemoryPoint> series, long utcNs) {
    int lo = 0;
    int hi = series.size() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (series.get(mid).utcNs <= utcNs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private void join(MemoryPoint rss, ProcessInfo info, Context ctx, Collector<TimedEvent> out)
      throws Exception {
    List<MemoryPoint> series = managed.value();
    int at = series == null ? -1 : lastAtOrBefore(series, rss.utcNs);
    MemoryPoint best = at < 0 ? null : series.get(at);
    if (best != null && rss.utcNs - best.utcNs > joinIntervalNs) {
      best = null;
    }
    if (best == null) {
      unjoinedCount.inc();
      return;
    }
    joinedCount.inc();
    ProcessId key = ctx.getCurrentKey();
    NativeMemorySample s = new NativeMemorySample();
    s.cluster = key.cluster;
    s.node = key.node;
    s.pid = key.pid;
    s.processStartTimeMs = key.startMs;
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
    Integer views = heapViews.value();
    s.nativeBytes = rss.bytes - (views == null ? 1 : views) * best.residentBytes();
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
    List<MemoryPoint> series = managed.value();
    int newestPassed = series == null ? -1 : lastAtOrBefore(series, passedNs);
    if (newestPassed < 0) {
      return;
    }
    boolean expired = passedNs - series.get(newestPassed).utcNs > joinIntervalNs;
    int keepFrom = expired ? newestPassed + 1 : newestPassed;
    if (keepFrom == 0) {
      return;
    }
    if (keepFrom >= series.size()) {
      managed.clear();
    } else {
      series.subList(0, keepFrom).clear();
      managed.update(series);
    }
  }

  private void endProcess(Context ctx) throws Exception {
    for (Map.Entry<Long, List<MemoryPoint>> p : pendingRss.entries()) {
      // RSS samples stamped after the exit: a collector's clock is off; counted, not joined
      unjoinedCount.inc(p.getValue().size());
      ctx.timerService().deleteEventTimeTimer(p.getKey());
    }
    Long exit = exitAtMs.value();
    if (exit != null) {
      ctx.timerService().deleteEventTimeTimer(exit);
    }
    idle.clear(ctx.timerService());
    identity.clear();
    managed.clear();
    heapTouched.clear();
    pendingRss.clear();
    exitAtMs.clear();
    heapViews.clear();
  }
}
