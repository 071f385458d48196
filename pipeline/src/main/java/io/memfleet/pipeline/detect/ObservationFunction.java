package io.memfleet.pipeline.detect;

import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.EventDecodeException;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per process ({@link TimedEvent#processKey()}): shapes the events the rules need into
 * {@link Observation}s, one per series and event-time bucket ({@link DetectionOptions#BUCKET}).
 * A bucket is emitted when the first event of a later bucket of the same series arrives; an event
 * older than the open bucket (within the out-of-orderness) folds into it.
 *
 * <table>
 *   <caption>What feeds which signal</caption>
 *   <tr><td>GcCycle OLD/FULL/MIXED (JVM)</td><td>LIVE_SET: lowest heap after an old collection
 *       (live bytes of a FULL GC)</td></tr>
 *   <tr><td>GcCycle (Go)</td><td>GO_LIVE_HEAP: lowest live heap</td></tr>
 *   <tr><td>ThreadCount GOROUTINES</td><td>GOROUTINES: lowest count</td></tr>
 *   <tr><td>NativeMemory (derived by the join)</td><td>NATIVE: lowest RSS − managed,
 *       companion managed committed</td></tr>
 *   <tr><td>Allocation OUTSTANDING, MemoryMapping</td><td>OUTSTANDING per stack / "mmap":
 *       latest outstanding bytes</td></tr>
 *   <tr><td>ResidentMemory with a cgroup limit</td><td>CGROUP_MEMORY: highest usage,
 *       companion limit</td></tr>
 *   <tr><td>GcPause, GcCycle, HeapSummary</td><td>GC_LOAD: GC time fraction, companion heap
 *       after GC / max</td></tr>
 * </table>
 *
 * <p>Sampled allocations with an object class add their weight to a per-process tally (at most
 * 64 classes); the heaviest class rides along on LIVE_SET, GO_LIVE_HEAP and GC_LOAD
 * observations. State is bounded by {@code maxSeries} series per process (excess stacks are
 * counted in {@code seriesOverflow} and ignored) and is cleared on {@code ProcessLifecycle}
 * EXITED and after {@code idleTimeout} without events (processing time).
 */
public class ObservationFunction extends KeyedProcessFunction<String, TimedEvent, Observation> {
  private static final long serialVersionUID = 1L;
  static final int MAX_CLASSES = 64;
  /** Limits at or above this are "unlimited" (cgroup v1 reports ~2^63 rounded to pages). */
  static final long UNLIMITED = 1L << 60;

  private final long bucketNs;
  private final int maxSeries;
  private final long idleTimeoutMs;

  private transient EventCodec codec;
  private transient MapState<String, SeriesBucket> buckets;
  private transient MapState<String, Long> classWeights;
  private transient ValueState<int[]> counts; // [series, classes]
  private transient ValueState<Long> heapMax;
  private transient ValueState<Long> lastActivityMs;
  private transient ValueState<Long> idleTimerMs;
  private transient Counter seriesOverflow;
  private transient Counter undecodable;

  public ObservationFunction(Duration bucket, int maxSeries, Duration idleTimeout) {
    if (bucket.isNegative() || bucket.isZero() || maxSeries < 1 || idleTimeout.isNegative()
        || idleTimeout.isZero()) {
      throw new IllegalArgumentException("bucket and idle timeout must be positive, max series "
          + ">= 1");
    }
    this.bucketNs = bucket.toNanos();
    this.maxSeries = maxSeries;
    this.idleTimeoutMs = idleTimeout.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    codec = EventCodec.fromClasspath();
    buckets = ctx.getMapState(new MapStateDescriptor<>("buckets", Types.STRING,
        TypeInformation.of(SeriesBucket.class)));
    classWeights = ctx.getMapState(new MapStateDescriptor<>("class-weights", Types.STRING,
        Types.LONG));
    counts = ctx.getState(new ValueStateDescriptor<>("counts",
        PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
    heapMax = ctx.getState(new ValueStateDescriptor<>("heap-max", Types.LONG));
    lastActivityMs = ctx.getState(new ValueStateDescriptor<>("last-activity", Types.LONG));
    idleTimerMs = ctx.getState(new ValueStateDescriptor<>("idle-timer", Types.LONG));
    seriesOverflow = ctx.getMetricGroup().counter("seriesOverflow");
    undecodable = ctx.getMetricGroup().counter("undecodable");
  }

  @Override
  public void processElement(TimedEvent e, Context ctx, Collector<Observation> out)
      throws Exception {
    if (e.processExited) {
      clear(ctx);
      return;
    }
    if (!e.calibrated() || !relevant(e.kind)) {
      return;
    }
    touch(ctx);
    if (TimedEvent.NATIVE_MEMORY_KIND.equals(e.kind)) {
      if (e.nativeBytes != null && e.heapCommittedBytes != null) {
        SeriesBucket b = bucket(Signal.NATIVE, "", e, out);
        if (b != null) {
          b.add(e.utcNs, e.nativeBytes);
          b.companion = e.heapCommittedBytes;
          if (e.heapUsedBytes != null) {
            b.usedCompanion = Double.isNaN(b.usedCompanion) ? e.heapUsedBytes
                : Math.min(b.usedCompanion, e.heapUsedBytes);
          }
          buckets.put(key(Signal.NATIVE, ""), b);
        }
      }
      return;
    }
    SpecificRecord record;
    try {
      record = e.record(codec);
    } catch (EventDecodeException ex) {
      undecodable.inc();
      return;
    }
    if (record instanceof GcCycle) {
      gcCycle(e, (GcCycle) record, out);
    } else if (record instanceof HeapSummary) {
      heapSummary(e, (HeapSummary) record, out);
    } else if (record instanceof GcPause) {
      SeriesBucket b = bucket(Signal.GC_LOAD, "", e, out);
      if (b != null) {
        b.count++;
        b.lastUtcNs = Math.max(b.lastUtcNs, e.utcNs);
        b.pauseEventsNs += ((GcPause) record).getDurationNs();
        buckets.put(key(Signal.GC_LOAD, ""), b);
      }
    } else if (record instanceof ThreadCount) {
      ThreadCount t = (ThreadCount) record;
      if (t.getKind() == ThreadKind.GOROUTINES) {
        add(Signal.GOROUTINES, "", e, t.getCount(), Double.NaN, out);
      }
    } else if (record instanceof ResidentMemory) {
      ResidentMemory r = (ResidentMemory) record;
      Long limit = r.getCgroupLimitBytes();
      if (limit != null && limit > 0 && limit < UNLIMITED) {
        long usage = r.getCgroupUsageBytes() != null ? r.getCgroupUsageBytes() : r.getRssBytes();
        add(Signal.CGROUP_MEMORY, "", e, usage, limit, out);
      }
    } else if (record instanceof Allocation) {
      allocation(e, (Allocation) record, out);
    } else if (record instanceof MemoryMapping) {
      Long outstanding = ((MemoryMapping) record).getOutstandingBytes();
      if (outstanding != null) {
        add(Signal.OUTSTANDING, "mmap", e, outstanding, Double.NaN, out);
      }
    }
  }

  private static boolean relevant(String kind) {
    switch (kind == null ? "" : kind) {
      case TimedEvent.NATIVE_MEMORY_KIND:
      case "GcCycle":
      case "HeapSummary":
      case "GcPause":
      case "ThreadCount":
      case "ResidentMemory":
      case "Allocation":
      case "MemoryMapping":
        return true;
      default:
        return false;
    }
  }

  private static boolean isGo(TimedEvent e) {
    return e.runtime == Runtime.GO || (e.runtime != Runtime.JVM
        && (e.source == Source.GO_GCTRACE || e.source == Source.GO_EXPVAR));
  }

  private void gcCycle(TimedEvent e, GcCycle c, Collector<Observation> out) throws Exception {
    double max = knownMax();
    double after = c.getLiveBytes() != null ? c.getLiveBytes() : c.getHeapAfterBytes();
    if (isGo(e)) {
      add(Signal.GO_LIVE_HEAP, "", e, after, max, out); // every Go cycle marks the whole heap
    } else if (collectsOldGeneration(c.getGeneration())) {
      // only old/full/mixed collections show the live set: after a young GC the old generation
      // still holds promoted garbage that grows until the next old collection (a sawtooth over
      // minutes would look like a leak)
      add(Signal.LIVE_SET, "", e, after, max, out);
    }
    SeriesBucket b = bucket(Signal.GC_LOAD, "", e, out);
    if (b != null) {
      b.count++;
      b.lastUtcNs = Math.max(b.lastUtcNs, e.utcNs);
      if (c.getSumOfPausesNs() != null) {
        b.cyclePausesNs += c.getSumOfPausesNs();
      }
      if (c.getGcCpuFraction() != null) {
        b.gcCpuFraction = Math.max(b.gcCpuFraction, c.getGcCpuFraction());
      }
      heapRatio(b, c.getHeapAfterBytes(), max);
      buckets.put(key(Signal.GC_LOAD, ""), b);
    }
  }

  private static boolean collectsOldGeneration(GcGeneration generation) {
    return generation == GcGeneration.FULL || generation == GcGeneration.OLD
        || generation == GcGeneration.MIXED;
  }

  private void heapSummary(TimedEvent e, HeapSummary h, Collector<Observation> out)
      throws Exception {
    Long m = h.getMaxBytes();
    if (m != null && m > 0 && m < UNLIMITED) {
      heapMax.update(m);
    }
    if (h.getPhase() != HeapPhase.AFTER_GC) {
      return;
    }
    double max = knownMax();
    SeriesBucket b = bucket(Signal.GC_LOAD, "", e, out);
    if (b != null) {
      b.lastUtcNs = Math.max(b.lastUtcNs, e.utcNs);
      heapRatio(b, h.getUsedBytes(), max);
      buckets.put(key(Signal.GC_LOAD, ""), b);
    }
  }

  private static void heapRatio(SeriesBucket b, long used, double max) {
    if (!Double.isNaN(max)) {
      double r = used / max;
      b.heapRatio = Double.isNaN(b.heapRatio) ? r : Math.max(b.heapRatio, r);
    }
  }

  private double knownMax() throws Exception {
    Long m = heapMax.value();
    return m == null ? Double.NaN : m;
  }

  private void allocation(TimedEvent e, Allocation a, Collector<Observation> out)
      throws Exception {
    if (a.getKind() == AllocationKind.OUTSTANDING && a.getOutstandingBytes() != null) {
      long hash = a.getStack() == null ? 0 : a.getStack().getHash();
      String series = "stack:" + Long.toHexString(hash);
      SeriesBucket b = bucket(Signal.OUTSTANDING, series, e, out);
      if (b != null) {
        b.add(e.utcNs, a.getOutstandingBytes());
        if (a.getStack() != null && !a.getStack().getFrames().isEmpty()) {
          b.stackHash = hash;
          b.stackFrames = String.join("\n", a.getStack().getFrames());
        }
        buckets.put(key(Signal.OUTSTANDING, series), b);
      }
      return;
    }
    if (a.getObjectClass() != null) {
      Long w = classWeights.get(a.getObjectClass());
      int[] c = counts();
      if (w == null && c[1] >= MAX_CLASSES) {
        return;
      }
      if (w == null) {
        c[1]++;
        counts.update(c);
      }
      classWeights.put(a.getObjectClass(), (w == null ? 0 : w) + Math.max(a.getWeightBytes(), 0));
    }
  }

  private void add(Signal signal, String series, TimedEvent e, double value, double companion,
      Collector<Observation> out) throws Exception {
    SeriesBucket b = bucket(signal, series, e, out);
    if (b != null) {
      b.add(e.utcNs, value);
      if (!Double.isNaN(companion)) {
        b.companion = companion;
      }
      buckets.put(key(signal, series), b);
    }
  }

  /** The open bucket of the series for {@code e}, emitting the previous one; null if over limit. */
  private SeriesBucket bucket(Signal signal, String series, TimedEvent e,
      Collector<Observation> out) throws Exception {
    String key = key(signal, series);
    long index = Math.floorDiv(e.utcNs, bucketNs);
    SeriesBucket b = buckets.get(key);
    if (b == null) {
      int[] c = counts();
      if (c[0] >= maxSeries) {
        seriesOverflow.inc();
        return null;
      }
      c[0]++;
      counts.update(c);
    } else if (index > b.bucketIndex) {
      out.collect(observation(b, e));
      b = null;
    } else {
      return b;
    }
    b = new SeriesBucket();
    b.signal = signal;
    b.series = series;
    b.bucketIndex = index;
    b.bucketStartUtcNs = index * bucketNs;
    b.lastUtcNs = e.utcNs;
    return b;
  }

  private Observation observation(SeriesBucket b, TimedEvent e) throws Exception {
    Observation o = new Observation();
    o.signal = b.signal;
    o.series = b.series;
    o.cluster = e.cluster;
    o.node = e.node;
    o.bootId = e.bootId;
    o.pid = e.pid;
    o.processStartTimeMs = e.processStartTimeMs;
    o.comm = e.comm;
    o.runtime = e.runtime;
    o.service = e.service;
    o.namespace = e.namespace;
    o.pod = e.pod;
    o.container = e.container;
    o.bucketStartUtcNs = b.bucketStartUtcNs;
    o.utcNs = b.lastUtcNs;
    o.count = b.count;
    o.value = b.value(bucketNs);
    o.companion = b.signal == Signal.GC_LOAD ? b.heapRatio : b.companion;
    o.usedCompanion = b.usedCompanion;
    o.stackHash = b.stackHash;
    o.stackFrames = b.stackFrames;
    if (b.signal == Signal.LIVE_SET || b.signal == Signal.GO_LIVE_HEAP
        || b.signal == Signal.GC_LOAD) {
      o.objectClass = heaviestClass();
    }
    return o;
  }

  private String heaviestClass() throws Exception {
    String best = null;
    long weight = -1;
    for (Map.Entry<String, Long> c : classWeights.entries()) {
      if (c.getValue() > weight) {
        best = c.getKey();
        weight = c.getValue();
      }
    }
    return best;
  }

  private int[] counts() throws Exception {
    int[] c = counts.value();
    return c == null ? new int[2] : c;
  }

  private static String key(Signal signal, String series) {
    return signal + "#" + series;
  }

  private void touch(Context ctx) throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    lastActivityMs.update(now);
    if (idleTimerMs.value() == null) {
      long at = now + idleTimeoutMs;
      ctx.timerService().registerProcessingTimeTimer(at);
      idleTimerMs.update(at);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Observation> out)
      throws Exception {
    idleTimerMs.clear();
    Long last = lastActivityMs.value();
    if (last != null && last + idleTimeoutMs > timestamp) {
      long at = last + idleTimeoutMs;
      ctx.timerService().registerProcessingTimeTimer(at);
      idleTimerMs.update(at);
      return;
    }
    clear(ctx);
  }

  private void clear(Context ctx) throws Exception {
    Long idle = idleTimerMs.value();
    if (idle != null) {
      ctx.timerService().deleteProcessingTimeTimer(idle);
    }
    buckets.clear();
    classWeights.clear();
    counts.clear();
    heapMax.clear();
    lastActivityMs.clear();
    idleTimerMs.clear();
  }
}
