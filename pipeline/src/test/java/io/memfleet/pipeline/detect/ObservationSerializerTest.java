package io.memfleet.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.MemoryPool;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Observations as they sit in the rules' state: every field back as it was, in few bytes. */
class ObservationSerializerTest {
  private static final double MB = 1024 * 1024;
  /** NaN is NaN: an unknown figure comes back unknown. */
  private static final java.util.function.BiPredicate<Double, Double> SAME =
      (a, b) -> Double.compare(a, b) == 0;

  private static TypeSerializer<Observation> serializer() {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    return TypeInformation.of(Observation.class).createSerializer(config);
  }

  private static byte[] bytes(Observation o) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer().serialize(o, out);
    return out.getCopyOfBuffer();
  }

  private static Observation back(byte[] bytes) throws IOException {
    return serializer().deserialize(new DataInputDeserializer(bytes));
  }

  /** Every field set, the optional ones too. */
  static Observation full() {
    Observation o = Observations.of(Signal.LIVE_SET, 12.5, 300 * MB, 512 * MB);
    o.series = "stack:42";
    o.namespace = "payments";
    o.pod = "checkout-7f9c8d6b5-x2k4q";
    o.container = "checkout";
    o.confirmed = true;
    o.reclaimed = true;
    o.g1 = true;
    o.newest = 310 * MB;
    o.live = 290 * MB;
    o.liveUtcNs = o.utcNs - 3_000_000_000L;
    o.liveFirst = 284 * MB;
    o.liveFirstUtcNs = o.utcNs - 7_000_000_000L;
    o.usedCompanion = 100 * MB;
    o.usedCompanionUtcNs = o.utcNs + 1_500_000_000L;
    o.heapMax = 384 * MB;
    o.stackHash = -8390132304949077975L;
    o.stackFrames = "map_segment\ncache_entry\nmain";
    o.poolHint = MemoryPool.MMAP;
    o.objectClass = "com.example.SessionRecord";
    o.firstTouch = true;
    o.stackBesideClass = true;
    o.classRetained = true;
    o.classGrowing = true;
    return o;
  }

  @Test
  void writtenByItsOwnSerializerEvenWithGenericTypesDisabled() {
    assertThat(TypeInformation.of(Observation.class)).isInstanceOf(io.memfleet.pipeline.model.OwnTypeInfo.class);
    assertThat(serializer()).isSameAs(ObservationSerializer.INSTANCE);
  }

  @Test
  void everyFieldSurvivesTheRoundTripAsSetOrUnknown() throws Exception {
    Observation full = full();
    assertThat(back(bytes(full))).usingRecursiveComparison().withEqualsForType(SAME, Double.class).isEqualTo(full);
    assertThat(serializer().copy(full)).usingRecursiveComparison().withEqualsForType(SAME, Double.class).isEqualTo(full);

    Observation sparse = new Observation(); // nulls, NaNs, zeros
    assertThat(back(bytes(sparse))).usingRecursiveComparison().withEqualsForType(SAME, Double.class).isEqualTo(sparse);
    Observation negative = full();
    negative.utcNs = negative.bucketStartUtcNs - 5; // out of its bucket: the delta is signed
    negative.liveUtcNs = Long.MIN_VALUE / 4;
    negative.count = Integer.MAX_VALUE;
    assertThat(back(bytes(negative))).usingRecursiveComparison().withEqualsForType(SAME, Double.class).isEqualTo(negative);
  }

  @Test
  void aHistoryPointWithoutTheIdentityTakesUnder64Bytes() throws Exception {
    Observation point = Observations.of(Signal.CGROUP_MEMORY, 12.5, 300 * MB, 512 * MB);
    point.slim();
    // 58: signal 1, series 1, 8 absent strings 8, pid 4, start 8, runtime 1, bucket start 8,
    // time in the bucket 5, count 1, mask 2, value 8, companion 8, frames, pool, class 3 (the
    // POJO serializer: 138 B, TrailingHistoryTest)
    assertThat(bytes(point)).hasSizeLessThan(64);
    assertThat(bytes(full())).as("with every string, 150 B of them, and two live sets")
        .hasSizeLessThan(272);
  }

  @Test
  void bytesOfAnotherKindAreRefusedWithAReason() {
    byte[] bad = {(byte) 99, 0, 0};
    assertThatThrownBy(() -> back(bad)).isInstanceOf(IOException.class)
        .hasMessageContaining("not an Observation");
  }

  @Test
  void itsSnapshotRestoresItAndAcceptsOnlyTheSameEnums() throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer().snapshotConfiguration());
    TypeSerializerSnapshot<Observation> read = TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    assertThat(read.restoreSerializer()).isSameAs(ObservationSerializer.INSTANCE);
    assertThat(serializer().snapshotConfiguration().resolveSchemaCompatibility(read)
        .isCompatibleAsIs()).isTrue();
  }
}
