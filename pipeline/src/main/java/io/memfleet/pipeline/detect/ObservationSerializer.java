package io.memfleet.pipeline.detect;

import io.memfleet.event.MemoryPool;
import io.memfleet.event.Runtime;
import io.memfleet.pipeline.model.EnumConstantsSnapshot;
import io.memfleet.pipeline.model.OwnSerializer;
import io.memfleet.pipeline.model.OwnTypeInfo;
import io.memfleet.pipeline.model.WireStrings;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link Observation}'s own Flink serializer (declared on the class with {@code @TypeInfo}, through
 * {@link Factory}):
 * observations sit in state many times over — every run rule keeps those of its open runs, and
 * the trailing rules keep up to 150 per series — so they are written compactly: enums as
 * ordinals, the event times after the bucket start as variable-length deltas, and of the eight
 * optional figures (NaN or 0 when unknown) only those present, behind one presence mask. Flink's
 * POJO serializer wrote every field, each nullable one with a tag, through reflection.
 *
 * <p>{@code series} is never null: an empty or null series is written as empty.
 */
public final class ObservationSerializer extends OwnSerializer<Observation> {
  private static final long serialVersionUID = 1L;
  public static final ObservationSerializer INSTANCE = new ObservationSerializer();

  private static final int CONFIRMED = 1;
  private static final int RECLAIMED = 1 << 1;
  private static final int NEWEST = 1 << 2;
  private static final int LIVE = 1 << 3;
  private static final int LIVE_UTC = 1 << 4;
  private static final int COMPANION = 1 << 5;
  private static final int USED_COMPANION = 1 << 6;
  private static final int USED_COMPANION_UTC = 1 << 7;
  private static final int STACK_HASH = 1 << 8;
  private static final int FIRST_TOUCH = 1 << 9;
  private static final int LIVE_FIRST = 1 << 10;
  private static final int STACK_BESIDE_CLASS = 1 << 11;
  private static final int CLASS_RETAINED = 1 << 12;
  private static final int CLASS_GROWING = 1 << 13;
  private static final int HEAP_MAX = 1 << 14;
  private static final int G1 = 1 << 15;

  private static final Signal[] SIGNALS = Signal.values();
  private static final Runtime[] RUNTIMES = Runtime.values();
  private static final MemoryPool[] POOLS = MemoryPool.values();

  private ObservationSerializer() {
    super("an Observation");
  }

  @Override
  public Observation createInstance() {
    return new Observation();
  }

  @Override
  public Observation copy(Observation from) {
    Observation c = new Observation();
    c.signal = from.signal;
    c.series = from.series;
    c.cluster = from.cluster;
    c.node = from.node;
    c.bootId = from.bootId;
    c.pid = from.pid;
    c.processStartTimeMs = from.processStartTimeMs;
    c.comm = from.comm;
    c.runtime = from.runtime;
    c.service = from.service;
    c.namespace = from.namespace;
    c.pod = from.pod;
    c.container = from.container;
    c.bucketStartUtcNs = from.bucketStartUtcNs;
    c.utcNs = from.utcNs;
    c.count = from.count;
    c.confirmed = from.confirmed;
    c.reclaimed = from.reclaimed;
    c.g1 = from.g1;
    c.value = from.value;
    c.newest = from.newest;
    c.live = from.live;
    c.liveUtcNs = from.liveUtcNs;
    c.liveFirst = from.liveFirst;
    c.liveFirstUtcNs = from.liveFirstUtcNs;
    c.companion = from.companion;
    c.usedCompanion = from.usedCompanion;
    c.usedCompanionUtcNs = from.usedCompanionUtcNs;
    c.heapMax = from.heapMax;
    c.stackHash = from.stackHash;
    c.stackFrames = from.stackFrames;
    c.poolHint = from.poolHint;
    c.objectClass = from.objectClass;
    c.firstTouch = from.firstTouch;
    c.stackBesideClass = from.stackBesideClass;
    c.classRetained = from.classRetained;
    c.classGrowing = from.classGrowing;
    return c;
  }

  @Override
  public void serialize(Observation o, DataOutputView out) throws IOException {
    writeIdentity(o, out);
    out.writeLong(o.bucketStartUtcNs);
    writeVarLong(out, o.utcNs - o.bucketStartUtcNs);
    writeVarLong(out, o.count);
    int present = (o.confirmed ? CONFIRMED : 0) | (o.reclaimed ? RECLAIMED : 0) | (o.g1 ? G1 : 0)
        | (Double.isNaN(o.newest) ? 0 : NEWEST) | (Double.isNaN(o.live) ? 0 : LIVE)
        | (o.liveUtcNs != 0 ? LIVE_UTC : 0) | (Double.isNaN(o.companion) ? 0 : COMPANION)
        | (Double.isNaN(o.usedCompanion) ? 0 : USED_COMPANION)
        | (o.usedCompanionUtcNs != 0 ? USED_COMPANION_UTC : 0)
        | (o.stackHash != 0 ? STACK_HASH : 0) | (o.firstTouch ? FIRST_TOUCH : 0)
        | (o.stackBesideClass ? STACK_BESIDE_CLASS : 0) | (o.classRetained ? CLASS_RETAINED : 0)
        | (o.classGrowing ? CLASS_GROWING : 0) | (Double.isNaN(o.heapMax) ? 0 : HEAP_MAX)
        | (liveFirstOfItsOwn(o) ? LIVE_FIRST : 0);
    out.writeShort(present);
    out.writeDouble(o.value);
    if ((present & NEWEST) != 0) {
      out.writeDouble(o.newest);
    }
    if ((present & LIVE) != 0) {
      out.writeDouble(o.live);
    }
    if ((present & LIVE_UTC) != 0) {
      writeVarLong(out, o.liveUtcNs - o.utcNs);
    }
    if ((present & LIVE_FIRST) != 0) {
      out.writeDouble(o.liveFirst);
      writeVarLong(out, o.liveFirstUtcNs - o.utcNs);
    }
    if ((present & COMPANION) != 0) {
      out.writeDouble(o.companion);
    }
    if ((present & USED_COMPANION) != 0) {
      out.writeDouble(o.usedCompanion);
    }
    if ((present & USED_COMPANION_UTC) != 0) {
      writeVarLong(out, o.usedCompanionUtcNs - o.utcNs);
    }
    if ((present & HEAP_MAX) != 0) {
      out.writeDouble(o.heapMax);
    }
    if ((present & STACK_HASH) != 0) {
      out.writeLong(o.stackHash);
    }
    WireStrings.write(o.stackFrames, out);
    out.writeByte(ordinal(o.poolHint));
    WireStrings.write(o.objectClass, out);
  }

  @Override
  public Observation deserialize(DataInputView in) throws IOException {
    Observation o = new Observation();
    readIdentity(o, in);
    o.bucketStartUtcNs = in.readLong();
    o.utcNs = o.bucketStartUtcNs + readVarLong(in);
    o.count = (int) readVarLong(in);
    int present = in.readShort() & 0xffff;
    o.confirmed = (present & CONFIRMED) != 0;
    o.reclaimed = (present & RECLAIMED) != 0;
    o.g1 = (present & G1) != 0;
    o.firstTouch = (present & FIRST_TOUCH) != 0;
    o.stackBesideClass = (present & STACK_BESIDE_CLASS) != 0;
    o.classRetained = (present & CLASS_RETAINED) != 0;
    o.classGrowing = (present & CLASS_GROWING) != 0;
    o.value = in.readDouble();
    o.newest = (present & NEWEST) != 0 ? in.readDouble() : Double.NaN;
    o.live = (present & LIVE) != 0 ? in.readDouble() : Double.NaN;
    o.liveUtcNs = (present & LIVE_UTC) != 0 ? o.utcNs + readVarLong(in) : 0;
    readLiveFirst(o, (present & LIVE_FIRST) != 0, in);
    o.companion = (present & COMPANION) != 0 ? in.readDouble() : Double.NaN;
    o.usedCompanion = (present & USED_COMPANION) != 0 ? in.readDouble() : Double.NaN;
    o.usedCompanionUtcNs = (present & USED_COMPANION_UTC) != 0 ? o.utcNs + readVarLong(in) : 0;
    o.heapMax = (present & HEAP_MAX) != 0 ? in.readDouble() : Double.NaN;
    o.stackHash = (present & STACK_HASH) != 0 ? in.readLong() : 0;
    o.stackFrames = WireStrings.read(in);
    o.poolHint = constant(POOLS, in.readByte());
    o.objectClass = WireStrings.read(in);
    return o;
  }

  /**
   * Whether the oldest live set differs from the newest, so it is written: a point with one
   * collection that shows the live set (or none) holds the same in both.
   */
  static boolean liveFirstOfItsOwn(Observation o) {
    return o.liveFirstUtcNs != o.liveUtcNs
        || Double.doubleToRawLongBits(o.liveFirst) != Double.doubleToRawLongBits(o.live);
  }

  /** Reads the oldest live set when {@code written}, else takes the newest's. */
  void readLiveFirst(Observation o, boolean written, DataInputView in)
      throws IOException {
    if (written) {
      o.liveFirst = in.readDouble();
      o.liveFirstUtcNs = o.utcNs + readVarLong(in);
    } else {
      o.liveFirst = o.live;
      o.liveFirstUtcNs = o.liveUtcNs;
    }
  }

  /** The series and its process: signal, series (null as empty), identity strings, pid. */
  static void writeIdentity(Observation o, DataOutputView out) throws IOException {
    out.writeByte(ordinal(o.signal));
    WireStrings.write(o.series == null ? "" : o.series, out);
    WireStrings.write(o.cluster, out);
    WireStrings.write(o.node, out);
    WireStrings.write(o.bootId, out);
    out.writeInt(o.pid);
    out.writeLong(o.processStartTimeMs);
    WireStrings.write(o.comm, out);
    out.writeByte(ordinal(o.runtime));
    WireStrings.write(o.service, out);
    WireStrings.write(o.namespace, out);
    WireStrings.write(o.pod, out);
    WireStrings.write(o.container, out);
  }

  /** What {@link #writeIdentity} wrote, into {@code o}. */
  void readIdentity(Observation o, DataInputView in) throws IOException {
    o.signal = constant(SIGNALS, in.readByte());
    o.series = WireStrings.read(in);
    o.cluster = WireStrings.read(in);
    o.node = WireStrings.read(in);
    o.bootId = WireStrings.read(in);
    o.pid = in.readInt();
    o.processStartTimeMs = in.readLong();
    o.comm = WireStrings.read(in);
    o.runtime = constant(RUNTIMES, in.readByte());
    o.service = WireStrings.read(in);
    o.namespace = WireStrings.read(in);
    o.pod = WireStrings.read(in);
    o.container = WireStrings.read(in);
  }

  @Override
  public TypeSerializerSnapshot<Observation> snapshotConfiguration() {
    return new Snapshot();
  }

  /**
   * The enums' constants at the time the state was written; nothing else to configure. State
   * from before this serializer (Flink's POJO serializer) does not restore into it.
   */
  public static final class Snapshot extends EnumConstantsSnapshot<Observation> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(INSTANCE, "Observation", SIGNALS, RUNTIMES, POOLS);
    }
  }

  /** What {@code @TypeInfo} on {@link Observation} names. */
  public static final class Factory extends TypeInfoFactory<Observation> {
    @Override
    public TypeInformation<Observation> createTypeInfo(java.lang.reflect.Type t,
        java.util.Map<String, TypeInformation<?>> genericParameters) {
      return OwnTypeInfo.value(Observation.class, INSTANCE);
    }
  }
}
