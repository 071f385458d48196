package io.memfleet.pipeline.detect;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type information for {@link Observation} (declared on the class with
 * {@code @TypeInfo}): {@link ObservationSerializer}, wherever an observation crosses the network,
 * sits in a rule's state (CEP runs, trailing histories) or is a field of another type.
 */
public final class ObservationTypeInfo extends TypeInformation<Observation> {
  private static final long serialVersionUID = 1L;

  /** What {@code @TypeInfo} on {@link Observation} names. */
  public static final class Factory extends TypeInfoFactory<Observation> {
    @Override
    public TypeInformation<Observation> createTypeInfo(Type t,
        Map<String, TypeInformation<?>> genericParameters) {
      return new ObservationTypeInfo();
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
  public Class<Observation> getTypeClass() {
    return Observation.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<Observation> createSerializer(SerializerConfig config) {
    return ObservationSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "Observation";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof ObservationTypeInfo;
  }

  @Override
  public int hashCode() {
    return ObservationTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof ObservationTypeInfo;
  }
}
