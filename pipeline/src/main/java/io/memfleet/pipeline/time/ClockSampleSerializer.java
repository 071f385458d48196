package io.memfleet.pipeline.time;

import io.memfleet.event.ClockDomain;
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
 * {@link ClockSample}'s own Flink serializer, for its way from decoding to clock alignment: the
 * fields in a fixed order, the clock domain as its ordinal, the optional frequency behind a
 * presence byte. No reflection.
 */
public final class ClockSampleSerializer extends OwnSerializer<ClockSample> {
  private static final long serialVersionUID = 1L;
  public static final ClockSampleSerializer INSTANCE = new ClockSampleSerializer();
  private static final ClockDomain[] DOMAINS = ClockDomain.values();

  private ClockSampleSerializer() {
    super("a ClockSample");
  }

  @Override
  public ClockSample createInstance() {
    return new ClockSample();
  }

  @Override
  public ClockSample copy(ClockSample from) {
    ClockSample s = new ClockSample();
    s.cluster = from.cluster;
    s.node = from.node;
    s.bootId = from.bootId;
    s.pid = from.pid;
    s.processStartTimeMs = from.processStartTimeMs;
    s.domain = from.domain;
    s.domainValue = from.domainValue;
    s.frequencyHz = from.frequencyHz;
    s.realtimeNs = from.realtimeNs;
    s.monotonicNs = from.monotonicNs;
    s.uncertaintyNs = from.uncertaintyNs;
    s.collector = from.collector;
    return s;
  }

  @Override
  public void serialize(ClockSample s, DataOutputView out) throws IOException {
    WireStrings.write(s.cluster, out);
    WireStrings.write(s.node, out);
    WireStrings.write(s.bootId, out);
    out.writeInt(s.pid);
    out.writeLong(s.processStartTimeMs);
    out.writeByte(ordinal(s.domain));
    out.writeLong(s.domainValue);
    out.writeBoolean(s.frequencyHz != null);
    if (s.frequencyHz != null) {
      out.writeLong(s.frequencyHz);
    }
    out.writeLong(s.realtimeNs);
    out.writeLong(s.monotonicNs);
    out.writeLong(s.uncertaintyNs);
    WireStrings.write(s.collector, out);
  }

  @Override
  public ClockSample deserialize(DataInputView in) throws IOException {
    ClockSample s = new ClockSample();
    s.cluster = WireStrings.read(in);
    s.node = WireStrings.read(in);
    s.bootId = WireStrings.read(in);
    s.pid = in.readInt();
    s.processStartTimeMs = in.readLong();
    s.domain = constant(DOMAINS, in.readByte());
    s.domainValue = in.readLong();
    s.frequencyHz = in.readBoolean() ? in.readLong() : null;
    s.realtimeNs = in.readLong();
    s.monotonicNs = in.readLong();
    s.uncertaintyNs = in.readLong();
    s.collector = WireStrings.read(in);
    return s;
  }

  @Override
  public TypeSerializerSnapshot<ClockSample> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The clock domains' constants at the time the bytes were written. */
  public static final class Snapshot extends EnumConstantsSnapshot<ClockSample> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(INSTANCE, "ClockSample", DOMAINS);
    }
  }

  /** What {@code @TypeInfo} on {@link ClockSample} names. */
  public static final class Factory extends TypeInfoFactory<ClockSample> {
    @Override
    public TypeInformation<ClockSample> createTypeInfo(java.lang.reflect.Type t,
        java.util.Map<String, TypeInformation<?>> genericParameters) {
      return OwnTypeInfo.value(ClockSample.class, INSTANCE);
    }
  }
}
