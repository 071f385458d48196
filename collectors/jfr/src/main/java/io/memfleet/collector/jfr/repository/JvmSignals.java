package io.memfleet.collector.jfr.repository;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.jfr.JvmPoolReadings;
import io.memfleet.collector.jfr.attach.ClassHistogram;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecord;

/**
 * What a JVM collector learns of a JVM from the JVM's own events, to decide what more to ask of
 * it: whether its live set grows ({@link LiveSetTrend}: old-object stacks on), whether its
 * direct buffers grow ({@link DirectBufferTrend}: the direct-buffer probe), how full its heap is
 * after a collection, whether its old-object samples show what it retains, and
 * whether they can be trusted at all (not under Shenandoah) — the last two decide when its class
 * histograms are due ({@link #classHistogramDue}). The node collector keeps one per JVM it reads
 * from outside ({@link RepositoryReader}), the in-process agent one for its own JVM.
 *
 * <pre>{@code
 * JvmSignals signals = new JvmSignals();
 * signals.observe(record);                   // each event the JVM's recording yields
 * if (signals.classHistogramDue(System.nanoTime(), followedSince, last, period)) { ... }
 * }</pre>
 *
 * <p>{@link #observe} is called from one thread (the JFR stream's); the rest may be read from
 * others.
 */
public final class JvmSignals {
  /** Age from which the pipeline counts an old-object sample as retained. */
  static final long RETAINED_AGE_NS = 10_000_000_000L;
  /**
   * A JVM whose live set grows and whose old-object samples showed nothing retained this long is
   * named by class histograms instead ({@link #classHistogramDue}).
   */
  static final long RETAINED_QUIET_NANOS = 90_000_000_000L;
  /** Rows of a class histogram published: the heaviest classes, and the heaviest program classes. */
  static final int HISTOGRAM_HEAVIEST = 8;
  static final int HISTOGRAM_PROGRAM = 8;

  /** Heap after the newest collection over the heap's maximum; NaN until one is read. */
  private volatile double heapFullness = Double.NaN;
  private final LiveSetTrend liveSet = new LiveSetTrend();
  private volatile boolean liveSetGrowing;
  private final DirectBufferTrend directBuffers = new DirectBufferTrend();
  private volatile boolean directBuffersGrowing;
  /** When an old-object sample of a retained object (at least 10 s old) was last read. */
  private volatile long lastRetainedSampleNanos;
  /** The JVM runs Shenandoah, whose old-object samples JFR's leak profiler gets wrong. */
  private volatile boolean oldObjectSamplesBroken;
  /** The two newest direct-buffer readings ({used, epoch ns}) and the pool's maximum (0: none). */
  private final long[] directBefore = new long[2];
  private final long[] directLast = new long[2];
  private volatile long directMax;
  /** When the JVM's events last reported an OutOfMemoryError (epoch ns), 0 for never. */
  private volatile long lastOutOfMemoryNanos;

  /** A JVM that exits longer than this after its newest direct-buffer reading is not judged. */
  static final long DIRECT_EXIT_WITHIN_NANOS = 10_000_000_000L;

  /** One event of the JVM. */
  public void observe(SpecificRecord r) {
    if (r instanceof HeapSummary h && h.getPhase() == HeapPhase.AFTER_GC && h.getMaxBytes() > 0) {
      heapFullness = h.getUsedBytes() / (double) h.getMaxBytes();
      liveSet.afterGc(h.getHeader().getRawTimestamp(), h.getUsedBytes(), h.getMaxBytes());
      liveSetGrowing = liveSet.growing();
    }
    if (r instanceof MemoryPools p) {
      String gc = p.getSettings() == null ? null : p.getSettings().get("gc");
      if (gc != null && gc.contains("Shenandoah")) {
        oldObjectSamplesBroken = true;
      }
      for (PoolUsage u : p.getPools()) {
        if (u.getPool() == MemoryPool.DIRECT_BUFFERS) {
          long at = p.getHeader().getRawTimestamp();
          directBuffers.reading(at, u.getUsedBytes());
          directBuffersGrowing = directBuffers.growing();
          synchronized (directLast) {
            if (at > directLast[1]) {
              directBefore[0] = directLast[0];
              directBefore[1] = directLast[1];
              directLast[0] = u.getUsedBytes();
              directLast[1] = at;
            }
          }
          directMax = u.getLimitBytes() != null ? u.getLimitBytes() : 0;
        }
      }
    }
    if (r instanceof OomKill k && k.getDetectedBy() == OomDetection.JAVA_OUT_OF_MEMORY) {
      lastOutOfMemoryNanos = Math.max(lastOutOfMemoryNanos, k.getHeader().getRawTimestamp());
    }
    if (r instanceof Allocation a && retained(a)) {
      lastRetainedSampleNanos = System.nanoTime();
    }
  }

  /**
   * The {@code OutOfMemoryError} a JVM that exited at {@code exitNanos} (epoch ns) most likely
   * died of, when its direct buffers were on their way to their maximum: they are read every
   * {@code poolPeriod} (5 s), so a JVM whose buffers cross their last tenth between two readings
   * dies before a reading shows them exhausted (seen: 84 % of a 128 MiB maximum, rising
   * 5.1 MiB/s, then "OutOfMemoryError: Cannot reserve 65536 bytes of direct buffer memory" 4 s
   * later, and no report). Inferred when the newest reading was at least half the maximum and
   * within {@value #DIRECT_EXIT_WITHIN_NANOS} ns of the exit, the two newest readings rise, and
   * at their rate the buffers were at {@link JvmPoolReadings#EXHAUSTED_FRACTION} of the maximum by
   * the exit, as a reading is judged; not when the JVM's events reported an
   * {@code OutOfMemoryError} within {@link JvmPoolReadings#REPORT_GAP_NS}. Null
   * otherwise.
   */
  public OomKill directBuffersExhaustedAtExit(long exitNanos, ProcessIdentity process,
      EventHeaders headers) {
    long used;
    long at;
    long usedBefore;
    long atBefore;
    synchronized (directLast) {
      used = directLast[0];
      at = directLast[1];
      usedBefore = directBefore[0];
      atBefore = directBefore[1];
    }
    long max = directMax;
    if (max <= 0 || atBefore == 0 || at <= atBefore || used < max / 2
        || exitNanos - at > DIRECT_EXIT_WITHIN_NANOS || exitNanos < at
        || lastOutOfMemoryNanos != 0
            && exitNanos - lastOutOfMemoryNanos < JvmPoolReadings.REPORT_GAP_NS) {
      return null;
    }
    double perSecond = (used - usedBefore) / ((at - atBefore) / 1e9);
    double atExit = used + perSecond * (exitNanos - at) / 1e9;
    if (perSecond <= 0 || atExit < JvmPoolReadings.EXHAUSTED_FRACTION * max) {
      return null;
    }
    return OomKill.newBuilder()
        .setHeader(headers.next(process, Source.JFR, ClockDomain.REALTIME, exitNanos))
        .setDetectedBy(OomDetection.JAVA_OUT_OF_MEMORY)
        .setVictimComm(process.getComm())
        .setPool(MemoryPool.DIRECT_BUFFERS)
        .setErrorMessage(String.format(Locale.ROOT, "Direct buffer memory (inferred: direct "
            + "buffers at %.0f%% of -XX:MaxDirectMemorySize and rising %.1f MiB/s when last read, "
            + "%.1f s before the JVM exited)", 100.0 * used / max, perSecond / (1 << 20),
            (exitNanos - at) / 1e9))
        .build();
  }

  /**
   * The JVM's heap after its newest collection, as a share of the heap's maximum (NaN until a
   * collection with a known maximum was read).
   */
  public double heapFullness() {
    return heapFullness;
  }

  /** Whether the JVM's live set grows ({@link LiveSetTrend}), from the heap summaries read. */
  public boolean liveSetGrowing() {
    return liveSetGrowing;
  }

  /** Whether the JVM's direct-buffer pool grows ({@link DirectBufferTrend}). */
  public boolean directBuffersGrowing() {
    return directBuffersGrowing;
  }

  /**
   * Whether the JVM's old-object samples cannot be trusted: it runs Shenandoah, with which JFR's
   * leak profiler is broken (JDK-8279016; seen: no sample kept past a cycle, and request garbage
   * reaching 10 s of age in one emission).
   */
  public boolean oldObjectSamplesBroken() {
    return oldObjectSamplesBroken;
  }

  /**
   * Whether an old-object sample of an object at least 10 s old (what the pipeline counts as
   * retained) was read since {@code sinceNanos} ({@link System#nanoTime}). One without a stack
   * counts too: a histogram would not name its code better. A service's class histograms, taken
   * in its healthy minutes because its retained samples (sessions) had no stack, showed its
   * request garbage growing most between three histograms (old regions' garbage piling up
   * between G1's mixed collections), while the class of its leak, once it began, grew by fewer
   * bytes a histogram than the garbage came and went.
   */
  public boolean retainedSampleSince(long sinceNanos) {
    long last = lastRetainedSampleNanos;
    return last != 0 && last - sinceNanos >= 0;
  }

  /**
   * Whether the JVM's class histogram is due at {@code now} ({@link System#nanoTime}): see
   * {@link #classHistogramDue(long, long, long, long, boolean, boolean)}, with what was read of
   * the JVM (a Shenandoah JVM's samples show nothing).
   */
  public boolean classHistogramDue(long now, long followedSince, long last, long periodNanos) {
    return classHistogramDue(now, followedSince, last, periodNanos, liveSetGrowing,
        !oldObjectSamplesBroken && retainedSampleSince(now - RETAINED_QUIET_NANOS));
  }

  /**
   * Whether a JVM's class histogram is due: its live set grows, no retained old-object sample
   * came in the last {@link #RETAINED_QUIET_NANOS} and it has been followed that
   * long, and the last histogram ({@code last}, 0 for none) is a period old.
   */
  static boolean classHistogramDue(long now, long followedSince, long last, long periodNanos,
      boolean liveSetGrowing, boolean retainedLately) {
    return periodNanos > 0 && liveSetGrowing && !retainedLately
        && now - followedSince >= RETAINED_QUIET_NANOS && (last == 0 || now - last >= periodNanos);
  }

  /** Whether {@code a} is an old-object sample of an object at least 10 s old. */
  static boolean retained(Allocation a) {
    return a.getKind() == AllocationKind.JAVA_OLD_OBJECT
        && a.getAgeNs() != null && a.getAgeNs() >= RETAINED_AGE_NS;
  }

  /**
   * A class histogram of {@code process} taken at {@code epochNanos} as the events published:
   * its heaviest classes and heaviest program classes ({@link ClassHistogram#select}), one
   * {@link AllocationKind#JAVA_HEAP_CLASS} each (its bytes and instances on the heap) — the
   * levels by class the pipeline names a growing heap by when old-object samples name nothing.
   */
  public static List<Allocation> classHistogramEvents(List<ClassHistogram.Row> rows,
      ProcessIdentity process, EventHeaders headers, long epochNanos) {
    List<Allocation> events = new ArrayList<>();
    for (ClassHistogram.Row row
        : ClassHistogram.select(rows, HISTOGRAM_HEAVIEST, HISTOGRAM_PROGRAM)) {
      events.add(Allocation.newBuilder()
          .setHeader(headers.next(process, Source.JFR, ClockDomain.REALTIME, epochNanos))
          .setKind(AllocationKind.JAVA_HEAP_CLASS)
          .setObjectClass(row.className())
          .setSizeBytes(row.instances() == 0 ? 0 : row.bytes() / row.instances())
          .setWeightBytes(0)
          .setOutstandingBytes(row.bytes())
          .setInstances(row.instances())
          .build());
    }
    return events;
  }
}
