package io.memfleet.collector.jfr;

import io.memfleet.collector.EventHeaders;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.event.StackTrace;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedClassLoader;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import org.apache.avro.specific.SpecificRecord;

/**
 * Maps JFR events of one JVM to memfleet's event model.
 *
 * <pre>{@code
 * JfrEventMapper mapper = new JfrEventMapper(identity, headers, 8);
 * stream.onEvent(e -> mapper.map(e).forEach(sink::publish));
 * stream.onFlush(() -> mapper.onFlush().forEach(sink::publish));
 * }</pre>
 *
 * <table>
 *   <caption>mapping</caption>
 *   <tr><td>jdk.ObjectAllocationSample</td><td>Allocation JAVA_SAMPLE: class, weight, top
 *       frames and their hash; sizeBytes 0 (the event has no object size)</td></tr>
 *   <tr><td>jdk.OldObjectSample</td><td>Allocation JAVA_OLD_OBJECT: class, age, allocation
 *       time, size where the JDK reports it (objectSize, JDK 18+), array length as label-free
 *       size estimate otherwise 0</td></tr>
 *   <tr><td>jdk.GarbageCollection + jdk.GCHeapSummary (before/after, same gcId) + on G1
 *       jdk.G1GarbageCollection (young or mixed)</td><td>GcCycle with the live set where the
 *       collection shows it (emitted once the cycle and its after-GC summary are both seen, see
 *       {@link GcCycleAssembler}), and one HeapSummary per summary; an inferred heap
 *       OutOfMemoryError as OomKill</td></tr>
 *   <tr><td>jdk.MetaspaceSummary, jdk.DirectBufferStatistics, jdk.CodeCacheStatistics,
 *       jdk.NativeMemoryUsageTotal, jdk.GCConfiguration</td><td>MemoryPools; OomKill when direct
 *       buffers reach their maximum ({@link JvmPoolReadings})</td></tr>
 *   <tr><td>jdk.GCPhasePause</td><td>GcPause</td></tr>
 *   <tr><td>jdk.GCHeapConfiguration</td><td>remembered: maxBytes of HeapSummary</td></tr>
 *   <tr><td>jdk.GCConfiguration, jdk.YoungGenerationConfiguration, jdk.UnsignedLongFlag
 *       {@code SurvivorRatio}</td><td>remembered: usableMaxBytes of HeapSummary
 *       ({@link UsableHeap})</td></tr>
 *   <tr><td>jdk.JavaThreadStatistics</td><td>ThreadCount JAVA_THREADS, every 10 s with the live
 *       threads grouped by the stack that started them ({@link LiveByStack})</td></tr>
 *   <tr><td>jdk.ThreadStart (with its stack), jdk.ThreadEnd</td><td>remembered: which stack
 *       started each live thread</td></tr>
 *   <tr><td>jdk.ClassDefine (with its stack), jdk.ClassLoad (with its stack) of a hidden
 *       class, jdk.ClassUnload</td><td>remembered: which stack defined each live class of a
 *       class loader other than the JDK's bootstrap and platform loaders, and each live hidden
 *       class (JFR has no ClassDefine for those); every 10 s the largest groups ride on the
 *       METASPACE pool of a MemoryPools reading</td></tr>
 *   <tr><td>jdk.ResidentSetSize (JDK 21+)</td><td>ResidentMemory (rssBytes only)</td></tr>
 *   <tr><td>memfleet.DirectBufferSite (the direct-buffer probe)</td><td>Allocation OUTSTANDING
 *       of java.nio.DirectByteBuffer: live bytes and allocated bytes by stack</td></tr>
 * </table>
 *
 * <p>Time: every event is stamped {@code clockDomain = REALTIME} with {@code rawTimestamp} = the
 * event's {@code getStartTime()} in epoch nanoseconds. That instant is JFR's own conversion of its
 * tick counter to wall-clock time (anchored at each chunk start), not a tick value: the raw ticks
 * are not exposed by the consumer API, and the conversion is what JFR's own tools show. The
 * collector also publishes ClockSync samples (MONOTONIC ↔ REALTIME) for the host, so the pipeline
 * can still align JFR events with eBPF/perf events on CLOCK_MONOTONIC.
 *
 * <p>Not thread-safe: one stream thread calls it (JFR dispatches a stream's events on one thread).
 */
public final class JfrEventMapper {
  /** GC cycles without an after-GC summary are given this many flushes before being dropped. */
  private static final int GC_PATIENCE_FLUSHES = 3;

  private final ProcessIdentity process;
  private final EventHeaders headers;
  /** JDK frames kept above the program's first frame when the JDK frames are more than fit. */
  static final int JDK_FRAMES_KEPT = 2;

  private final int stackDepth;
  private final AtomicLong unmapped = new AtomicLong();
  private final GcCycleAssembler gcs;
  private final UsableHeap usable = new UsableHeap();
  private final JvmPoolReadings pools;
  private final LiveByStack threadStarts = LiveByStack.threads();
  private final LiveByStack classDefines = LiveByStack.classes();
  /** Start stacks published with a thread count: enough to hold a leak's and a pool's. */
  static final int THREAD_STACKS_PUBLISHED = 8;
  /** Define stacks published with a metaspace reading (a class-loader leak's and a few more). */
  static final int CLASS_STACKS_PUBLISHED = 8;
  /**
   * Start and define stacks ride on one thread count or metaspace reading in this many ns, not on
   * each (thread counts come every second): a few KB per JVM and second otherwise, and the
   * pipeline judges both in 10-s buckets.
   */
  static final long STACKS_EVERY_NS = 10_000_000_000L;
  private long threadStacksSentNs = Long.MIN_VALUE;
  private long classStacksSentNs = Long.MIN_VALUE;

  public JfrEventMapper(ProcessIdentity process, EventHeaders headers, int stackDepth) {
    this.process = process;
    this.headers = headers;
    this.stackDepth = stackDepth;
    LongFunction<EventHeader> header =
        rawNs -> headers.next(process, Source.JFR, ClockDomain.REALTIME, rawNs);
    this.gcs = new GcCycleAssembler(header, process.getComm());
    this.pools = new JvmPoolReadings(header, process.getComm());
  }

  /** The memfleet events for one JFR event (often one, sometimes none or two). */
  public List<SpecificRecord> map(RecordedEvent e) {
    String type = e.getEventType().getName();
    return switch (type) {
      case "jdk.ObjectAllocationSample" -> List.of(allocationSample(e));
      case "jdk.OldObjectSample" -> List.of(oldObject(e));
      case "jdk.GarbageCollection" -> garbageCollection(e);
      case "jdk.GCHeapSummary" -> heapSummary(e);
      case "jdk.GCPhasePause" -> List.of(pause(e));
      case "jdk.G1GarbageCollection" -> gcs.g1Type(e.getInt("gcId"), e.getString("type"));
      case "jdk.GCHeapConfiguration" -> {
        gcs.maxHeapBytes(e.getLong("maxSize"));
        yield List.of();
      }
      case "jdk.YoungGenerationConfiguration" -> {
        usable.youngMax(e.getLong("maxSize"));
        yield List.of();
      }
      case "jdk.UnsignedLongFlag" -> {
        if ("SurvivorRatio".equals(e.getString("name"))) {
          usable.survivorRatio(e.getLong("value"));
        }
        yield List.of();
      }
      case "jdk.GCConfiguration" -> {
        usable.youngCollector(e.getString("youngCollector"));
        yield withClassStacks(pools.map(e, epochNanos(e.getStartTime())));
      }
      case "jdk.MetaspaceSummary", "jdk.DirectBufferStatistics", "jdk.CodeCacheStatistics",
          "jdk.NativeMemoryUsageTotal" ->
          withClassStacks(pools.map(e, epochNanos(e.getStartTime())));
      case "jdk.JavaThreadStatistics" -> List.of(threads(e));
      case "jdk.ThreadStart" -> {
        threadStarts.started(javaThreadId(e), stack(e.getStackTrace()));
        yield List.of();
      }
      case "jdk.ThreadEnd" -> {
        threadStarts.ended(javaThreadId(e));
        yield List.of();
      }
      case "jdk.ClassDefine" -> {
        RecordedClass defined = e.getClass("definedClass");
        if (defined != null && !builtIn(e.getValue("definingClassLoader"))) {
          classDefines.started(defined.getId(), stack(e.getStackTrace()));
        }
        yield List.of();
      }
      case "jdk.ClassLoad" -> {
        RecordedClass loaded = e.getClass("loadedClass");
        if (loaded != null && hidden(loaded)) {
          classDefines.started(loaded.getId(), stack(e.getStackTrace()));
        }
        yield List.of();
      }
      case "jdk.ClassUnload" -> {
        RecordedClass unloaded = e.getClass("unloadedClass");
        if (unloaded != null) {
          classDefines.ended(unloaded.getId());
        }
        yield List.of();
      }
      case "jdk.ResidentSetSize" -> List.of(rss(e));
      case JfrSettings.DIRECT_BUFFER_SITE -> List.of(directBufferSite(e));
      default -> {
        unmapped.incrementAndGet();
        yield List.of();
      }
    };
  }

  /**
   * Call after each stream flush: completes GC cycles whose G1 type never came, gives up on
   * those whose summaries never came, and publishes the code cache read since the last flush.
   */
  public List<SpecificRecord> onFlush() {
    List<SpecificRecord> out = new ArrayList<>(gcs.flush());
    out.addAll(pools.flush());
    return out;
  }

  /** JFR events of types this mapper does not know (should stay 0 with our settings). */
  public long unmappedEvents() {
    return unmapped.get();
  }

  /** GC cycles dropped because their after-GC heap summary never arrived. */
  public long incompleteGcCycles() {
    return gcs.incompleteCycles();
  }

  /** The class the direct-buffer probe's levels are of. */
  public static final String DIRECT_BUFFER_CLASS = "java.nio.DirectByteBuffer";

  private EventHeader header(RecordedEvent e) {
    return headers.next(process, Source.JFR, ClockDomain.REALTIME, epochNanos(e.getStartTime()));
  }

  static long epochNanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private Allocation allocationSample(RecordedEvent e) {
    return Allocation.newBuilder()
        .setHeader(header(e))
        .setKind(AllocationKind.JAVA_SAMPLE)
        .setObjectClass(className(e.getClass("objectClass")))
        .setSizeBytes(0)
        .setWeightBytes(e.getLong("weight"))
        .setStack(stack(e.getStackTrace()))
        .setThreadName(threadName(e.getThread()))
        .build();
  }

  private Allocation oldObject(RecordedEvent e) {
    RecordedObject object = e.getValue("object");
    RecordedClass type = object != null ? object.getValue("type") : null;
    long size = e.hasField("objectSize") ? e.getLong("objectSize") : 0;
    Long allocatedAt = e.hasField("allocationTime") && e.getInstant("allocationTime") != null
        ? epochNanos(e.getInstant("allocationTime")) : null;
    Long age = e.hasField("objectAge") ? e.getDuration("objectAge").toNanos() : null;
    return Allocation.newBuilder()
        .setHeader(header(e))
        .setKind(AllocationKind.JAVA_OLD_OBJECT)
        .setObjectClass(className(type))
        .setSizeBytes(size)
        .setWeightBytes(size)
        .setStack(stack(e.getStackTrace()))
        .setThreadName(threadName(e.getThread()))
        .setAllocationTimeRaw(allocatedAt)
        .setAgeNs(age)
        .build();
  }

  /**
   * The direct-buffer probe's report for one stack: the bytes of live direct buffers it
   * allocated (an estimate from sampled allocations), as an OUTSTANDING level of
   * {@code java.nio.DirectByteBuffer}. Its frames come as text (the event is periodic: its own
   * stack would be JFR's thread's), innermost first, kept as {@link #stack} keeps frames.
   */
  private Allocation directBufferSite(RecordedEvent e) {
    String text = e.getString("frames");
    List<String> all = text == null || text.isEmpty() ? List.of()
        : List.of(text.split("\n"));
    List<String> frames = keptFrames(new ArrayList<>(all), stackDepth);
    return Allocation.newBuilder()
        .setHeader(header(e))
        .setKind(AllocationKind.OUTSTANDING)
        .setObjectClass(DIRECT_BUFFER_CLASS)
        .setSizeBytes(0)
        .setWeightBytes(e.getLong("allocatedBytes"))
        .setOutstandingBytes(e.getLong("outstandingBytes"))
        .setStack(frames.isEmpty() ? null : StackTrace.newBuilder().setFrames(frames)
            .setHash(stackHash(frames)).setTruncated(all.size() > frames.size()).build())
        .build();
  }

  private List<SpecificRecord> garbageCollection(RecordedEvent e) {
    // stream events may be reused after this call: keep values, not the event
    return gcs.collection(e.getInt("gcId"), e.getString("name"), e.getString("cause"),
        epochNanos(e.getStartTime()), e.getDuration().toNanos(),
        e.getDuration("sumOfPauses").toNanos());
  }

  private List<SpecificRecord> heapSummary(RecordedEvent e) {
    long gcId = e.getInt("gcId");
    boolean before = "Before GC".equals(e.getString("when"));
    RecordedObject space = e.getValue("heapSpace");
    Long reserved = space != null ? space.getLong("reservedSize") : null;
    // the maximum from jdk.GCHeapConfiguration; until it came (JFR emits chunk-start events from
    // its periodic thread, which a busy JVM runs after its first collections), the reserved
    // heap, which is the maximum the heap may grow to
    Long max = gcs.maxHeapBytes() != null ? gcs.maxHeapBytes() : reserved;
    if (reserved != null) {
      gcs.reservedHeapBytes(reserved);
    }
    HeapSummary summary = HeapSummary.newBuilder()
        .setHeader(header(e))
        .setPhase(before ? HeapPhase.BEFORE_GC : HeapPhase.AFTER_GC)
        .setGcId(gcId)
        .setUsedBytes(e.getLong("heapUsed"))
        .setCommittedBytes(space != null ? space.getLong("committedSize") : 0)
        .setReservedBytes(reserved)
        .setMaxBytes(max)
        .setUsableMaxBytes(usable.of(max))
        .build();
    List<SpecificRecord> out = new ArrayList<>(2);
    out.add(summary);
    out.addAll(gcs.heapSummary(gcId, before, summary.getUsedBytes()));
    return out;
  }

  /** HotSpot collector names as JFR reports them (G1New without its type: YOUNG). */
  static GcGeneration generation(String name) {
    return GcCycleAssembler.generation(name, null);
  }

  private GcPause pause(RecordedEvent e) {
    return GcPause.newBuilder()
        .setHeader(header(e))
        .setGcId((long) e.getInt("gcId"))
        .setPhase(e.getString("name"))
        .setDurationNs(e.getDuration().toNanos())
        .build();
  }

  /**
   * Whether stacks last sent at {@code sentNs} (MIN_VALUE: never) go out again at {@code nowNs}:
   * {@link #STACKS_EVERY_NS} later, or at once when the clock went back.
   */
  private static boolean stacksDue(long sentNs, long nowNs) {
    return sentNs == Long.MIN_VALUE || nowNs < sentNs || nowNs - sentNs >= STACKS_EVERY_NS;
  }

  private ThreadCount threads(RecordedEvent e) {
    long nowNs = epochNanos(e.getStartTime());
    List<io.memfleet.event.StackCount> stacks = List.of();
    if (stacksDue(threadStacksSentNs, nowNs)) {
      stacks = threadStarts.top(THREAD_STACKS_PUBLISHED);
      if (!stacks.isEmpty()) {
        threadStacksSentNs = nowNs;
      }
    }
    return ThreadCount.newBuilder()
        .setHeader(header(e))
        .setKind(ThreadKind.JAVA_THREADS)
        .setCount(e.getLong("activeCount"))
        .setDaemonCount(e.getLong("daemonCount"))
        .setPeakCount(e.getLong("peakCount"))
        .setStacks(stacks)
        .build();
  }

  /**
   * The JDK's bootstrap and platform loaders: their classes stay for the JVM's life, so they
   * cannot be a class-loader leak, and a JVM defines thousands of them at start-up.
   */
  /** Whether {@code c} is a hidden class (JDK 15+ records it; older recordings say nothing). */
  static boolean hidden(RecordedClass c) {
    return c.hasField("hidden") && c.getBoolean("hidden");
  }

  static boolean builtIn(RecordedClassLoader loader) {
    return loader == null || loader.getType() == null
        || "jdk.internal.loader.ClassLoaders$PlatformClassLoader".equals(
            loader.getType().getName());
  }

  /** The largest define-stack groups onto a reading's METASPACE pool, once in 10 s. */
  private List<SpecificRecord> withClassStacks(List<SpecificRecord> readings) {
    for (SpecificRecord r : readings) {
      if (!(r instanceof MemoryPools m)) {
        continue;
      }
      long nowNs = m.getHeader().getRawTimestamp();
      if (!stacksDue(classStacksSentNs, nowNs)) {
        return readings;
      }
      for (PoolUsage pool : m.getPools()) {
        if (pool.getPool() == MemoryPool.METASPACE) {
          List<io.memfleet.event.StackCount> top = classDefines.top(CLASS_STACKS_PUBLISHED);
          if (!top.isEmpty()) {
            pool.setStacks(top);
            classStacksSentNs = nowNs;
          }
          return readings;
        }
      }
    }
    return readings;
  }

  private static long javaThreadId(RecordedEvent e) {
    RecordedThread t = e.getThread("thread");
    return t == null ? -1 : t.getJavaThreadId();
  }

  private ResidentMemory rss(RecordedEvent e) {
    return ResidentMemory.newBuilder().setHeader(header(e)).setRssBytes(e.getLong("size")).build();
  }

  private static String className(RecordedClass c) {
    return c == null ? null : javaName(c.getName());
  }

  /**
   * Array descriptor names ({@code [B}, {@code [Ljava.lang.String;}) as Java writes them, as JFR
   * and class histograms give them; other names stay.
   */
  public static String javaName(String name) {
    int dims = 0;
    while (dims < name.length() && name.charAt(dims) == '[') {
      dims++;
    }
    if (dims == 0) {
      return name;
    }
    String element = switch (name.charAt(dims)) {
      case 'B' -> "byte";
      case 'C' -> "char";
      case 'D' -> "double";
      case 'F' -> "float";
      case 'I' -> "int";
      case 'J' -> "long";
      case 'S' -> "short";
      case 'Z' -> "boolean";
      case 'L' -> name.substring(dims + 1, name.endsWith(";") ? name.length() - 1 : name.length());
      default -> name.substring(dims);
    };
    return element + "[]".repeat(dims);
  }

  private static String threadName(RecordedThread t) {
    if (t == null) {
      return null;
    }
    return t.getJavaName() != null ? t.getJavaName() : t.getOSName();
  }

  /**
   * {@code stackDepth} frames as {@code pkg.Class.method:line}, hashed: the top ones, unless the
   * program's first frame lies deeper — see {@link #keptFrames}.
   */
  StackTrace stack(RecordedStackTrace trace) {
    if (trace == null) {
      return null;
    }
    List<RecordedFrame> recorded = trace.getFrames();
    List<String> named = new ArrayList<>(stackDepth);
    int program = -1;
    for (RecordedFrame f : recorded) {
      // keptFrames keeps at most depth frames from the program's first one on: name no more
      if (program >= 0 && named.size() >= Math.max(stackDepth, program + stackDepth)) {
        break;
      }
      String type = f.getMethod().getType().getName();
      String frame = type + "." + f.getMethod().getName() + ":" + f.getLineNumber();
      if (program < 0 && !isJdkFrame(frame)) {
        program = named.size();
      }
      named.add(frame);
    }
    List<String> frames = keptFrames(named, stackDepth);
    return StackTrace.newBuilder()
        .setFrames(frames)
        .setHash(stackHash(frames))
        .setTruncated(trace.isTruncated() || recorded.size() > frames.size())
        .build();
  }

  /** Frames of the JDK itself: what allocates on the program's behalf, never the culprit. */
  private static boolean isJdkFrame(String frame) {
    return frame.startsWith("java.") || frame.startsWith("javax.") || frame.startsWith("jdk.")
        || frame.startsWith("sun.") || frame.startsWith("com.sun.");
  }

  /**
   * At most {@code depth} frames of a stack (innermost first): the top ones, unless the
   * program's own first frame is not among them — an allocation deep in the JDK (a
   * {@code String.format}, a collection growing) takes more frames than are kept, and a stack of
   * JDK frames only names no code of the program (seen: an {@code OutOfMemoryError} named
   * {@code StringUTF16.toChars}). Then the {@value #JDK_FRAMES_KEPT} innermost JDK frames (what
   * allocated) are kept, the JDK frames between them and the program are left out, and the
   * program's frames fill the rest.
   */
  static List<String> keptFrames(List<String> all, int depth) {
    if (all.size() <= depth) {
      return all;
    }
    int program = 0;
    while (program < all.size() && isJdkFrame(all.get(program))) {
      program++;
    }
    if (program < depth || program == all.size()) {
      return new ArrayList<>(all.subList(0, depth));
    }
    int jdk = Math.min(JDK_FRAMES_KEPT, depth - 1);
    List<String> kept = new ArrayList<>(all.subList(0, jdk));
    kept.addAll(all.subList(program, Math.min(all.size(), program + depth - jdk)));
    return kept;
  }

  /** FNV-1a 64 over the frames joined by '\n': stable across JVMs, hosts and releases. */
  public static long stackHash(List<String> frames) {
    long h = 0xcbf29ce484222325L;
    boolean first = true;
    for (String frame : frames) {
      if (!first) {
        h = (h ^ '\n') * 0x100000001b3L;
      }
      first = false;
      for (byte b : frame.getBytes(StandardCharsets.UTF_8)) {
        h = (h ^ (b & 0xff)) * 0x100000001b3L;
      }
    }
    return h;
  }
}
