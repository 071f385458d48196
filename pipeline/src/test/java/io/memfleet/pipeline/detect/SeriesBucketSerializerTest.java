package io.memfleet.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The observation stage's open buckets: every figure back as it was, in few bytes. */
class SeriesBucketSerializerTest {
  private static final double MB = 1024 * 1024;
  private static final java.util.function.BiPredicate<Double, Double> SAME =
      (a, b) -> Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b)
          || (Double.isNaN(a) && Double.isNaN(b));

  private static TypeSerializer<SeriesBucket> serializer() {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    return TypeInformation.of(SeriesBucket.class).createSerializer(config);
  }

  private static byte[] bytes(SeriesBucket b) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer().serialize(b, out);
    return out.getCopyOfBuffer();
  }

  private static SeriesBucket back(byte[] bytes) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    SeriesBucket b = serializer().deserialize(in);
    assertThat(in.available()).as("every byte read").isZero();
    return b;
  }

  private static void assertRoundTrip(SeriesBucket b) throws IOException {
    assertThat(back(bytes(b))).usingRecursiveComparison()
        .withEqualsForType(SAME, Double.class).isEqualTo(b);
    assertThat(serializer().copy(b)).usingRecursiveComparison()
        .withEqualsForType(SAME, Double.class).isEqualTo(b);
  }

  /** A cgroup bucket as the observation stage keeps it. */
  private static SeriesBucket cgroup() {
    SeriesBucket b = new SeriesBucket();
    b.signal = Signal.CGROUP_MEMORY;
    b.series = "";
    b.bucketIndex = 898_218_000L;
    b.bucketStartUtcNs = b.bucketIndex * 2_000_000_000L;
    b.add(b.bucketStartUtcNs + 713_000_123L, 182 * MB);
    b.add(b.bucketStartUtcNs + 1_713_000_456L, 183 * MB);
    b.companion = 512 * MB;
    b.usedCompanion = 95 * MB;
    b.usedCompanionUtcNs = b.bucketStartUtcNs - 1_200_000_000L;
    return b;
  }

  @Test
  void writtenByItsOwnSerializerEvenWithGenericTypesDisabled() {
    assertThat(serializer()).isSameAs(SeriesBucketSerializer.INSTANCE);
  }

  @Test
  void everyFigureSurvivesTheRoundTrip() throws Exception {
    assertRoundTrip(cgroup());
    assertRoundTrip(new SeriesBucket()); // nothing folded in: infinities, NaNs, nulls
    SeriesBucket every = cgroup();
    every.signal = Signal.GC_LOAD;
    every.series = "stack:42";
    every.confirmedMin = 170 * MB;
    every.reclaimed = true;
    every.g1 = true;
    every.live = 171.5 * MB + 0.25; // not a whole number
    every.liveUtcNs = every.bucketStartUtcNs + 5;
    every.pauseEventsNs = 12_345_678;
    every.cyclePausesNs = Long.MAX_VALUE;
    every.gcCpuFraction = -0.0;
    every.heapRatio = 0.83;
    every.brkBytes = -4096;
    every.mmapBytes = 1L << 40;
    every.stackHash = Long.MIN_VALUE;
    every.stackFrames = "malloc\nsegment_append\nmain";
    every.min = 1e300;
    every.max = -0.0;
    every.last = Double.NaN;
    assertRoundTrip(every);

    Random random = new Random(3);
    for (int i = 0; i < 1000; i++) {
      SeriesBucket b = cgroup();
      b.min = random.nextBoolean() ? random.nextInt() : random.nextDouble() * 1e12;
      b.max = random.nextBoolean() ? random.nextLong() >> 12 : Double.longBitsToDouble(random.nextLong());
      b.companion = random.nextBoolean() ? Double.NaN : random.nextInt(1 << 30);
      b.lastUtcNs = b.bucketStartUtcNs + random.nextInt() ;
      assertRoundTrip(b);
    }
  }

  @Test
  void aCgroupBucketTakesAThirdOfThePojoBytes() throws Exception {
    // Flink's POJO serializer wrote 22 figures of 8 bytes each and the strings' tags
    assertThat(bytes(cgroup()).length).isLessThan(60);
  }

  @Test
  void bytesThatAreNotABucketAreRefusedWithAReason() {
    byte[] nonsense = {(byte) Signal.values().length, 0};
    assertThatThrownBy(() -> back(nonsense)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a SeriesBucket");
  }
}
