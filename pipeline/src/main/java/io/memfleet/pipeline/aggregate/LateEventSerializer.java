package io.memfleet.pipeline.aggregate;

import io.memfleet.pipeline.model.EnumConstantsSnapshot;
import io.memfleet.pipeline.model.OwnSerializer;
import io.memfleet.pipeline.model.OwnTypeInfo;
import io.memfleet.pipeline.model.TimedEventSerializer;
import io.memfleet.pipeline.model.WireStrings;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link LateEvent}'s own Flink serializer, for its way to the {@code late_events} sink: the
 * aggregate's name, the time it was seen late and the event by {@link TimedEventSerializer}. No
 * reflection.
 */
public final class LateEventSerializer extends OwnSerializer<LateEvent> {
  private static final long serialVersionUID = 1L;
  public static final LateEventSerializer INSTANCE = new LateEventSerializer();

  private LateEventSerializer() {
    super("a LateEvent");
  }

  @Override
  public LateEvent createInstance() {
    return new LateEvent();
  }

  @Override
  public LateEvent copy(LateEvent from) {
    return new LateEvent(from.aggregate, from.detectedAtMs,
        from.event == null ? null : TimedEventSerializer.INSTANCE.copy(from.event));
  }

  @Override
  public void serialize(LateEvent late, DataOutputView out) throws IOException {
    WireStrings.write(late.aggregate, out);
    out.writeLong(late.detectedAtMs);
    out.writeBoolean(late.event != null);
    if (late.event != null) {
      TimedEventSerializer.INSTANCE.serialize(late.event, out);
    }
  }

  @Override
  public LateEvent deserialize(DataInputView in) throws IOException {
    String aggregate = WireStrings.read(in);
    long detectedAtMs = in.readLong();
    return new LateEvent(aggregate, detectedAtMs,
        in.readBoolean() ? TimedEventSerializer.INSTANCE.deserialize(in) : null);
  }

  @Override
  public TypeSerializerSnapshot<LateEvent> snapshotConfiguration() {
    return new Snapshot();
  }

  /**
   * Nothing of its own to configure; the event's enums are checked by the event's serializer
   * (this type only travels between tasks, it is never kept in state).
   */
  public static final class Snapshot extends EnumConstantsSnapshot<LateEvent> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(INSTANCE, "LateEvent");
    }
  }

  /** What {@code @TypeInfo} on {@link LateEvent} names. */
  public static final class Factory extends TypeInfoFactory<LateEvent> {
    @Override
    public TypeInformation<LateEvent> createTypeInfo(java.lang.reflect.Type t,
        java.util.Map<String, TypeInformation<?>> genericParameters) {
      return OwnTypeInfo.value(LateEvent.class, INSTANCE);
    }
  }
}
