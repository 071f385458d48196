package io.memfleet.pipeline.model;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type information for a class of memfleet's own with a hand-written serializer, no
 * reflection: the keys ({@link ProcessId}, {@link ProcessScopedKey}), {@link TimedEvent} and
 * detection's {@code Observation}. The classes name it through a {@code TypeInfoFactory} in their
 * {@code @TypeInfo}.
 *
 * <pre>{@code
 * return OwnTypeInfo.value(TimedEvent.class, TimedEventSerializer.INSTANCE);
 * }</pre>
 */
public final class OwnTypeInfo<T> extends TypeInformation<T> {
  private static final long serialVersionUID = 1L;
  private final Class<T> type;
  private final TypeSerializer<T> serializer;
  private final boolean key;

  private OwnTypeInfo(Class<T> type, TypeSerializer<T> serializer, boolean key) {
    this.type = type;
    this.serializer = serializer;
    this.key = key;
  }

  /** A key type (hashable, comparable as Flink needs for keyBy). */
  public static <T> OwnTypeInfo<T> key(Class<T> type, TypeSerializer<T> serializer) {
    return new OwnTypeInfo<>(type, serializer, true);
  }

  /** A value type: on the wire and in state, never a key. */
  public static <T> OwnTypeInfo<T> value(Class<T> type, TypeSerializer<T> serializer) {
    return new OwnTypeInfo<>(type, serializer, false);
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<T> getTypeClass() {
    return type;
  }

  @Override
  public boolean isKeyType() {
    return key;
  }

  @Override
  public TypeSerializer<T> createSerializer(SerializerConfig config) {
    return serializer;
  }

  @Override
  public String toString() {
    return type.getSimpleName();
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof OwnTypeInfo<?> other && other.type == type && other.key == key;
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof OwnTypeInfo<?>;
  }
}
