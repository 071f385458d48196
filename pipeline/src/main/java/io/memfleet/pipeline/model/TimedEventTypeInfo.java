package io.memfleet.pipeline.model;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type information for {@link TimedEvent} (declared on the class with
 * {@code @TypeInfo}): {@link TimedEventSerializer}, wherever a TimedEvent crosses the network, sits
 * in state or is a field of another POJO.
 */
public final class TimedEventTypeInfo extends TypeInformation<TimedEvent> {
  private static final long serialVersionUID = 1L;

  /** What {@code @TypeInfo} on {@link TimedEvent} names. */
  public static final class Factory extends TypeInfoFactory<TimedEvent> {
    @Override
    public TypeInformation<TimedEvent> createTypeInfo(Type t,
        Map<String, TypeInformation<?>> genericParameters) {
      return new TimedEventTypeInfo();
    }
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
  public Class<TimedEvent> getTypeClass() {
    return TimedEvent.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<TimedEvent> createSerializer(SerializerConfig config) {
    return TimedEventSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "TimedEvent";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof TimedEventTypeInfo;
  }

  @Override
  public int hashCode() {
    return TimedEventTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof TimedEventTypeInfo;
  }
}
