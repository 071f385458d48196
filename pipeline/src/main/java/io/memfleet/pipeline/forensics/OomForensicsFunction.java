package io.memfleet.pipeline.forensics;

import io.memfleet.event.OomKill;
import io.memfleet.event.OomSnapshot;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.SnapshotEvent;
import io.memfleet.pipeline.model.IdleExpiry;
import io.memfleet.pipeline.model.OwnTypeInfo;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.model.Unreclaimable;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
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
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * OOM forensics, keyed by {@link #victim} (cluster/node/pid): keeps a rolling buffer of every
 * source's events of the process — the last {@code window + slack} of event time and at most
 * {@code maxEvents}, the oldest dropped and counted beyond that — and on an {@link OomKill} for
 * it emits an {@link OomSnapshot} with the events of the {@code window} before the kill, ordered
 * by UTC time.
 *
 * <p>The snapshot is emitted when the watermark passes the kill time, so events stamped before
 * the kill that arrive after it (other sources, out of order) are in it. Keyed by pid rather than
 * the full process key because a kill seen by a tracepoint may not know the victim's start time
 * (the process is gone): such a kill takes the start time, and the identity, of the newest
 * buffered event. A second report of the same kill (cgroup counter and tracepoint) within the
 * window is counted in {@code duplicateKills} and ignored. Derived events (no encoding) are not
 * buffered.
 *
 * <p>The ring is <em>armed</em> only while the process could be near an OOM kill: while what its
 * cgroup cannot reclaim ({@link Unreclaimable}: usage less page cache) is at least
 * {@code armAt} of the cgroup's limit or would reach the limit within {@value #ARM_HORIZON_S} s
 * at its latest rate, or
 * its JVM heap after a collection is at least {@code armAt} of the heap's maximum — and always
 * while no limit is known for it (no cgroup limit and no heap maximum seen), since a kill can then
 * come at any level. A disarmed process keeps no events, only the pool history the verdict reads
 * (a few hundred bytes instead of every event of the last 15 s); it disarms again below
 * {@value #DISARM_SHARE} of {@code armAt}. A kill that comes less than {@code window} after the
 * ring armed (a jump from far below the limit to it within seconds) has the events since then.
 * {@code armAt} 0 keeps every process armed.
 *
 * <p>State is cleared {@code exitGrace} of event time after {@code ProcessLifecycle} EXITED (so a
 * late-reported kill still finds the buffer) and after {@code idleTimeout} without events.
 *
 * <pre>{@code
 * PipelineStreams.byProcess(joined, OomForensicsFunction::victim)
 *     .process(new OomForensicsFunction(Duration.ofSeconds(5), Duration.ofSeconds(10), 5000,
 *         Duration.ofSeconds(30), Duration.ofMinutes(2), 0.5));
 * }</pre>
 */
public class OomForensicsFunction
    extends KeyedProcessFunction<ProcessId, TimedEvent, OomSnapshot> {
  private static final long serialVersionUID = 1L;
  private static final int HEAD = 0;
  private static final int NEXT = 1;
  private static final int NEWEST_UTC = 2;
  /** Id of the identity the last cut event carried (0: none yet). */
  private static final int IDENTITY = 3;
  /** The last identity id given out. */
  private static final int LAST_ID = 4;
  /**
   * Distinct identities kept per process. Sources see a process differently (a tracepoint knows
   * no service, the node collector its labels), so two or three take turns; a pid reused within
   * the ring's span adds the new process's. Beyond this the unused ones are dropped (looked for
   * once every 64 events), and while all are in use events are kept whole.
   */
  static final int MAX_IDENTITIES = 8;
  /** Unreclaimable memory that reaches its limit within this many seconds at its rate arms it. */
  static final int ARM_HORIZON_S = 60;
  /** An armed ring disarms when the pressure falls below this share of {@code armAt}. */
  static final double DISARM_SHARE = 0.8;
  private static final int CGROUP_FRACTION = 0;
  private static final int HEAP_FRACTION = 1;
  private static final int UNRECLAIMABLE_UTC_NS = 2;
  private static final int UNRECLAIMABLE_BYTES = 3;
  private static final int ARMED = 4;
  private static final int SOON = 5;

  private final long windowNs;
  private final long retentionNs;
  private final int maxEvents;
  private final long exitGraceMs;
  private final IdleExpiry idle;
  private final double armAt;

  private transient EventCodec codec;
  private transient IdentitySplit split;
  private transient MapState<Long, BufferedEvent> ring;
  private transient ValueState<long[]> meta; // head, next, newest utcNs, identity, last id
  /** The identities cut out of the ring's events, by id ({@link BufferedEvent#identityId}). */
  private transient MapState<Long, byte[]> identities;
  private transient ValueState<BufferedEvent> pendingKill;
  private transient ValueState<Long> lastKillUtcNs;
  private transient ValueState<Long> exitAtMs;
  /** The last minute by pool, for the verdict ({@link PoolHistory}). */
  private transient MapState<String, double[]> pools;
  /** Cgroup and heap fractions, the last unreclaimable bytes and their time, armed, limit soon. */
  private transient ValueState<double[]> pressure;
  private transient Counter droppedEvents;
  private transient Counter duplicateKills;
  private transient Counter snapshots;

  public OomForensicsFunction(Duration window, Duration slack, int maxEvents, Duration exitGrace,
      Duration idleTimeout, double armAt) {
    if (window.isNegative() || window.isZero() || slack.isNegative() || maxEvents < 1
        || exitGrace.isNegative() || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("forensics: window, idle timeout and max events must be"
          + " positive; slack and exit grace not negative");
    }
    if (!(armAt >= 0 && armAt <= 1)) {
      throw new IllegalArgumentException("forensics: arm-at must be a fraction in [0, 1]: "
          + armAt);
    }
    this.armAt = armAt;
    this.windowNs = window.toNanos();
    this.retentionNs = window.toNanos() + slack.toNanos();
    this.maxEvents = maxEvents;
    this.exitGraceMs = exitGrace.toMillis();
    this.idle = new IdleExpiry(idleTimeout);
  }

  /** Kinds whose values feed the verdict's pool history. */
  private static final java.util.Set<String> TRACKED = java.util.Set.of("HeapSummary",
      "GcCycle", "ResidentMemory", "MemoryPools", "ThreadCount");

  private PoolHistory history() {
    return new PoolHistory(new PoolHistory.Store() {
      @Override
      public double[] get(String pool) throws Exception {
        return pools.get(pool);
      }

      @Override
      public void put(String pool, double[] samples) throws Exception {
        pools.put(pool, samples);
      }

      @Override
      public Iterable<java.util.Map.Entry<String, double[]>> entries() throws Exception {
        return pools.entries();
      }
    });
  }

  /**
   * Key of the forensic buffer: the process without its start time. In the key group of the
   * process ({@link ProcessId#victim}), so forensics reads the per-process join's output unshuffled.
   */
  public static ProcessId victim(TimedEvent e) {
    return e.processId().victim();
  }

  @Override
  public void open(OpenContext openContext) {
    var ctx = getRuntimeContext();
    io.memfleet.schema.codec.EventSchemaStore schemas =
        io.memfleet.schema.codec.EventSchemaStore.fromClasspath();
    codec = new EventCodec(schemas);
    split = new IdentitySplit(schemas);
    ring = ctx.getMapState(new MapStateDescriptor<>("ring", Types.LONG,
        TypeInformation.of(BufferedEvent.class)));
    meta = ctx.getState(new ValueStateDescriptor<>("ring-meta",
        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    identities = ctx.getMapState(new MapStateDescriptor<>("ring-identities", Types.LONG,
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    pendingKill = ctx.getState(new ValueStateDescriptor<>("pending-kill",
        TypeInformation.of(BufferedEvent.class)));
    lastKillUtcNs = ctx.getState(new ValueStateDescriptor<>("last-kill", Types.LONG));
    exitAtMs = ctx.getState(new ValueStateDescriptor<>("exit-at", Types.LONG));
    idle.open(ctx);
    pools = ctx.getMapState(new MapStateDescriptor<>("pool-history", Types.STRING,
        OwnTypeInfo.value(double[].class, PoolSamplesSerializer.INSTANCE)));
    pressure = ctx.getState(new ValueStateDescriptor<>("pressure",
        PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
    droppedEvents = ctx.getMetricGroup().counter("droppedEvents");
    duplicateKills = ctx.getMetricGroup().counter("duplicateKills");
    snapshots = ctx.getMetricGroup().counter("snapshots");
  }

  @Override
  public void processElement(TimedEvent e, Context ctx, Collector<OomSnapshot> out)
      throws Exception {
    idle.touch(ctx.timerService());
    if (e.payload == null) {
      if (e.nativeBytes != null && e.calibrated()) {
        history().add(io.memfleet.event.MemoryPool.NATIVE.name(), e.utcNs, e.nativeBytes);
      }
      return;
    }
    if (e.calibrated() && TRACKED.contains(e.kind)) {
      PoolHistory h = history();
      SpecificRecord r = e.record(codec);
      for (var v : PoolHistory.valuesOf(r).entrySet()) {
        h.add(v.getKey(), e.utcNs, v.getValue());
      }
      notePressure(r, e.utcNs);
    }
    if ("OomKill".equals(e.kind)) {
      kill(e, ctx);
      return;
    }
    long[] m = meta();
    if (armed() || pendingKill.value() != null) {
      // a kill waiting for its snapshot keeps what comes (the dead process's cgroup empties)
      ring.put(m[NEXT], buffered(e, m));
      m[NEXT]++;
      m[NEWEST_UTC] = Math.max(m[NEWEST_UTC], e.utcNs);
      prune(m);
      meta.update(m);
    } else if (m[HEAD] < m[NEXT]) {
      disarm(m);
    }
    if (e.processExited) {
      long at = e.eventTimeMs() + exitGraceMs;
      Long previous = exitAtMs.value();
      if (previous != null) {
        ctx.timerService().deleteEventTimeTimer(previous);
      }
      exitAtMs.update(at);
      ctx.timerService().registerEventTimeTimer(at);
    }
  }

  /**
   * Notes how close the process is to a limit from an event of a tracked kind: what the cgroup
   * cannot reclaim ({@link Unreclaimable}) against its limit (with the time it takes to reach it
   * at the rate since the last one), a JVM heap after a collection against its maximum.
   */
  private void notePressure(SpecificRecord r, long utcNs) throws Exception {
    if (armAt == 0) {
      return;
    }
    double[] p = pressure.value();
    if (p == null) {
      p = new double[] {Double.NaN, Double.NaN, 0, 0, 1, 0};
    }
    boolean changed = false;
    if (r instanceof io.memfleet.event.ResidentMemory m && m.getCgroupLimitBytes() != null
        && m.getCgroupLimitBytes() > 0) {
      Long held = Unreclaimable.of(m);
      if (held != null) {
        double limit = m.getCgroupLimitBytes();
        p[CGROUP_FRACTION] = held / limit;
        double seconds = (utcNs - (long) p[UNRECLAIMABLE_UTC_NS]) / 1e9;
        double rate = p[UNRECLAIMABLE_UTC_NS] > 0 && seconds > 0
            ? (held - p[UNRECLAIMABLE_BYTES]) / seconds : 0;
        p[SOON] = rate > 0 && (limit - held) / rate <= ARM_HORIZON_S ? 1 : 0;
        p[UNRECLAIMABLE_UTC_NS] = utcNs;
        p[UNRECLAIMABLE_BYTES] = held;
        changed = true;
      }
    } else if (r instanceof io.memfleet.event.HeapSummary h
        && h.getPhase() == io.memfleet.event.HeapPhase.AFTER_GC && h.getMaxBytes() != null
        && h.getMaxBytes() > 0
        && h.getHeader().getProcess().getRuntime() != io.memfleet.event.Runtime.GO) {
      // a Go heap's limit (GOMEMLIMIT) is soft: the kernel's is the one that kills
      p[HEAP_FRACTION] = (double) h.getUsedBytes() / h.getMaxBytes();
      changed = true;
    }
    if (!changed) {
      return;
    }
    double fraction = Math.max(Double.isNaN(p[CGROUP_FRACTION]) ? 0 : p[CGROUP_FRACTION],
        Double.isNaN(p[HEAP_FRACTION]) ? 0 : p[HEAP_FRACTION]);
    boolean wasArmed = p[ARMED] != 0;
    p[ARMED] = fraction >= armAt || p[SOON] != 0
        || wasArmed && fraction >= armAt * DISARM_SHARE ? 1 : 0;
    pressure.update(p);
  }

  /** Whether the ring keeps events now: see the class comment. */
  private boolean armed() throws Exception {
    if (armAt == 0) {
      return true;
    }
    double[] p = pressure.value();
    return p == null || p[ARMED] != 0;
  }

  /** Drops every buffered event and identity: the process is far from its limits. */
  private void disarm(long[] m) throws Exception {
    ring.clear();
    identities.clear();
    m[HEAD] = m[NEXT];
    m[IDENTITY] = 0;
    meta.update(m);
  }

  /**
   * The event as the ring keeps it: without its process identity when the identity can be cut
   * out ({@link IdentitySplit}), each distinct identity kept once, by id.
   */
  private BufferedEvent buffered(TimedEvent e, long[] m) throws Exception {
    BufferedEvent b = BufferedEvent.of(e, m[NEXT]);
    int end = split.identityEnd(e.payload);
    if (end < 0) {
      return b;
    }
    long id = identityId(e.payload, end, m);
    if (id == 0) {
      return b;
    }
    b.payload = IdentitySplit.without(e.payload, end);
    b.identityId = id;
    return b;
  }

  /** The id of the identity ending at {@code end} in {@code payload}; 0 when none is free. */
  private long identityId(byte[] payload, int end, long[] m) throws Exception {
    if (m[IDENTITY] != 0
        && IdentitySplit.sameIdentity(payload, end, identities.get(m[IDENTITY]))) {
      return m[IDENTITY];
    }
    int kept = 0;
    for (var entry : identities.entries()) {
      if (IdentitySplit.sameIdentity(payload, end, entry.getValue())) {
        m[IDENTITY] = entry.getKey();
        return m[IDENTITY];
      }
      kept++;
    }
    // all in use: the unused ones are looked for (a pass over the ring) once every 64 events,
    // the events between kept whole
    if (kept >= MAX_IDENTITIES
        && (m[NEXT] % 64 != 0 || dropUnusedIdentities() >= MAX_IDENTITIES)) {
      return 0;
    }
    m[LAST_ID]++;
    identities.put(m[LAST_ID], java.util.Arrays.copyOfRange(payload, IdentitySplit.START, end));
    m[IDENTITY] = m[LAST_ID];
    return m[IDENTITY];
  }

  /** Drops the identities no buffered event carries; returns how many are left. */
  private int dropUnusedIdentities() throws Exception {
    java.util.Set<Long> used = new java.util.HashSet<>();
    for (BufferedEvent b : ring.values()) {
      used.add(b.identityId);
    }
    List<Long> drop = new ArrayList<>();
    int left = 0;
    for (Long id : identities.keys()) {
      if (used.contains(id)) {
        left++;
      } else {
        drop.add(id);
      }
    }
    for (Long id : drop) {
      identities.remove(id);
    }
    return left;
  }

  /** The ring's identities by id. */
  private java.util.Map<Long, byte[]> identitiesById() throws Exception {
    java.util.Map<Long, byte[]> byId = new java.util.HashMap<>();
    for (var entry : identities.entries()) {
      byId.put(entry.getKey(), entry.getValue());
    }
    return byId;
  }

  /** A buffered event's whole encoding, its identity put back where it was cut out. */
  private static byte[] whole(BufferedEvent b, java.util.Map<Long, byte[]> byId) {
    if (b.identityId == 0) {
      return b.payload;
    }
    byte[] identity = byId.get(b.identityId);
    if (identity == null) {
      throw new IllegalStateException("forensic ring: identity " + b.identityId
          + " of event " + b.arrival + " is gone");
    }
    return IdentitySplit.join(b.payload, identity);
  }

  private void kill(TimedEvent e, Context ctx) throws Exception {
    BufferedEvent pending = pendingKill.value();
    Long last = lastKillUtcNs.value();
    if ((pending != null && Math.abs(pending.utcNs - e.utcNs) <= windowNs)
        || (last != null && Math.abs(last - e.utcNs) <= windowNs)) {
      duplicateKills.inc();
      return;
    }
    BufferedEvent k = BufferedEvent.of(e, -1);
    pendingKill.update(k);
    ctx.timerService().registerEventTimeTimer(e.eventTimeMs());
  }

  /** Drops the oldest events beyond the count bound or older than the retention. */
  private void prune(long[] m) throws Exception {
    while (m[HEAD] < m[NEXT]) {
      boolean overCount = m[NEXT] - m[HEAD] > maxEvents;
      BufferedEvent oldest = ring.get(m[HEAD]);
      if (oldest != null && !overCount && oldest.utcNs >= m[NEWEST_UTC] - retentionNs) {
        return;
      }
      if (oldest != null && overCount) {
        droppedEvents.inc();
      }
      ring.remove(m[HEAD]);
      m[HEAD]++;
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<OomSnapshot> out)
      throws Exception {
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
      if (idle.expired(timestamp, ctx.timerService())) {
        snapshotIfPending(Long.MAX_VALUE, ctx, out);
        clear(ctx);
      }
      return;
    }
    snapshotIfPending(timestamp, ctx, out);
    Long exit = exitAtMs.value();
    if (exit != null && exit <= timestamp) {
      clear(ctx);
    }
  }

  private void snapshotIfPending(long upToMs, Context ctx, Collector<OomSnapshot> out)
      throws Exception {
    BufferedEvent kill = pendingKill.value();
    if (kill == null || Math.floorDiv(kill.utcNs, 1_000_000L) > upToMs) {
      return;
    }
    pendingKill.clear();
    lastKillUtcNs.update(kill.utcNs);
    ProcessId victim = ctx.getCurrentKey();
    out.collect(snapshot(kill, victim.cluster + "/" + victim.node + "/" + victim.pid));
    snapshots.inc();
  }

  private OomSnapshot snapshot(BufferedEvent kill, String key) throws Exception {
    OomKill oomKill = (OomKill) codec.decode(kill.payload);
    ProcessIdentity victim = oomKill.getHeader().getProcess();
    long start = victim.getProcessStartTimeMs();
    java.util.Map<Long, byte[]> byId = identitiesById();
    List<BufferedEvent> window = new ArrayList<>();
    BufferedEvent newest = null;
    for (BufferedEvent b : ring.values()) {
      if (b.utcNs <= kill.utcNs && b.utcNs >= kill.utcNs - windowNs) {
        window.add(b);
        if (newest == null || b.utcNs > newest.utcNs) {
          newest = b;
        }
      }
    }
    if (start == 0 && newest != null) {
      // the kill's reporter could not read the dead process's start time: take the buffer's
      start = newest.processStartTimeMs;
      victim = Events.header(codec.decode(whole(newest, byId))).getProcess();
    }
    long victimStart = start;
    window.removeIf(b -> b.processStartTimeMs != victimStart);
    window.add(kill);
    window.sort(Comparator.<BufferedEvent>comparingLong(b -> b.utcNs)
        .thenComparingLong(b -> b.arrival == -1 ? Long.MAX_VALUE : b.arrival));
    List<SnapshotEvent> events = new ArrayList<>(window.size());
    for (BufferedEvent b : window) {
      byte[] encoded = b == kill ? b.payload : whole(b, byId);
      SpecificRecord record = b == kill ? oomKill : codec.decode(encoded);
      events.add(SnapshotEvent.newBuilder().setUtcNs(b.utcNs).setErrorBoundNs(b.errorBoundNs)
          .setKind(b.kind).setSource(b.source).setSummary(EventSummaries.oneLine(record))
          .setEncoded(ByteBuffer.wrap(encoded)).build());
    }
    String id = UUID.nameUUIDFromBytes((key + "/" + victimStart + "/" + kill.utcNs)
        .getBytes(StandardCharsets.UTF_8)).toString();
    PoolHistory.Verdict verdict = history().verdict(oomKill, kill.utcNs);
    return OomSnapshot.newBuilder().setSnapshotId(id)
        .setProcess(wholeIdentity(victim, window, byId))
        .setKillUtcNs(kill.utcNs).setOomKill(oomKill).setWindowNs(windowNs).setEvents(events)
        .setPool(verdict.pool()).setVerdict(verdict.text())
        .setPoolGrowthBytes(new java.util.HashMap<>(verdict.growth()))
        .build();
  }

  /**
   * The victim as the collectors that watched it knew it: a kernel tracepoint knows only pid and
   * comm, the node collector also the service, labels and pod it read from the process.
   */
  private ProcessIdentity wholeIdentity(ProcessIdentity victim, List<BufferedEvent> window,
      java.util.Map<Long, byte[]> byId) {
    if (victim.getService() != null && !victim.getLabels().isEmpty()) {
      return victim;
    }
    for (int i = window.size() - 1; i >= 0; i--) {
      BufferedEvent b = window.get(i);
      if (b.arrival < 0) {
        continue; // the kill itself
      }
      ProcessIdentity p = Events.header(codec.decode(whole(b, byId))).getProcess();
      if (p.getService() != null || !p.getLabels().isEmpty()) {
        return ProcessIdentity.newBuilder(victim)
            .setService(victim.getService() != null ? victim.getService() : p.getService())
            .setNamespace(victim.getNamespace() != null ? victim.getNamespace()
                : p.getNamespace())
            .setPod(victim.getPod() != null ? victim.getPod() : p.getPod())
            .setContainer(victim.getContainer() != null ? victim.getContainer()
                : p.getContainer())
            .setLabels(victim.getLabels().isEmpty() ? p.getLabels() : victim.getLabels())
            .setRuntime(victim.getRuntime() == io.memfleet.event.Runtime.UNKNOWN
                ? p.getRuntime() : victim.getRuntime())
            .build();
      }
    }
    return victim;
  }

  private long[] meta() throws Exception {
    long[] m = meta.value();
    if (m == null) {
      return new long[] {0, 0, Long.MIN_VALUE, 0, 0};
    }
    // a ring from before identities were cut out: none of its events is cut
    return m.length < 5 ? java.util.Arrays.copyOf(m, 5) : m;
  }

  private void clear(Context ctx) throws Exception {
    BufferedEvent kill = pendingKill.value();
    if (kill != null) {
      ctx.timerService().deleteEventTimeTimer(Math.floorDiv(kill.utcNs, 1_000_000L));
    }
    Long exit = exitAtMs.value();
    if (exit != null) {
      ctx.timerService().deleteEventTimeTimer(exit);
    }
    idle.clear(ctx.timerService());
    ring.clear();
    identities.clear();
    pools.clear();
    pressure.clear();
    meta.clear();
    pendingKill.clear();
    lastKillUtcNs.clear();
    exitAtMs.clear();
  }
}
