package io.memfleet.pipeline.model;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link TimedEvent}'s own Flink serializer: its fields written in a fixed order, no reflection
 * (Flink's POJO serializer reads and writes each of the 31 fields through reflection and tags
 * every nullable one), enums as ordinals, the five optional measures behind one presence byte.
 *
 * <p>{@link #copy} — what Flink does between chained operators — shares the payload bytes and the
 * decoded Avro record with the original instead of copying them: both are never modified once
 * set, so the stages chained after the per-process join decode an event's record once between
 * them rather than once each. The process key is passed on too ({@link TimedEvent#processId()}).
 *
 * <p>Its snapshot keeps the enums' constants, so a savepoint taken with other constants (an enum
 * reordered or extended) is refused instead of read wrongly.
 */
public final class TimedEventSerializer extends OwnSerializer<TimedEvent> {
  private static final long serialVersionUID = 1L;
  public static final TimedEventSerializer INSTANCE = new TimedEventSerializer();

  private static final int RSS = 1;
  private static final int HEAP_USED = 1 << 1;
  private static final int HEAP_COMMITTED = 1 << 2;
  private static final int HEAP_MAX = 1 << 3;
  private static final int NATIVE = 1 << 4;
  private static final int EXITED = 1 << 5;

  /**
   * The clusters and nodes of the events read: one instance each, so that the per-process
   * stages' key comparisons answer on identity ({@link SharedStrings}).
   */
  private static final SharedStrings PLACES = new SharedStrings(4096);

  private static final Source[] SOURCES = Source.values();
  private static final ClockDomain[] DOMAINS = ClockDomain.values();
  private static final Runtime[] RUNTIMES = Runtime.values();
  private static final TimeBasis[] BASES = TimeBasis.values();

  private TimedEventSerializer() {
    super("a TimedEvent");
  }

  @Override
  public TimedEvent createInstance() {
    return new TimedEvent();
  }

  @Override
  public TimedEvent copy(TimedEvent from) {
    TimedEvent e = new TimedEvent();
    e.topic = from.topic;
    e.partition = from.partition;
    e.offset = from.offset;
    e.publishTimeMs = from.publishTimeMs;
    e.kind = from.kind;
    e.source = from.source;
    e.clockDomain = from.clockDomain;
    e.rawTimestamp = from.rawTimestamp;
    e.collector = from.collector;
    e.sequence = from.sequence;
    e.cluster = from.cluster;
    e.node = from.node;
    e.bootId = from.bootId;
    e.pid = from.pid;
    e.processStartTimeMs = from.processStartTimeMs;
    e.comm = from.comm;
    e.runtime = from.runtime;
    e.service = from.service;
    e.namespace = from.namespace;
    e.pod = from.pod;
    e.container = from.container;
    e.utcNs = from.utcNs;
    e.errorBoundNs = from.errorBoundNs;
    e.timeBasis = from.timeBasis;
    e.rssBytes = from.rssBytes;
    e.heapUsedBytes = from.heapUsedBytes;
    e.heapCommittedBytes = from.heapCommittedBytes;
    e.heapMaxBytes = from.heapMaxBytes;
    e.nativeBytes = from.nativeBytes;
    e.processExited = from.processExited;
    e.payload = from.payload;
    e.shareDecodedRecordOf(from);
    e.processId = from.processId;
    return e;
  }

  @Override
  public void serialize(TimedEvent e, DataOutputView out) throws IOException {
    WireStrings.write(e.topic, out);
    out.writeInt(e.partition);
    out.writeLong(e.offset);
    out.writeLong(e.publishTimeMs);
    WireStrings.write(e.kind, out);
    out.writeByte(ordinal(e.source));
    out.writeByte(ordinal(e.clockDomain));
    out.writeLong(e.rawTimestamp);
    WireStrings.write(e.collector, out);
    out.writeLong(e.sequence);
    WireStrings.write(e.cluster, out);
    WireStrings.write(e.node, out);
    WireStrings.write(e.bootId, out);
    out.writeInt(e.pid);
    out.writeLong(e.processStartTimeMs);
    WireStrings.write(e.comm, out);
    out.writeByte(ordinal(e.runtime));
    WireStrings.write(e.service, out);
    WireStrings.write(e.namespace, out);
    WireStrings.write(e.pod, out);
    WireStrings.write(e.container, out);
    out.writeLong(e.utcNs);
    out.writeLong(e.errorBoundNs);
    out.writeByte(ordinal(e.timeBasis));
    int present = (e.rssBytes != null ? RSS : 0) | (e.heapUsedBytes != null ? HEAP_USED : 0)
        | (e.heapCommittedBytes != null ? HEAP_COMMITTED : 0)
        | (e.heapMaxBytes != null ? HEAP_MAX : 0) | (e.nativeBytes != null ? NATIVE : 0)
        | (e.processExited ? EXITED : 0);
    out.writeByte(present);
    writeIf(out, e.rssBytes);
    writeIf(out, e.heapUsedBytes);
    writeIf(out, e.heapCommittedBytes);
    writeIf(out, e.heapMaxBytes);
    writeIf(out, e.nativeBytes);
    writeBytes(e.payload, out);
  }

  @Override
  public TimedEvent deserialize(DataInputView in) throws IOException {
    TimedEvent e = new TimedEvent();
    e.topic = WireStrings.read(in);
    e.partition = in.readInt();
    e.offset = in.readLong();
    e.publishTimeMs = in.readLong();
    e.kind = WireStrings.read(in);
    e.source = constant(SOURCES, in.readByte());
    e.clockDomain = constant(DOMAINS, in.readByte());
    e.rawTimestamp = in.readLong();
    e.collector = WireStrings.read(in);
    e.sequence = in.readLong();
    e.cluster = PLACES.of(WireStrings.read(in));
    e.node = PLACES.of(WireStrings.read(in));
    e.bootId = WireStrings.read(in);
    e.pid = in.readInt();
    e.processStartTimeMs = in.readLong();
    e.comm = WireStrings.read(in);
    e.runtime = constant(RUNTIMES, in.readByte());
    e.service = WireStrings.read(in);
    e.namespace = WireStrings.read(in);
    e.pod = WireStrings.read(in);
    e.container = WireStrings.read(in);
    e.utcNs = in.readLong();
    e.errorBoundNs = in.readLong();
    e.timeBasis = constant(BASES, in.readByte());
    int present = in.readUnsignedByte();
    e.rssBytes = (present & RSS) != 0 ? in.readLong() : null;
    e.heapUsedBytes = (present & HEAP_USED) != 0 ? in.readLong() : null;
    e.heapCommittedBytes = (present & HEAP_COMMITTED) != 0 ? in.readLong() : null;
    e.heapMaxBytes = (present & HEAP_MAX) != 0 ? in.readLong() : null;
    e.nativeBytes = (present & NATIVE) != 0 ? in.readLong() : null;
    e.processExited = (present & EXITED) != 0;
    e.payload = readBytes(in);
    return e;
  }

  private static void writeIf(DataOutputView out, Long value) throws IOException {
    if (value != null) {
      out.writeLong(value);
    }
  }

  @Override
  public TypeSerializerSnapshot<TimedEvent> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The enums' constants at the time the state was written; nothing else to configure. */
  public static final class Snapshot extends EnumConstantsSnapshot<TimedEvent> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(INSTANCE, "TimedEvent", SOURCES, DOMAINS, RUNTIMES, BASES);
    }
  }

  /** What {@code @TypeInfo} on {@link TimedEvent} names. */
  public static final class Factory extends TypeInfoFactory<TimedEvent> {
    @Override
    public TypeInformation<TimedEvent> createTypeInfo(java.lang.reflect.Type t,
        java.util.Map<String, TypeInformation<?>> genericParameters) {
      return OwnTypeInfo.value(TimedEvent.class, INSTANCE);
    }
  }
}
