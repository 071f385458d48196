package io.memfleet.pipeline.detect;

import io.memfleet.event.MemoryPool;
import io.memfleet.event.Runtime;
import io.memfleet.pipeline.model.EnumConstantsSnapshot;
import io.memfleet.pipeline.model.OwnSerializer;
import io.memfleet.pipeline.model.OwnTypeInfo;
import io.memfleet.pipeline.model.WireStrings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The serializer of one series' observations in the rules' state (the run rules' open runs, the
 * trailing rules' histories): each observation written as what changed since the one before it.
 * A series' observations share their process and signal and mostly their limit, come one bucket
 * apart, and their byte figures move by a few pages: an identity written once, bucket starts as
 * millisecond steps, values as whole-byte steps, and a limit, heap figure or culprit only when it
 * differs from the previous point. The oom-imminent history (a cgroup sample every 2 s for 5 min)
 * takes about a third of {@link ObservationSerializer}'s bytes per point this way
 * ({@code ObservationHistorySerializerTest}; the whole job's state in StateSizeBenchmark,
 * benchmarks README).
 *
 * <p>Lossless: every field of every observation reads back as written, NaN, -0.0 and null
 * included (a null {@code series} reads back empty, as with {@link ObservationSerializer}).
 *
 * <pre>{@code
 * history = ctx.getState(new ValueStateDescriptor<>("history", ObservationHistorySerializer.TYPE));
 * }</pre>
 */
public final class ObservationHistorySerializer extends OwnSerializer<List<Observation>> {
  private static final long serialVersionUID = 1L;
  public static final ObservationHistorySerializer INSTANCE = new ObservationHistorySerializer();
  /** The type information that writes with {@link #INSTANCE}. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static final TypeInformation<List<Observation>> TYPE =
      OwnTypeInfo.value((Class<List<Observation>>) (Class) List.class, INSTANCE);

  // what is the same as in the previous point, or how a figure is written
  private static final int SAME_IDENTITY = 1;
  private static final int SAME_COMPANION = 1 << 1;
  private static final int SAME_USED = 1 << 2;
  private static final int SAME_ATTRIBUTION = 1 << 3;
  private static final int WHOLE_VALUE = 1 << 4;
  private static final int BUCKET_MS = 1 << 5;
  // what is present (as in ObservationSerializer)
  private static final int CONFIRMED = 1 << 6;
  private static final int RECLAIMED = 1 << 7;
  private static final int NEWEST = 1 << 8;
  private static final int LIVE = 1 << 9;
  private static final int LIVE_UTC = 1 << 10;
  private static final int COMPANION = 1 << 11;
  private static final int USED_COMPANION = 1 << 12;
  private static final int USED_COMPANION_UTC = 1 << 13;
  private static final int STACK_HASH = 1 << 14;
  private static final int FIRST_TOUCH = 1 << 15;
  private static final int LIVE_FIRST = 1 << 16;
  private static final int STACK_BESIDE_CLASS = 1 << 17;
  private static final int CLASS_RETAINED = 1 << 18;
  private static final int CLASS_GROWING = 1 << 19;
  private static final int HEAP_MAX = 1 << 20;
  private static final int G1 = 1 << 21;

  private static final Signal[] SIGNALS = Signal.values();
  private static final Runtime[] RUNTIMES = Runtime.values();
  private static final MemoryPool[] POOLS = MemoryPool.values();

  private ObservationHistorySerializer() {
    super("a history of Observations");
  }

  @Override
  public List<Observation> createInstance() {
    return new ArrayList<>();
  }

  @Override
  public List<Observation> copy(List<Observation> from) {
    List<Observation> copy = new ArrayList<>(from.size());
    for (Observation o : from) {
      copy.add(o.copy());
    }
    return copy;
  }

  @Override
  public void serialize(List<Observation> points, DataOutputView out) throws IOException {
    writeVarLong(out, points.size());
    Observation prev = null;
    for (Observation o : points) {
      write(o, prev, out);
      prev = o;
    }
  }

  @Override
  public List<Observation> deserialize(DataInputView in) throws IOException {
    long n = readVarLong(in);
    if (n < 0 || n > Integer.MAX_VALUE) {
      throw new IOException("a history of " + n + " observations: the bytes are not a history "
          + "of this version");
    }
    List<Observation> points = new ArrayList<>((int) Math.min(n, 1024));
    Observation prev = null;
    for (long i = 0; i < n; i++) {
      prev = read(prev, in);
      points.add(prev);
    }
    return points;
  }

  private static void write(Observation o, Observation prev, DataOutputView out)
      throws IOException {
    boolean first = prev == null;
    long bucketStep = first ? 0 : o.bucketStartUtcNs - prev.bucketStartUtcNs;
    int flags = (!first && sameIdentity(o, prev) ? SAME_IDENTITY : 0)
        | (!first && same(o.companion, prev.companion) ? SAME_COMPANION : 0)
        | (!first && same(o.usedCompanion, prev.usedCompanion)
            && o.usedCompanionUtcNs == prev.usedCompanionUtcNs && same(o.heapMax, prev.heapMax)
            ? SAME_USED : 0)
        | (!first && sameAttribution(o, prev) ? SAME_ATTRIBUTION : 0)
        | (wholeNumber(o.value) && (first || wholeNumber(prev.value)) ? WHOLE_VALUE : 0)
        | (!first && bucketStep % 1_000_000L == 0 ? BUCKET_MS : 0)
        | (o.confirmed ? CONFIRMED : 0) | (o.reclaimed ? RECLAIMED : 0) | (o.g1 ? G1 : 0)
        | (Double.isNaN(o.newest) ? 0 : NEWEST) | (Double.isNaN(o.live) ? 0 : LIVE)
        | (o.liveUtcNs != 0 ? LIVE_UTC : 0) | (Double.isNaN(o.companion) ? 0 : COMPANION)
        | (Double.isNaN(o.usedCompanion) ? 0 : USED_COMPANION)
        | (o.usedCompanionUtcNs != 0 ? USED_COMPANION_UTC : 0)
        | (o.stackHash != 0 ? STACK_HASH : 0) | (o.firstTouch ? FIRST_TOUCH : 0)
        | (o.stackBesideClass ? STACK_BESIDE_CLASS : 0) | (o.classRetained ? CLASS_RETAINED : 0)
        | (o.classGrowing ? CLASS_GROWING : 0) | (Double.isNaN(o.heapMax) ? 0 : HEAP_MAX)
        | (ObservationSerializer.liveFirstOfItsOwn(o) ? LIVE_FIRST : 0);
    writeVarLong(out, flags);
    if ((flags & SAME_IDENTITY) == 0) {
      ObservationSerializer.writeIdentity(o, out);
    }
    if (first) {
      out.writeLong(o.bucketStartUtcNs);
    } else {
      writeVarLong(out,
          (flags & BUCKET_MS) != 0 ? bucketStep / 1_000_000L : bucketStep);
    }
    writeVarLong(out, o.utcNs - o.bucketStartUtcNs);
    writeVarLong(out, o.count);
    if ((flags & WHOLE_VALUE) != 0) {
      writeVarLong(out, (long) o.value - (first ? 0 : (long) prev.value));
    } else {
      out.writeDouble(o.value);
    }
    if ((flags & NEWEST) != 0) {
      out.writeDouble(o.newest);
    }
    if ((flags & LIVE) != 0) {
      out.writeDouble(o.live);
    }
    if ((flags & LIVE_UTC) != 0) {
      writeVarLong(out, o.liveUtcNs - o.utcNs);
    }
    if ((flags & LIVE_FIRST) != 0) {
      out.writeDouble(o.liveFirst);
      writeVarLong(out, o.liveFirstUtcNs - o.utcNs);
    }
    if ((flags & COMPANION) != 0 && (flags & SAME_COMPANION) == 0) {
      out.writeDouble(o.companion);
    }
    if ((flags & SAME_USED) == 0) {
      if ((flags & USED_COMPANION) != 0) {
        out.writeDouble(o.usedCompanion);
      }
      if ((flags & USED_COMPANION_UTC) != 0) {
        writeVarLong(out, o.usedCompanionUtcNs - o.utcNs);
      }
      if ((flags & HEAP_MAX) != 0) {
        out.writeDouble(o.heapMax);
      }
    }
    if ((flags & SAME_ATTRIBUTION) == 0) {
      if ((flags & STACK_HASH) != 0) {
        out.writeLong(o.stackHash);
      }
      WireStrings.write(o.stackFrames, out);
      out.writeByte(ordinal(o.poolHint));
      WireStrings.write(o.objectClass, out);
    }
  }

  private Observation read(Observation prev, DataInputView in) throws IOException {
    boolean first = prev == null;
    long flags = readVarLong(in);
    if (first && (flags & (SAME_IDENTITY | SAME_COMPANION | SAME_USED | SAME_ATTRIBUTION
        | BUCKET_MS)) != 0) {
      throw new IOException("the first observation of a history refers to one before it: the "
          + "bytes are not a history of this version");
    }
    Observation o = new Observation();
    if ((flags & SAME_IDENTITY) != 0) {
      o.signal = prev.signal;
      o.series = prev.series;
      o.cluster = prev.cluster;
      o.node = prev.node;
      o.bootId = prev.bootId;
      o.pid = prev.pid;
      o.processStartTimeMs = prev.processStartTimeMs;
      o.comm = prev.comm;
      o.runtime = prev.runtime;
      o.service = prev.service;
      o.namespace = prev.namespace;
      o.pod = prev.pod;
      o.container = prev.container;
    } else {
      ObservationSerializer.INSTANCE.readIdentity(o, in);
    }
    if (first) {
      o.bucketStartUtcNs = in.readLong();
    } else {
      long step = readVarLong(in);
      o.bucketStartUtcNs = prev.bucketStartUtcNs
          + ((flags & BUCKET_MS) != 0 ? step * 1_000_000L : step);
    }
    o.utcNs = o.bucketStartUtcNs + readVarLong(in);
    o.count = (int) readVarLong(in);
    o.value = (flags & WHOLE_VALUE) != 0
        ? (double) (readVarLong(in) + (first ? 0 : (long) prev.value))
        : in.readDouble();
    o.confirmed = (flags & CONFIRMED) != 0;
    o.reclaimed = (flags & RECLAIMED) != 0;
    o.g1 = (flags & G1) != 0;
    o.firstTouch = (flags & FIRST_TOUCH) != 0;
    o.stackBesideClass = (flags & STACK_BESIDE_CLASS) != 0;
    o.classRetained = (flags & CLASS_RETAINED) != 0;
    o.classGrowing = (flags & CLASS_GROWING) != 0;
    o.newest = (flags & NEWEST) != 0 ? in.readDouble() : Double.NaN;
    o.live = (flags & LIVE) != 0 ? in.readDouble() : Double.NaN;
    o.liveUtcNs = (flags & LIVE_UTC) != 0 ? o.utcNs + readVarLong(in) : 0;
    ObservationSerializer.INSTANCE.readLiveFirst(o, (flags & LIVE_FIRST) != 0, in);
    if ((flags & COMPANION) == 0) {
      o.companion = Double.NaN;
    } else {
      o.companion = (flags & SAME_COMPANION) != 0 ? prev.companion : in.readDouble();
    }
    if ((flags & SAME_USED) != 0) {
      o.usedCompanion = prev.usedCompanion;
      o.usedCompanionUtcNs = prev.usedCompanionUtcNs;
      o.heapMax = prev.heapMax;
    } else {
      o.usedCompanion = (flags & USED_COMPANION) != 0 ? in.readDouble() : Double.NaN;
      o.usedCompanionUtcNs = (flags & USED_COMPANION_UTC) != 0
          ? o.utcNs + readVarLong(in) : 0;
      o.heapMax = (flags & HEAP_MAX) != 0 ? in.readDouble() : Double.NaN;
    }
    if ((flags & SAME_ATTRIBUTION) != 0) {
      o.stackHash = prev.stackHash;
      o.stackFrames = prev.stackFrames;
      o.poolHint = prev.poolHint;
      o.objectClass = prev.objectClass;
    } else {
      o.stackHash = (flags & STACK_HASH) != 0 ? in.readLong() : 0;
      o.stackFrames = WireStrings.read(in);
      o.poolHint = constant(POOLS, in.readByte());
      o.objectClass = WireStrings.read(in);
    }
    return o;
  }

  private static boolean sameIdentity(Observation a, Observation b) {
    return a.signal == b.signal && Objects.equals(nz(a.series), nz(b.series))
        && a.pid == b.pid && a.processStartTimeMs == b.processStartTimeMs
        && a.runtime == b.runtime && Objects.equals(a.cluster, b.cluster)
        && Objects.equals(a.node, b.node) && Objects.equals(a.bootId, b.bootId)
        && Objects.equals(a.comm, b.comm) && Objects.equals(a.service, b.service)
        && Objects.equals(a.namespace, b.namespace) && Objects.equals(a.pod, b.pod)
        && Objects.equals(a.container, b.container);
  }

  private static boolean sameAttribution(Observation a, Observation b) {
    return a.stackHash == b.stackHash && a.poolHint == b.poolHint
        && Objects.equals(a.stackFrames, b.stackFrames)
        && Objects.equals(a.objectClass, b.objectClass);
  }

  /** The same double, bit for bit (NaN equals NaN). */
  private static boolean same(double a, double b) {
    return Double.doubleToLongBits(a) == Double.doubleToLongBits(b);
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  @Override
  public TypeSerializerSnapshot<List<Observation>> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The enums' constants at the time the state was written; nothing else to configure. */
  public static final class Snapshot extends EnumConstantsSnapshot<List<Observation>> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(INSTANCE, "Observation history", SIGNALS, RUNTIMES, POOLS);
    }
  }
}
