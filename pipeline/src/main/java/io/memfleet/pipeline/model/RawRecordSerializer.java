package io.memfleet.pipeline.model;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link RawRecord}'s own Flink serializer: every Kafka record crosses from its source to the
 * decoding task with it, so its fields are written in a fixed order with no reflection (Flink's
 * POJO serializer reads each field through reflection and tags each nullable one). Key and value
 * are a length (-1 for null) and the bytes; copies share the arrays, which are never modified.
 */
public final class RawRecordSerializer extends OwnSerializer<RawRecord> {
  private static final long serialVersionUID = 1L;
  public static final RawRecordSerializer INSTANCE = new RawRecordSerializer();

  private RawRecordSerializer() {
    super("a RawRecord");
  }

  @Override
  public RawRecord createInstance() {
    return new RawRecord();
  }

  @Override
  public RawRecord copy(RawRecord from) {
    return RawRecord.of(from.topic, from.partition, from.offset, from.timestampMs, from.key,
        from.value);
  }

  @Override
  public void serialize(RawRecord r, DataOutputView out) throws IOException {
    WireStrings.write(r.topic, out);
    out.writeInt(r.partition);
    out.writeLong(r.offset);
    out.writeLong(r.timestampMs);
    writeBytes(r.key, out);
    writeBytes(r.value, out);
  }

  @Override
  public RawRecord deserialize(DataInputView in) throws IOException {
    RawRecord r = new RawRecord();
    r.topic = WireStrings.read(in);
    r.partition = in.readInt();
    r.offset = in.readLong();
    r.timestampMs = in.readLong();
    r.key = readBytes(in);
    r.value = readBytes(in);
    return r;
  }

  @Override
  public TypeSerializerSnapshot<RawRecord> snapshotConfiguration() {
    return new Snapshot();
  }

  /** No enums and nothing to configure: restores as long as the class is the same. */
  public static final class Snapshot extends EnumConstantsSnapshot<RawRecord> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(INSTANCE, "RawRecord");
    }
  }

  /** What {@code @TypeInfo} on {@link RawRecord} names. */
  public static final class Factory extends TypeInfoFactory<RawRecord> {
    @Override
    public TypeInformation<RawRecord> createTypeInfo(java.lang.reflect.Type t,
        java.util.Map<String, TypeInformation<?>> genericParameters) {
      return OwnTypeInfo.value(RawRecord.class, INSTANCE);
    }
  }
}
