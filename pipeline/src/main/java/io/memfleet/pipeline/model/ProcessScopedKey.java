package io.memfleet.pipeline.model;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A key within one process — a rule's series ({@code signal#series}), an allocation stack — that
 * hashes as its {@link ProcessId} does, so a stage keyed by it reads the per-process stream where
 * it is, without a shuffle (see {@link ProcessId}). Equality takes the process and the part.
 */
@TypeInfo(ProcessScopedKey.Factory.class)
public final class ProcessScopedKey {
  public final ProcessId process;
  public final String part;

  public ProcessScopedKey(ProcessId process, String part) {
    this.process = process;
    this.part = part == null ? "" : part;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProcessScopedKey k && process.equals(k.process) && part.equals(k.part);
  }

  /** The process's hash: the key group of the process, whatever the part. */
  @Override
  public int hashCode() {
    return process.hashCode();
  }

  /** {@code cluster/node/pid/startMs#part}. */
  @Override
  public String toString() {
    return process + "#" + part;
  }

  /** What {@code @TypeInfo} names: a key type written by {@link Serializer}. */
  public static final class Factory extends TypeInfoFactory<ProcessScopedKey> {
    @Override
    public TypeInformation<ProcessScopedKey> createTypeInfo(Type t,
        Map<String, TypeInformation<?>> genericParameters) {
      return OwnTypeInfo.key(ProcessScopedKey.class, Serializer.INSTANCE);
    }
  }

  /** The process as {@link ProcessId.Serializer} writes it, then the part; immutable. */
  public static final class Serializer extends ImmutableKeySerializer<ProcessScopedKey> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    @Override
    public ProcessScopedKey createInstance() {
      return new ProcessScopedKey(new ProcessId("", "", 0, 0), "");
    }

    @Override
    public void serialize(ProcessScopedKey key, DataOutputView out) throws IOException {
      ProcessId.Serializer.INSTANCE.serialize(key.process, out);
      out.writeUTF(key.part);
    }

    @Override
    public ProcessScopedKey deserialize(DataInputView in) throws IOException {
      return new ProcessScopedKey(ProcessId.Serializer.INSTANCE.deserialize(in), in.readUTF());
    }

    @Override
    public TypeSerializerSnapshot<ProcessScopedKey> snapshotConfiguration() {
      return new Snapshot();
    }
  }

  /** Restores {@link Serializer}; public with a no-argument constructor, as Flink requires. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<ProcessScopedKey> {
    public Snapshot() {
      super(() -> Serializer.INSTANCE);
    }
  }
}
