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
    return Stream.of(NativeMemorySample.class,
        ClockModelState.class, ClockCalibration.class, HeldEvent.class, HoldQueue.class,
        MemoryPoint.class, ProcessInfo.class, ProcessWindow.class);
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

  /**
   * The types that cross between tasks before and beside the per-process stage — every Kafka
   * record on its way to decoding, clock samples on theirs to alignment, late events to their
   * sink — have serializers of their own, and every field survives them, set or null.
   */
  static Stream<Object[]> ownWireTypes() {
    RawRecord record = RawRecord.of("memfleet.events.jfr \u00e9", 7, 1L << 40, -3L,
        new byte[] {1, 2}, new byte[] {(byte) 0xC3, 1, 0, -1});
    RawRecord tombstone = RawRecord.of(null, 0, 0, 0, null, null);
    ClockSample sample = new ClockSample();
    sample.cluster = "prod";
    sample.node = "node-a";
    sample.bootId = "4f2c";
    sample.pid = 4242;
    sample.processStartTimeMs = 1_741_944_413_589L;
    sample.domain = io.memfleet.event.ClockDomain.JFR_TICKS;
    sample.domainValue = Long.MIN_VALUE;
    sample.frequencyHz = 1_000_000_000L;
    sample.realtimeNs = 1_741_944_413_589_793_238L;
    sample.monotonicNs = 12_345L;
    sample.uncertaintyNs = 900;
    sample.collector = "node-a/jfr";
    ClockSample bare = new ClockSample();
    io.memfleet.pipeline.aggregate.LateEvent late = new io.memfleet.pipeline.aggregate.LateEvent(
        "process_memory_10s", 1_741_944_413_589L, Fixtures.timed(SampleEvents.heapSummary(), 42L));
    io.memfleet.pipeline.aggregate.LateEvent empty = new io.memfleet.pipeline.aggregate.LateEvent();
    return Stream.of(new Object[] {RawRecord.class, record}, new Object[] {RawRecord.class,
        tombstone}, new Object[] {ClockSample.class, sample}, new Object[] {ClockSample.class,
        bare}, new Object[] {io.memfleet.pipeline.aggregate.LateEvent.class, late},
        new Object[] {io.memfleet.pipeline.aggregate.LateEvent.class, empty});
  }

  @ParameterizedTest
  @MethodSource("ownWireTypes")
  <T> void aWireTypeHasItsOwnSerializerAndEveryFieldSurvivesIt(Class<T> type, T value)
      throws Exception {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    TypeInformation<T> info = TypeInformation.of(type);
    assertThat(info).isInstanceOf(OwnTypeInfo.class);
    TypeSerializer<T> serializer = info.createSerializer(config);
    assertThat(serializer).isInstanceOf(OwnSerializer.class);
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    T back = serializer.deserialize(in);
    assertThat(in.available()).isZero();
    assertThat(back).usingRecursiveComparison().ignoringFields("event.decoded").isEqualTo(value);
    assertThat(serializer.copy(value)).usingRecursiveComparison()
        .ignoringFields("event.decoded").isEqualTo(value);
    // a snapshot of the same serializer reads back as compatible
    var snapshot = serializer.snapshotConfiguration();
    DataOutputSerializer snap = new DataOutputSerializer(64);
    snapshot.writeSnapshot(snap);
    var read = snapshot.getClass().getDeclaredConstructor().newInstance();
    read.readSnapshot(snapshot.getCurrentVersion(),
        new DataInputDeserializer(snap.getCopyOfBuffer()), getClass().getClassLoader());
    assertThat(snapshot.resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
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

  @Test
  void aTimedEventHasItsOwnSerializerWithGenericTypesDisabled() {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    assertThat(TypeInformation.of(TimedEvent.class)).isInstanceOf(OwnTypeInfo.class);
    assertThat(TypeInformation.of(TimedEvent.class).createSerializer(config))
        .isSameAs(TimedEventSerializer.INSTANCE);
    // a POJO holding one uses it for that field
    assertThat(TypeInformation.of(io.memfleet.pipeline.aggregate.LateEvent.class)
        .createSerializer(config)).isNotNull();
  }

  @Test
  void everyFieldOfATimedEventSurvivesTheRoundTripAsSetOrAsNull() throws Exception {
    TimedEvent full = Fixtures.timed(SampleEvents.heapSummary(), 42L);
    full.topic = "memfleet.events.jfr";
    full.partition = 2;
    full.offset = 1L << 40;
    full.publishTimeMs = 1_741_944_413_589L;
    full.collector = "node-a/jfr";
    full.namespace = "shop";
    full.pod = "checkout-7f9c";
    full.container = "app";
    full.utcNs = -5;
    full.errorBoundNs = TimedEvent.UNBOUNDED_ERROR_NS;
    full.timeBasis = TimeBasis.UNCALIBRATED_UNKNOWN_DOMAIN;
    full.rssBytes = Long.MAX_VALUE;
    full.heapUsedBytes = 0L;
    full.heapCommittedBytes = null;
    full.heapMaxBytes = -1L;
    full.nativeBytes = 7L;
    full.processExited = true;
    full.comm = "java \u00e9\u20ac";
    TimedEvent empty = new TimedEvent();
    empty.timeBasis = null;
    for (TimedEvent e : new TimedEvent[] {full, empty}) {
      DataOutputSerializer out = new DataOutputSerializer(64);
      TimedEventSerializer.INSTANCE.serialize(e, out);
      TimedEvent back = TimedEventSerializer.INSTANCE
          .deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
      assertThat(back).usingRecursiveComparison().ignoringFields("decoded").isEqualTo(e);
      assertThat(TimedEventSerializer.INSTANCE.copy(e)).usingRecursiveComparison()
          .ignoringFields("decoded").isEqualTo(e);
    }
  }

  @Test
  void aCopyBetweenChainedOperatorsKeepsTheDecodedRecord() {
    TimedEvent e = Fixtures.timed(SampleEvents.heapSummary(), 42L);
    var decoded = e.record(Fixtures.CODEC);
    TimedEvent copy = TimedEventSerializer.INSTANCE.copy(e);
    assertThat(copy).isNotSameAs(e);
    assertThat(copy.record(Fixtures.CODEC)).isSameAs(decoded);
    assertThat(copy.payload).isSameAs(e.payload);
  }

  @Test
  void eventsReadOffTheWireShareTheirClusterAndNodeStrings() throws Exception {
    TimedEvent e = Fixtures.timed(SampleEvents.heapSummary(), 42L);
    DataOutputSerializer out = new DataOutputSerializer(1024);
    TimedEventSerializer.INSTANCE.serialize(e, out);
    TimedEventSerializer.INSTANCE.serialize(e, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    TimedEvent first = TimedEventSerializer.INSTANCE.deserialize(in);
    TimedEvent second = TimedEventSerializer.INSTANCE.deserialize(in);
    assertThat(first.cluster).isEqualTo(e.cluster).isSameAs(second.cluster);
    assertThat(first.node).isEqualTo(e.node).isSameAs(second.node);
    assertThat(first.processId()).isEqualTo(second.processId()).isEqualTo(e.processId());
    assertThat(first.comm).isEqualTo(second.comm);
  }

  @Test
  void anEventAndItsCopiesShareOneProcessKeyUntilAFieldOfItChanges() {
    TimedEvent e = Fixtures.timed(SampleEvents.heapSummary(), 42L);
    ProcessId id = e.processId();
    assertThat(id).isEqualTo(new ProcessId(e.cluster, e.node, e.pid, e.processStartTimeMs));
    assertThat(e.processId()).isSameAs(id);
    TimedEvent copy = TimedEventSerializer.INSTANCE.copy(e);
    assertThat(copy.processId()).isSameAs(id);

    copy.pid = e.pid + 1;
    assertThat(copy.processId()).isEqualTo(
        new ProcessId(e.cluster, e.node, e.pid + 1, e.processStartTimeMs));
    copy.processStartTimeMs = 5;
    assertThat(copy.processId()).isEqualTo(new ProcessId(e.cluster, e.node, e.pid + 1, 5));
    copy.cluster = "other-cluster";
    assertThat(copy.processId().cluster).isEqualTo("other-cluster");
    copy.node = null;
    assertThat(copy.processId()).isEqualTo(new ProcessId("other-cluster", "", e.pid + 1, 5));
    copy.cluster = null;
    assertThat(copy.processId()).isEqualTo(new ProcessId("", "", e.pid + 1, 5));
    copy.node = "node-9";
    assertThat(copy.processId()).isEqualTo(new ProcessId("", "node-9", e.pid + 1, 5));
    assertThat(e.processId()).isSameAs(id); // the original is as it was
  }

  @Test
  void copiesMadeBeforeAnyDecodeShareTheFirstDecode() throws Exception {
    // the join's output is copied for each chained stage before any of them reads the record:
    // the first to read it decodes for all (one record instance)
    DataOutputSerializer wire = new DataOutputSerializer(64);
    TimedEventSerializer.INSTANCE.serialize(Fixtures.timed(SampleEvents.heapSummary(), 42L), wire);
    TimedEvent e = TimedEventSerializer.INSTANCE // as the join task receives it: not decoded
        .deserialize(new DataInputDeserializer(wire.getCopyOfBuffer()));
    TimedEvent first = TimedEventSerializer.INSTANCE.copy(e);
    TimedEvent second = TimedEventSerializer.INSTANCE.copy(e);
    TimedEvent copyOfCopy = TimedEventSerializer.INSTANCE.copy(second);
    var decoded = second.record(Fixtures.CODEC);
    assertThat(decoded).isNotNull();
    assertThat(first.record(Fixtures.CODEC)).isSameAs(decoded);
    assertThat(e.record(Fixtures.CODEC)).isSameAs(decoded);
    assertThat(copyOfCopy.record(Fixtures.CODEC)).isSameAs(decoded);
    // an event deserialized in another task decodes for itself
    DataOutputSerializer out = new DataOutputSerializer(64);
    TimedEventSerializer.INSTANCE.serialize(e, out);
    TimedEvent back = TimedEventSerializer.INSTANCE
        .deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertThat(back.record(Fixtures.CODEC)).isNotSameAs(decoded).isEqualTo(decoded);
  }

  @Test
  void theSerializerSnapshotRefusesStateWrittenWithOtherEnumConstants() throws Exception {
    var snapshot = TimedEventSerializer.INSTANCE.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(256);
    snapshot.writeSnapshot(out);
    TimedEventSerializer.Snapshot read = new TimedEventSerializer.Snapshot();
    read.readSnapshot(snapshot.getCurrentVersion(),
        new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    assertThat(snapshot.resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();

    // the same bytes with one constant renamed, as after an enum changed between versions
    byte[] bytes = out.getCopyOfBuffer();
    String written = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] changed = written.replace("CLOCK_MODEL", "CLOCK_MODEX")
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    TimedEventSerializer.Snapshot other = new TimedEventSerializer.Snapshot();
    other.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(changed),
        getClass().getClassLoader());
    assertThat(snapshot.resolveSchemaCompatibility(other).isIncompatible()).isTrue();
  }
}
