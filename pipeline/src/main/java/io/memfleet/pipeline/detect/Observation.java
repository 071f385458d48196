package io.memfleet.pipeline.detect;

import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.ProcessScopedKey;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One bucket of one memory series of one process: what a detection rule judges.
 * {@link ObservationFunction} folds the events of a series over a bucket of event time (10 s by
 * default) into one observation, so rules see a steady, low rate whatever the sources emit.
 *
 * <p>Public fields, a no-arg constructor; written by {@link ObservationSerializer} (declared with
 * {@code @TypeInfo}: no reflection, no Kryo). Rules key observations by
 * {@link #seriesKey()}: one rule state per process and series (per stack for
 * {@link Signal#OUTSTANDING}).
 *
 * <pre>{@code
 * observations.filter(o -> o.signal == Signal.GOROUTINES).keyBy(Observation::seriesKey);
 * }</pre>
 */
@TypeInfo(ObservationSerializer.Factory.class)
public class Observation {
  public Signal signal;
  /** Series within the signal: {@code ""}, or e.g. {@code "stack:<hash>"}, {@code "mmap"}. */
  public String series = "";

  // --- the process
  public String cluster;
  public String node;
  public String bootId;
  public int pid;
  public long processStartTimeMs;
  public String comm;
  public Runtime runtime;
  public String service;
  public String namespace;
  public String pod;
  public String container;

  // --- the bucket
  /** Start of the bucket, UTC ns. */
  public long bucketStartUtcNs;
  /** Time of the newest event folded in, UTC ns: the observation's time. */
  public long utcNs;
  /** Number of events folded in. */
  public int count;
  /**
   * LIVE_SET: the value came from a collection that shows the live set (full, mixed, a
   * ZGC/Shenandoah cycle); false when only young collections were seen in the bucket.
   */
  public boolean confirmed;
  /**
   * LIVE_SET: a G1 mixed collection is in the bucket — old regions were collected, so its value
   * is a floor (the live set plus the garbage G1 chose to leave), not only heap after young.
   */
  public boolean reclaimed;
  /** LIVE_SET: the value came from G1's collections (its young ones leave promoted garbage). */
  public boolean g1;
  /** The series' value: bytes, a count, or a fraction for {@link Signal#GC_LOAD}. */
  public double value;
  /**
   * The newest value folded in (at {@link #utcNs}), whatever the series keeps as its value: for
   * LIVE_SET the heap after the bucket's last collection, which tells whether the heap still
   * rose when the bucket closed. NaN when unknown.
   */
  public double newest = Double.NaN;
  /**
   * LIVE_SET: the heap after the newest collection in the bucket that shows the live set (full,
   * a ZGC/Shenandoah cycle), at {@link #liveUtcNs}; NaN when the bucket has none. The floor
   * ({@link #value}) is the lowest heap after any collection, stamped with the bucket's newest
   * time; this is one collection's figure at its own time, which the heap's forecast needs.
   */
  public double live = Double.NaN;
  /** LIVE_SET: event time of {@link #live}, 0 when none. */
  public long liveUtcNs;
  /**
   * LIVE_SET: the oldest live set of the point, at {@link #liveFirstUtcNs} — a point folded from
   * finer ones keeps both ends, so the live set's own rise is seen even when several collections
   * that show it fall into one point (a G1 heap falling back to full collections before it runs
   * out). The same as {@link #live} when the point holds one.
   */
  public double liveFirst = Double.NaN;
  /** LIVE_SET: event time of {@link #liveFirst}, 0 when none. */
  public long liveFirstUtcNs;
  /**
   * Companion measure: the cgroup limit (CGROUP_MEMORY), the managed heap committed (NATIVE),
   * heap used / max (GC_LOAD); NaN when unknown.
   */
  public double companion = Double.NaN;
  /**
   * Second companion (NATIVE): the lowest managed heap used in the bucket, NaN when unknown. A
   * heap can sit at its committed maximum while its use still climbs: RSS then grows as heap pages
   * are touched, which is a heap leak, not native growth. LIVE_SET: the garbage the newest
   * collection may have left by the collector's design (G1: its waste allowance; ZGC,
   * Shenandoah: the regions below their garbage threshold), NaN for one that leaves none.
   */
  public double usedCompanion = Double.NaN;
  /**
   * CGROUP_MEMORY: {@link #usedCompanion} is the managed heap's footprint, from another source
   * (a Go scrape, a JFR chunk); this is its own event time (0 when none). The same figure can
   * ride on several buckets.
   */
  public long usedCompanionUtcNs;
  /**
   * CGROUP_MEMORY: the managed heap's maximum (the JVM's {@code -Xmx}, Go's {@code GOMEMLIMIT}),
   * NaN when none is known: the heap's footprint ({@link #usedCompanion}) grows no further, so
   * the cgroup can reach its limit by the heap's growth only if the rest of it and the whole heap
   * do not fit.
   */
  public double heapMax = Double.NaN;

  // --- what the growth is attributed to, where known
  /** Stack hash for OUTSTANDING malloc series; 0 when none. */
  public long stackHash;
  /** Frames, innermost first, joined by '\n'; null when none. */
  public String stackFrames;
  /**
   * The pool the growth is in when the series alone does not say: for OUTSTANDING "mmap",
   * MALLOC when the heap break grew more than mappings did, else MMAP; null otherwise.
   */
  public io.memfleet.event.MemoryPool poolHint;
  /** Class with the most sampled allocation weight in the bucket (managed heaps); or null. */
  public String objectClass;
  /**
   * The stack was named by the pages it touched first (page-fault samples), not by what it holds
   * (allocator probes, mappings, retained objects). In a malloc heap beside churn that is as often
   * the code that writes freed blocks again as the code that keeps them, so an alert says so.
   */
  public boolean firstTouch;
  /**
   * The stack is not where {@link #objectClass} was allocated: that class, the heaviest of what
   * the process retains, was sampled without a stack, and the stack is the heaviest retained one
   * of another class.
   */
  public boolean stackBesideClass;
  /** {@link #objectClass} is what the process retains most (old-object samples), not allocates. */
  public boolean classRetained;
  /**
   * {@link #objectClass} is the class whose bytes grew on the heap (the JVM's class histograms):
   * named so where old-object samples name nothing retained.
   */
  public boolean classGrowing;

  public Observation() {}

  /**
   * Key of the rule's state machine: the process, signal and series; in its process's key group,
   * so the rules read the observations where they were made.
   */
  public ProcessScopedKey seriesKey() {
    return new ProcessScopedKey(processId(), signal + "#" + series);
  }

  /** The process, as {@code TimedEvent.processId()}. */
  public ProcessId processId() {
    return new ProcessId(cluster, node, pid, processStartTimeMs);
  }

  /** The process key, as {@code TimedEvent.processKey()}. */
  public String processKey() {
    return cluster + "/" + node + "/" + pid + "/" + processStartTimeMs;
  }

  /**
   * Takes what {@code newer} attributes the growth to, where it names something: its class, its
   * stack (with how the stack was found). For a point that merges several observations.
   */
  public void attributeAs(Observation newer) {
    if (newer.objectClass != null) {
      objectClass = newer.objectClass;
      classRetained = newer.classRetained;
      classGrowing = newer.classGrowing;
    }
    if (newer.stackFrames != null) {
      stackFrames = newer.stackFrames;
      stackHash = newer.stackHash;
      firstTouch = newer.firstTouch;
      stackBesideClass = newer.stackBesideClass;
    }
  }

  /** A copy with every field. */
  public Observation copy() {
    return ObservationSerializer.INSTANCE.copy(this);
  }

  /**
   * Drops what only a series' newest observation is read for, once it is history: the identity
   * strings (the runtime, pid and start time stay: rules may judge by them). An alert takes the
   * identity from the newest observation, whatever stretch of the history its evidence is.
   */
  public void slim() {
    cluster = null;
    node = null;
    bootId = null;
    comm = null;
    service = null;
    namespace = null;
    pod = null;
    container = null;
  }

  /** The process identity for an alert. */
  public ProcessIdentity identity() {
    return ProcessIdentity.newBuilder()
        .setCluster(nz(cluster)).setNode(nz(node)).setBootId(nz(bootId)).setPid(pid)
        .setProcessStartTimeMs(processStartTimeMs).setComm(nz(comm))
        .setRuntime(runtime == null ? Runtime.UNKNOWN : runtime)
        .setService(service).setNamespace(namespace).setPod(pod).setContainer(container)
        .build();
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  @Override
  public String toString() {
    return signal + "[" + seriesKey() + " t=" + utcNs + " v=" + value + " c=" + companion + "]";
  }
}
