package io.memfleet.pipeline.detect;

import io.memfleet.event.StackCount;
import io.memfleet.pipeline.model.IdleExpiry;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.EventDecodeException;
import java.time.Duration;
import java.util.List;
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
 * older than the open bucket (within the out-of-orderness) folds into it. The Go live heap's
 * buckets ({@link Signal#GO_LIVE_HEAP}) are also emitted once the watermark is a bucket past
 * their end, with the next event of any series of the process: a Go program whose heap grows so
 * its cycles come minutes apart (or only by the runtime's forced collection every 2 minutes)
 * would otherwise be judged one cycle late — seen: a Go leak under GOGC=400, its growth in the
 * cycle at 292 s, judged at the next cycle at 412 s. (The JVM heap after GC is not: its events
 * come from JFR, read in chunks seconds behind the resident-set samples that carry the
 * watermark, and a 2-s bucket closed before they came would be split; the first clean CI with
 * it closed so saw the G1 sawtooth alerted.)
 *
 * <p>Which event feeds which signal is {@link SignalExtraction}'s business; this function keeps
 * the buckets, emits them, and forgets a process that exited (emitting one {@link Signal#EXITED}
 * observation, so the alert manager can close its alerts) or went idle.
 *
 * <p>Sampled allocations with an object class add their weight to a per-process tally (at most
 * 64 classes); the heaviest class rides along on LIVE_SET, GO_LIVE_HEAP and GC_LOAD
 * observations. State is bounded by {@code maxSeries} series per process (excess stacks are
 * counted in {@code seriesOverflow} and ignored) and is cleared on {@code ProcessLifecycle}
 * EXITED and after {@code idleTimeout} without events (processing time).
 */
public class ObservationFunction extends KeyedProcessFunction<ProcessId, TimedEvent, Observation>
    implements SignalExtraction.Buckets {
  private static final long serialVersionUID = 1L;
  static final int MAX_CLASSES = 64;
  /** Old-object samples further apart than this belong to different emissions. */
  static final long RETAINED_SET_GAP_NS = 5_000_000_000L;
  /**
   * Share of the heap's footprint a Go heap profile must account for to name what the heap
   * holds. The profile shows the heap as of a collection up to two cycles back, and a heap
   * that doubles every cycle (GOGC=100, everything retained) has a footprint (HeapSys less what
   * was released) up to twice its live heap: a profile of a heap racing ahead still sums an
   * eighth of it. One read when the heap was smaller than that cannot name what grew since —
   * seen on a Go program racing to its cgroup's limit (4 MiB/s): its profile of 2 s summed
   * 6 MiB, 9 % of the 70 MiB footprint at 14 s, and named the request path's garbage; the
   * profile the collector read at 7 s, when the heap had grown by half, summed 15 MiB, 19 % of
   * the footprint at 14 s, and named the retried batches.
   */
  static final double PROFILE_COVERS_HEAP = 1.0 / 8;

  private final long bucketNs;
  /**
   * Bucket of {@link Signal#CGROUP_MEMORY} and {@link Signal#LIVE_SET}: a process racing to its
   * limit needs finer steps.
   */
  private final long oomBucketNs;
  private final int maxSeries;
  private final IdleExpiry idle;

  private transient EventCodec codec;
  private transient MapState<String, SeriesBucket> buckets;
  private transient MapState<String, Long> classWeights;
  private transient ValueState<int[]> counts; // [series, classes]
  private transient ValueState<Long> heapMax;
  private transient ValueState<Long> heapUsableMax;
  /** {utcNs, bytes} of the managed heap's latest footprint. */
  private transient ValueState<long[]> heapFootprint;
  private transient ValueState<Long> residentBytes;
  private transient ValueState<Long> jvmBufferBytes;
  private transient ValueState<Integer> heapSharedViews;
  private transient ValueState<Boolean> managedSeen;
  /**
   * When (ns) the open collection bucket that ends first may close (a bucket past its end); null
   * when none is open.
   */
  private transient ValueState<Long> collectionBucketEnd;
  /** Faulted-in bytes by stack since the process was first seen. */
  private transient ValueState<StackTally> faulted;
  /** Mapped bytes by stack since the process was first seen. */
  private transient ValueState<StackTally> mapped;
  /** The latest set of old-object samples (objects still alive), by class and stack. */
  private transient ValueState<StackTally> retainedSamples;
  private transient ValueState<StackLevels> faultedInLevels;
  private transient ValueState<StackLevels> mappedLevels;
  private transient ValueState<StackLevels> directLevels;
  private transient ValueState<StackLevels> outstandingLevels;
  /** Live Java threads by the stack that started them (JFR). */
  private transient ValueState<StackLevels> threadLevels;
  private transient ValueState<StackLevels> classLevels;
  private transient ValueState<StackLevels> goroutineLevels;
  /**
   * Class histograms older than this name nothing: two of the collector's periods (30 s) without
   * one mean it stopped taking them — its old-object samples show what is retained again, or the
   * live set stopped growing — and levels from before then are not what grows now (seen: three
   * histograms of a service's request garbage, taken in its healthy minutes, named that garbage
   * in the alert of the leak that began a minute later).
   */
  static final long HISTOGRAMS_FRESH_NS = 60_000_000_000L;
  private transient ValueState<StackLevels> heapClassLevels;
  private transient Counter seriesOverflow;
  private transient Counter undecodable;
  /** The output of the element being processed, for {@link #openBucket}. */
  private transient Collector<Observation> out;
  /** By signal: the series whose state key {@link #key} made last, and that key. */
  private transient String[] keySeries;
  private transient String[] keys;

  /**
   * Half-life of the bytes in the mapping tally: the stack that maps now outweighs one that
   * mapped a lot once (a runtime's arenas at start), within minutes.
   */
  static final long MAPPED_HALF_LIFE_NS = 60_000_000_000L;

  public ObservationFunction(Duration bucket, int maxSeries, Duration idleTimeout) {
    this(bucket, bucket, maxSeries, idleTimeout);
  }

  /** With a bucket of its own for cgroup memory, the series of the OOM forecast. */
  public ObservationFunction(Duration bucket, Duration oomBucket, int maxSeries,
      Duration idleTimeout) {
    if (bucket.isNegative() || bucket.isZero() || maxSeries < 1 || idleTimeout.isNegative()
        || idleTimeout.isZero()) {
      throw new IllegalArgumentException("bucket and idle timeout must be positive, max series "
          + ">= 1");
    }
    if (oomBucket.isNegative() || oomBucket.isZero()) {
      throw new IllegalArgumentException("the OOM bucket must be positive");
    }
    this.bucketNs = bucket.toNanos();
    this.oomBucketNs = oomBucket.toNanos();
    this.maxSeries = maxSeries;
    this.idle = new IdleExpiry(idleTimeout);
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    codec = EventCodec.fromClasspath();
    keySeries = new String[Signal.values().length];
    keys = new String[Signal.values().length];
    buckets = ctx.getMapState(new MapStateDescriptor<>("buckets", Types.STRING,
        TypeInformation.of(SeriesBucket.class)));
    classWeights = ctx.getMapState(new MapStateDescriptor<>("class-weights", Types.STRING,
        Types.LONG));
    counts = ctx.getState(new ValueStateDescriptor<>("counts",
        PrimitiveArrayTypeInfo.INT_PRIMITIVE_ARRAY_TYPE_INFO));
    heapMax = ctx.getState(new ValueStateDescriptor<>("heap-max", Types.LONG));
    heapUsableMax = ctx.getState(new ValueStateDescriptor<>("heap-usable-max", Types.LONG));
    residentBytes = ctx.getState(new ValueStateDescriptor<>("resident-bytes", Types.LONG));
    jvmBufferBytes = ctx.getState(new ValueStateDescriptor<>("jvm-buffer-bytes", Types.LONG));
    heapSharedViews = ctx.getState(new ValueStateDescriptor<>("heap-shared-views", Types.INT));
    managedSeen = ctx.getState(new ValueStateDescriptor<>("managed-seen", Types.BOOLEAN));
    collectionBucketEnd = ctx.getState(new ValueStateDescriptor<>("collection-bucket-end",
        Types.LONG));
    heapFootprint = ctx.getState(new ValueStateDescriptor<>("heap-footprint",
        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    faulted = ctx.getState(new ValueStateDescriptor<>("faulted-by-stack",
        TypeInformation.of(StackTally.class)));
    mapped = ctx.getState(new ValueStateDescriptor<>("mapped-by-stack",
        TypeInformation.of(StackTally.class)));
    retainedSamples = ctx.getState(new ValueStateDescriptor<>("retained-by-stack",
        TypeInformation.of(StackTally.class)));
    faultedInLevels = ctx.getState(new ValueStateDescriptor<>("faulted-in-levels",
        TypeInformation.of(StackLevels.class)));
    mappedLevels = ctx.getState(new ValueStateDescriptor<>("mapped-levels",
        TypeInformation.of(StackLevels.class)));
    directLevels = ctx.getState(new ValueStateDescriptor<>("direct-buffer-levels",
        TypeInformation.of(StackLevels.class)));
    outstandingLevels = ctx.getState(new ValueStateDescriptor<>("outstanding-levels",
        TypeInformation.of(StackLevels.class)));
    threadLevels = ctx.getState(new ValueStateDescriptor<>("thread-levels",
        TypeInformation.of(StackLevels.class)));
    classLevels = ctx.getState(new ValueStateDescriptor<>("class-levels",
        TypeInformation.of(StackLevels.class)));
    goroutineLevels = ctx.getState(new ValueStateDescriptor<>("goroutine-levels",
        TypeInformation.of(StackLevels.class)));
    heapClassLevels = ctx.getState(new ValueStateDescriptor<>("heap-class-levels",
        TypeInformation.of(StackLevels.class)));
    idle.open(ctx);
    seriesOverflow = ctx.getMetricGroup().counter("seriesOverflow");
    undecodable = ctx.getMetricGroup().counter("undecodable");
  }

  @Override
  public void processElement(TimedEvent e, Context ctx, Collector<Observation> out)
      throws Exception {
    this.out = out;
    if (e.processExited) {
      // the last buckets are complete: nothing of this process comes after its exit
      for (SeriesBucket b : buckets.values()) {
        out.collect(observation(b, e));
      }
      out.collect(exited(e));
      clear(ctx);
      return;
    }
    closeCollectionBuckets(ctx.timerService().currentWatermark(), e, out);
    if (!e.calibrated() || !SignalExtraction.relevant(e.kind)) {
      return;
    }
    idle.touch(ctx.timerService());
    if (TimedEvent.NATIVE_MEMORY_KIND.equals(e.kind)) {
      SignalExtraction.nativeMemory(e, this);
      return;
    }
    SpecificRecord record;
    try {
      record = e.record(codec);
    } catch (EventDecodeException ex) {
      undecodable.inc();
      return;
    }
    SignalExtraction.record(e, record, this);
  }

  /** The series collections feed whose buckets close on the watermark. */
  private static final Signal[] COLLECTION_SIGNALS = {Signal.GO_LIVE_HEAP};

  private static boolean fedByCollections(Signal signal) {
    return signal == Signal.GO_LIVE_HEAP;
  }

  /**
   * Emits (with {@code e}'s identity) and forgets the collection buckets that ended a bucket or
   * more before {@code watermarkMs}: no event of theirs is still to come.
   */
  private void closeCollectionBuckets(long watermarkMs, TimedEvent e, Collector<Observation> out)
      throws Exception {
    Long due = collectionBucketEnd.value();
    if (due == null || watermarkMs < due / 1_000_000L) {
      return;
    }
    // the end of a bounded input's watermark (Long.MAX_VALUE ms) does not fit in nanoseconds
    long watermarkNs = watermarkMs >= Long.MAX_VALUE / 1_000_000L ? Long.MAX_VALUE
        : watermarkMs * 1_000_000L;
    long next = Long.MAX_VALUE;
    for (Signal signal : COLLECTION_SIGNALS) {
      String key = key(signal, "");
      SeriesBucket b = buckets.get(key);
      if (b == null) {
        continue;
      }
      long end = (b.bucketIndex + 2) * lengthOf(signal);
      if (end <= watermarkNs) {
        out.collect(observation(b, e));
        buckets.remove(key);
        int[] c = counts();
        c[0]--;
        counts.update(c);
      } else {
        next = Math.min(next, end);
      }
    }
    if (next == Long.MAX_VALUE) {
      collectionBucketEnd.clear();
    } else {
      collectionBucketEnd.update(next);
    }
  }

  @Override
  public SeriesBucket openBucket(Signal signal, String series, TimedEvent e) throws Exception {
    return bucket(signal, series, e, out);
  }

  @Override
  public void store(SeriesBucket b) throws Exception {
    buckets.put(key(b.signal, b.series), b);
  }

  @Override
  public double heapMax() throws Exception {
    return orNaN(heapMax);
  }

  @Override
  public void heapMax(long bytes) throws Exception {
    heapMax.update(bytes);
  }

  @Override
  public double heapFillable() throws Exception {
    Long usable = heapUsableMax.value();
    return usable != null ? usable : heapMax();
  }

  @Override
  public void heapUsableMax(long bytes) throws Exception {
    heapUsableMax.update(bytes);
  }

  @Override
  public void heapFootprint(long utcNs, long bytes) throws Exception {
    long[] known = heapFootprint.value();
    if (known == null || utcNs >= known[0]) {
      heapFootprint.update(new long[] {utcNs, bytes});
    }
  }

  @Override
  public double heapFootprint() throws Exception {
    long[] known = heapFootprint.value();
    return known == null ? Double.NaN : known[1];
  }

  @Override
  public void heapSharedViews(int views) throws Exception {
    heapSharedViews.update(views);
  }

  @Override
  public int heapSharedViews() throws Exception {
    Integer views = heapSharedViews.value();
    return views == null ? 0 : views;
  }

  @Override
  public void managedSeen() throws Exception {
    if (managedSeen.value() == null) {
      managedSeen.update(true);
    }
  }

  @Override
  public boolean managedKnown() throws Exception {
    return managedSeen.value() != null;
  }

  @Override
  public void residentBytes(long bytes) throws Exception {
    residentBytes.update(bytes);
  }

  @Override
  public double residentBytes() throws Exception {
    return orNaN(residentBytes);
  }

  @Override
  public void jvmBufferBytes(long bytes) throws Exception {
    jvmBufferBytes.update(bytes);
  }

  @Override
  public double jvmBufferBytes() throws Exception {
    return orNaN(jvmBufferBytes);
  }

  /** A figure noted in {@code state}, NaN when none was. */
  private static double orNaN(ValueState<Long> state) throws Exception {
    Long known = state.value();
    return known == null ? Double.NaN : known;
  }

  @Override
  public long heapFootprintUtcNs() throws Exception {
    long[] known = heapFootprint.value();
    return known == null ? 0 : known[0];
  }

  @Override
  public void classWeight(String objectClass, long weightBytes) throws Exception {
    Long w = classWeights.get(objectClass);
    int[] c = counts();
    if (w == null && c[1] >= MAX_CLASSES) {
      return;
    }
    if (w == null) {
      c[1]++;
      counts.update(c);
    }
    classWeights.put(objectClass, (w == null ? 0 : w) + weightBytes);
  }

  @Override
  public void stackBytes(boolean faults, long utcNs, long hash, String frames, long bytes)
      throws Exception {
    ValueState<StackTally> state = faults ? faulted : mapped;
    StackTally t = state.value();
    if (t == null) {
      t = new StackTally();
    }
    if (!faults) {
      t.decay(utcNs, MAPPED_HALF_LIFE_NS);
    }
    t.add(hash, frames, bytes);
    state.update(t);
  }

  @Override
  public void stackLevels(StackLevels.Kind kind, long utcNs, List<StackCount> groups)
      throws Exception {
    ValueState<StackLevels> state = levelsState(kind);
    StackLevels levels = levels(state);
    for (StackCount group : groups) {
      if (group.getStack() != null && !group.getStack().getFrames().isEmpty()) {
        levels.update(group.getStack().getHash(), group.getStack().getFrames(),
            group.getCount(), utcNs);
      }
    }
    state.update(levels);
  }

  @Override
  public void stackLevel(StackLevels.Kind kind, long utcNs, long hash, List<String> frames,
      long bytes) throws Exception {
    ValueState<StackLevels> state = levelsState(kind);
    StackLevels levels = levels(state);
    levels.update(hash, frames, bytes, utcNs);
    state.update(levels);
  }

  private static StackLevels levels(ValueState<StackLevels> state) throws Exception {
    StackLevels levels = state.value();
    return levels != null ? levels : new StackLevels();
  }

  private ValueState<StackLevels> levelsState(StackLevels.Kind kind) {
    return switch (kind) {
      case FAULTED_IN -> faultedInLevels;
      case MAPPED -> mappedLevels;
      case DIRECT_BUFFERS -> directLevels;
      case OUTSTANDING -> outstandingLevels;
      case THREADS -> threadLevels;
      case CLASSES -> classLevels;
      case GOROUTINES -> goroutineLevels;
      case HEAP_CLASSES -> heapClassLevels;
    };
  }

  @Override
  public void retained(long utcNs, long hash, String frames, String objectClass, long bytes)
      throws Exception {
    StackTally t = retainedSamples.value();
    // samples come in sets (one per emission): a gap starts the next set
    if (t == null || utcNs - t.lastUtcNs > RETAINED_SET_GAP_NS) {
      t = new StackTally();
    }
    t.add(hash, frames, objectClass, bytes);
    t.lastUtcNs = Math.max(t.lastUtcNs, utcNs);
    retainedSamples.update(t);
  }

  /** The heaviest stack of a tally onto an observation. */
  private void attachStack(Observation o, SeriesBucket b) throws Exception {
    StackTally t = null;
    // the collector's levels first: the stack whose pages or mappings stay and grow (churn
    // gives back what it takes); the sums below name whoever faults or maps the most
    StackLevels levels = null;
    int grew = -1;
    // named by first touches (page faults) rather than by what a stack holds
    boolean levelsByFaults = false;
    boolean tallyByFaults = false;
    if (b.signal == Signal.NATIVE
        || b.signal == Signal.OUTSTANDING && "mmap".equals(b.series) && b.brkBytes > b.mmapBytes) {
      // growth of malloc's heap (the break) is named by what malloc hands out and keeps, when the
      // allocator probes saw it, or by the stack that faults its new pages in: the break's own
      // calls come from inside malloc and name nobody. Faulted-in levels name who touched a new
      // page first, which in a malloc heap is as often the code that churns as the one that keeps.
      levels = outstandingLevels.value();
      grew = levels == null ? -1 : levels.growing();
      if (grew < 0 && b.signal == Signal.NATIVE
          && o.runtime == io.memfleet.event.Runtime.NATIVE) {
        // a native program's memory beyond malloc's heap: a mapping that stays names its maker
        // (a managed runtime's own mappings — heap, arenas — name nobody in its program)
        levels = mappedLevels.value();
        grew = levels == null ? -1 : levels.growing();
      }
      if (grew < 0) {
        levels = faultedInLevels.value();
        levelsByFaults = true;
      }
      // since the process was first seen: the leaking stack keeps faulting
      t = faulted.value();
      tallyByFaults = true;
    } else if (b.signal == Signal.OUTSTANDING && "mmap".equals(b.series)) {
      levels = mappedLevels.value();
      t = mapped.value();
    } else if (b.signal == Signal.LIVE_SET || b.signal == Signal.GO_LIVE_HEAP
        || b.signal == Signal.CGROUP_MEMORY) {
      // the cgroup's memory carries what its heap retains, for when the heap is what fills it
      t = retainedSamples.value();
      if (t != null && o.runtime == io.memfleet.event.Runtime.GO && !profileCoversHeap(t)) {
        t = null;
      }
    } else if (b.signal == Signal.POOL
        && io.memfleet.event.MemoryPool.DIRECT_BUFFERS.name().equals(b.series)) {
      levels = directLevels.value(); // only where the JVM's direct-buffer probe reports
    } else if (b.signal == Signal.THREADS && "java".equals(b.series)) {
      levels = threadLevels.value(); // the stacks whose started threads stay
    } else if (b.signal == Signal.POOL
        && io.memfleet.event.MemoryPool.METASPACE.name().equals(b.series)) {
      levels = classLevels.value(); // the stacks whose defined classes stay
    } else if (b.signal == Signal.GOROUTINES) {
      levels = goroutineLevels.value(); // the stacks where more and more goroutines park
    }
    if (grew < 0 && levels != null) {
      grew = levels.growing();
    }
    if (grew >= 0) {
      o.stackHash = levels.hashes.get(grew);
      o.stackFrames = levels.frames.get(grew);
      o.firstTouch = levelsByFaults;
      return;
    }
    boolean byClass = b.signal == Signal.LIVE_SET
        || b.signal == Signal.CGROUP_MEMORY && o.runtime == io.memfleet.event.Runtime.JVM;
    int i = t == null ? -1 : byClass ? t.heaviestOfHeaviestLabel() : t.heaviest();
    if (i >= 0) {
      o.stackHash = t.hashes.get(i);
      o.stackFrames = t.frames.get(i).isEmpty() ? null : t.frames.get(i);
      o.firstTouch = tallyByFaults && o.stackFrames != null;
      if (t.labels.get(i) != null) {
        o.objectClass = t.labels.get(i); // what is retained beats what is allocated most
        o.classRetained = true;
      }
      if (byClass && o.stackFrames == null && o.objectClass != null) {
        // the heaviest class retained has no stack (sampled before stacks were on): the code
        // behind the heaviest of what else is retained, said as such in the verdict
        int beside = t.heaviestWithFramesBeside(o.objectClass);
        if (beside >= 0) {
          o.stackHash = t.hashes.get(beside);
          o.stackFrames = t.frames.get(beside);
          o.stackBesideClass = true;
        }
      }
    }
    if (byClass) {
      attachGrowingClass(o);
    }
  }

  /** Whether a Go heap profile's in-use bytes are {@link #PROFILE_COVERS_HEAP} of the heap's. */
  private boolean profileCoversHeap(StackTally profile) throws Exception {
    double heap = heapFootprint();
    long inUse = 0;
    for (long b : profile.bytes) {
      inUse += b;
    }
    return Double.isNaN(heap) || inUse >= PROFILE_COVERS_HEAP * heap;
  }

  /**
   * The class whose bytes grow in the JVM's class histograms, which the collector takes only
   * where old-object samples showed nothing retained for a while, and only while the histograms
   * are fresh ({@link #HISTOGRAMS_FRESH_NS}): named where nothing retained
   * was sampled — not the class the JVM allocates most, mostly request garbage — and over what
   * the samples name when that is not the growing program class or its code. Under Shenandoah
   * JFR's leak profiler is broken (JDK-8279016): seen, 19 samples of request garbage that
   * reached 10 s of age in one emission, named as what the heap retains while the histograms
   * showed the leak's holder growing.
   */
  private void attachGrowingClass(Observation o) throws Exception {
    StackLevels classes = heapClassLevels.value();
    int g = classes == null || o.utcNs - classes.newestUtcNs() > HISTOGRAMS_FRESH_NS ? -1
        : classes.growingClass();
    if (g < 0) {
      return;
    }
    String growing = classes.frames.get(g);
    boolean nothingRetained = o.stackFrames == null && !o.classRetained;
    boolean samplesNameIt = growing.equals(o.objectClass)
        || o.stackFrames != null && o.stackFrames.contains(growing + ".");
    if (nothingRetained || StackLevels.programClass(growing) && !samplesNameIt) {
      o.objectClass = growing;
      o.classGrowing = true;
      o.classRetained = false;
      o.stackFrames = null;
      o.stackHash = 0;
      o.stackBesideClass = false;
    }
  }

  private static Observation exited(TimedEvent e) {
    Observation o = new Observation();
    o.signal = Signal.EXITED;
    identify(o, e);
    o.bucketStartUtcNs = e.utcNs;
    o.utcNs = e.utcNs;
    o.value = Double.NaN;
    return o;
  }

  /** The open bucket of the series for {@code e}, emitting the previous one; null if over limit. */
  private SeriesBucket bucket(Signal signal, String series, TimedEvent e,
      Collector<Observation> out) throws Exception {
    String key = key(signal, series);
    long length = lengthOf(signal);
    long index = Math.floorDiv(e.utcNs, length);
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
    b.bucketStartUtcNs = index * length;
    b.lastUtcNs = e.utcNs;
    if (fedByCollections(signal)) {
      long end = (index + 2) * length;
      Long due = collectionBucketEnd.value();
      if (due == null || end < due) {
        collectionBucketEnd.update(end);
      }
    }
    return b;
  }

  private Observation observation(SeriesBucket b, TimedEvent e) throws Exception {
    Observation o = new Observation();
    o.signal = b.signal;
    o.series = b.series;
    identify(o, e);
    o.bucketStartUtcNs = b.bucketStartUtcNs;
    o.utcNs = b.lastUtcNs;
    o.count = b.count;
    o.value = b.value(lengthOf(b.signal));
    o.newest = b.count > 0 ? b.last : Double.NaN;
    o.confirmed = b.signal == Signal.LIVE_SET && b.confirmedMin <= b.min;
    o.reclaimed = b.reclaimed;
    o.g1 = b.g1;
    o.live = b.live;
    o.liveUtcNs = b.liveUtcNs;
    o.liveFirst = b.live;
    o.liveFirstUtcNs = b.liveUtcNs;
    o.companion = b.signal == Signal.GC_LOAD ? b.heapRatio : b.companion;
    o.usedCompanion = b.usedCompanion;
    o.usedCompanionUtcNs = b.usedCompanionUtcNs;
    if (b.signal == Signal.CGROUP_MEMORY && heapFootprintUtcNs() > b.usedCompanionUtcNs) {
      // the heap's figures come from another source (a Go scrape, a JFR chunk) and can arrive
      // after the bucket's cgroup samples: the newest known when the bucket closes, with its own
      // time — a figure repeated into later buckets is one figure to the rule, not a flat heap
      o.usedCompanion = heapFootprint();
      o.usedCompanionUtcNs = heapFootprintUtcNs();
    }
    if (b.signal == Signal.CGROUP_MEMORY) {
      o.heapMax = heapMax();
    }
    o.stackHash = b.stackHash;
    o.stackFrames = b.stackFrames;
    if (b.brkBytes + b.mmapBytes > 0) {
      o.poolHint = b.brkBytes > b.mmapBytes ? io.memfleet.event.MemoryPool.MALLOC
          : io.memfleet.event.MemoryPool.MMAP;
    }
    if (b.signal == Signal.LIVE_SET || b.signal == Signal.GO_LIVE_HEAP
        || b.signal == Signal.GC_LOAD || b.signal == Signal.CGROUP_MEMORY) {
      o.objectClass = heaviestClass();
    }
    attachStack(o, b);
    return o;
  }

  /**
   * The OOM bucket for the series a forecast reads near a limit — cgroup memory, and the JVM heap
   * after GC, which the live-set rule coarsens to its own floors ({@link
   * io.memfleet.pipeline.detect.rules.LiveSetGrowthRule#resolution()}) — the detection bucket for
   * the rest.
   */
  private long lengthOf(Signal signal) {
    return signal == Signal.CGROUP_MEMORY || signal == Signal.LIVE_SET ? oomBucketNs : bucketNs;
  }

  private static void identify(Observation o, TimedEvent e) {
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

  /**
   * The state key of a series, {@code SIGNAL#series}. The last one made for each signal is kept
   * with its series, matched by identity: series are nearly always constants ("", a pool's name),
   * and every event that feeds a series asks for its key twice (its bucket, then to store it).
   */
  private String key(Signal signal, String series) {
    int i = signal.ordinal();
    String known = keys[i];
    if (known != null && keySeries[i] == series) {
      return known;
    }
    String key = signal + "#" + series;
    keySeries[i] = series;
    keys[i] = key;
    return key;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Observation> out)
      throws Exception {
    if (idle.expired(timestamp, ctx.timerService())) {
      clear(ctx);
    }
  }

  private void clear(Context ctx) throws Exception {
    idle.clear(ctx.timerService());
    buckets.clear();
    classWeights.clear();
    counts.clear();
    heapMax.clear();
    heapUsableMax.clear();
    heapFootprint.clear();
    residentBytes.clear();
    jvmBufferBytes.clear();
    heapSharedViews.clear();
    managedSeen.clear();
    collectionBucketEnd.clear();
    faulted.clear();
    mapped.clear();
    retainedSamples.clear();
    faultedInLevels.clear();
    mappedLevels.clear();
    directLevels.clear();
    outstandingLevels.clear();
    threadLevels.clear();
    classLevels.clear();
    goroutineLevels.clear();
    heapClassLevels.clear();
  }
}
