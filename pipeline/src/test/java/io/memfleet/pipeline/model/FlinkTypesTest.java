package io.memfleet.pipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.DeadLetter;
import io.memfleet.pipeline.Fixtures;
import io.memfleet.pipeline.aggregate.ProcessWindow;
import io.memfleet.pipeline.aggregate.ProcessWindowAccumulator;
import io.memfleet.pipeline.join.MemoryPoint;
import io.memfleet.pipeline.join.ProcessInfo;
import io.memfleet.pipeline.time.ClockCalibration;
import io.memfleet.pipeline.time.ClockModelState;
import io.memfleet.pipeline.time.ClockSample;
import io.memfleet.pipeline.time.HeldEvent;
import io.memfleet.pipeline.time.HoldQueue;
import io.memfleet.schema.SampleEvents;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Every type on the wire or in state has a Flink serializer without the Kryo fallback. */
class FlinkTypesTest {

  static Stream<Class<?>> pojos() {
    return Stream.of(RawRecord.class, TimedEvent.class, NativeMemorySample.class,
        ClockSample.class, ClockModelState.class, ClockCalibration.class, HeldEvent.class, HoldQueue.class,
        MemoryPoint.class, ProcessInfo.class, ProcessWindowAccumulator.class,
        ProcessWindow.class, io.memfleet.pipeline.aggregate.LateEvent.class);
  }

  @ParameterizedTest
  @MethodSource("pojos")
  void isAFlinkPojoWithGenericTypesDisabled(Class<?> type) {
    TypeInformation<?> info = TypeInformation.of(type);
    assertThat(info).isInstanceOf(PojoTypeInfo.class);
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false); // any Kryo fallback would throw here
    assertThat(info.createSerializer(config)).isNotNull();
  }

  @Test
  void aWindowAccumulatorWithItsBreakdownSurvivesASerializerRoundTrip() throws Exception {
    ProcessWindowAccumulator acc = new ProcessWindowAccumulator();
    acc.latest[3] = 42;
    acc.latestUtcNs[3] = 7;
    acc.liveSetMin = 1234;
    acc.pauses = new long[] {5, 6};
    TypeSerializer<ProcessWindowAccumulator> serializer = TypeInformation
        .of(ProcessWindowAccumulator.class).createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(512);
    serializer.serialize(acc, out);
    ProcessWindowAccumulator back =
        serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back).usingRecursiveComparison().isEqualTo(acc);
  }

  @Test
  void deadLettersUseTheAvroSerializer() {
    assertThat(TypeInformation.of(DeadLetter.class)).isInstanceOf(AvroTypeInfo.class);
  }

  @Test
  void aTimedEventSurvivesASerializerRoundTrip() throws Exception {
    TimedEvent e = Fixtures.timed(SampleEvents.heapSummary(), 42L);
    e.utcNs = 1_741_944_413_589_793_238L;
    e.errorBoundNs = 1_500;
    e.timeBasis = TimeBasis.CLOCK_MODEL;
    TypeSerializer<TimedEvent> serializer =
        TypeInformation.of(TimedEvent.class).createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(512);
    serializer.serialize(e, out);
    TimedEvent back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back).usingRecursiveComparison().ignoringFields("decoded").isEqualTo(e);
    assertThat(back.record(Fixtures.CODEC)).isEqualTo(SampleEvents.heapSummary());
  }
}
