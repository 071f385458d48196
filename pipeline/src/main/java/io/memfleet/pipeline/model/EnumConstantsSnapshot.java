package io.memfleet.pipeline.model;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The snapshot of a hand-written serializer that writes enums as ordinals and has nothing else
 * to configure: it records the enums' constants at the time the state was written, and the state
 * restores as is only when they are the same now (a constant added, removed or moved would read
 * back as another one). Subclasses name the enums and the serializer, with the no-argument
 * constructor Flink instantiates on restore.
 *
 * <pre>{@code
 * public static final class Snapshot extends EnumConstantsSnapshot<TimedEvent> {
 *   public Snapshot() { super(INSTANCE, "TimedEvent", Source.values(), Runtime.values()); }
 * }
 * }</pre>
 */
public abstract class EnumConstantsSnapshot<T> implements TypeSerializerSnapshot<T> {
  private static final int VERSION = 1;
  private final TypeSerializer<T> serializer;
  private final String what;
  private final List<List<String>> current;
  private List<List<String>> constants;

  protected EnumConstantsSnapshot(TypeSerializer<T> serializer, String what,
      Enum<?>[]... enums) {
    this.serializer = serializer;
    this.what = what;
    this.current = Arrays.stream(enums)
        .map(values -> Arrays.stream(values).map(Enum::name).toList()).toList();
    this.constants = current;
  }

  @Override
  public int getCurrentVersion() {
    return VERSION;
  }

  @Override
  public void writeSnapshot(DataOutputView out) throws IOException {
    out.writeInt(constants.size());
    for (List<String> names : constants) {
      out.writeInt(names.size());
      for (String name : names) {
        out.writeUTF(name);
      }
    }
  }

  @Override
  public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
      throws IOException {
    if (readVersion != VERSION) {
      throw new IOException(what + " serializer snapshot version " + readVersion
          + " is not known to this version (" + VERSION + ")");
    }
    int enums = in.readInt();
    List<List<String>> read = new ArrayList<>();
    for (int i = 0; i < enums; i++) {
      int n = in.readInt();
      List<String> names = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        names.add(in.readUTF());
      }
      read.add(List.copyOf(names));
    }
    constants = List.copyOf(read);
  }

  @Override
  public TypeSerializer<T> restoreSerializer() {
    return serializer;
  }

  /** As is when the old snapshot is of the same kind with the same constants, else not. */
  @Override
  public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
      TypeSerializerSnapshot<T> oldSnapshot) {
    if (oldSnapshot != null && oldSnapshot.getClass() == getClass()
        && ((EnumConstantsSnapshot<T>) oldSnapshot).constants.equals(current)) {
      return TypeSerializerSchemaCompatibility.compatibleAsIs();
    }
    return TypeSerializerSchemaCompatibility.incompatible();
  }
}
