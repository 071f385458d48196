package io.memfleet.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.MemoryPool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** A series' history in the rules' state: every point back as it was, in far fewer bytes. */
class ObservationHistorySerializerTest {
  private static final double MB = 1024 * 1024;
  private static final ObservationHistorySerializer HISTORY = ObservationHistorySerializer.INSTANCE;

  private static byte[] bytes(List<Observation> points) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    HISTORY.serialize(points, out);
    return out.getCopyOfBuffer();
  }

  private static List<Observation> back(byte[] bytes) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    List<Observation> points = HISTORY.deserialize(in);
    assertThat(in.available()).as("every byte read").isZero();
    return points;
  }

  /** Each point as ObservationSerializer writes it: equal bytes, equal fields (NaN and null too). */
  private static void assertSame(List<Observation> actual, List<Observation> expected)
      throws IOException {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(one(actual.get(i))).as("point %d", i).isEqualTo(one(expected.get(i)));
    }
  }

  private static byte[] one(Observation o) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    ObservationSerializer.INSTANCE.serialize(o, out);
    return out.getCopyOfBuffer();
  }

  /** The oom-imminent history of a process: 5 min of 2-s buckets, only the newest with identity. */
  private static List<Observation> cgroupHistory(Random random) {
    List<Observation> points = new ArrayList<>();
    long bucket = 1_796_400_000_000_000_000L;
    double value = 180 * MB;
    for (int i = 0; i < 150; i++) {
      Observation o = Observations.of(Signal.CGROUP_MEMORY, 0, value, 512 * MB);
      o.bucketStartUtcNs = bucket;
      o.utcNs = bucket + 1_000_000L * random.nextInt(2000) + random.nextInt(1_000_000);
      o.count = 1 + random.nextInt(2);
      if (i % 7 == 0) {
        o.usedCompanion = 90 * MB + 4096 * random.nextInt(1000);
        o.usedCompanionUtcNs = o.utcNs - 1_000_000L * random.nextInt(3000);
        o.heapMax = i < 70 ? Double.NaN : 384 * MB; // known once the heap was first reported
      } else if (!points.isEmpty()) {
        o.usedCompanion = points.get(i - 1).usedCompanion;
        o.usedCompanionUtcNs = points.get(i - 1).usedCompanionUtcNs;
        o.heapMax = points.get(i - 1).heapMax;
      }
      if (i < 149) {
        o.slim();
      }
      points.add(o);
      bucket += 2_000_000_000L;
      value += 4096 * (random.nextInt(200) - 60);
    }
    return points;
  }

  @Test
  void everyPointOfAHistoryComesBackAsItWas() throws Exception {
    Random random = new Random(7);
    List<Observation> history = cgroupHistory(random);
    assertSame(back(bytes(history)), history);
    assertSame(HISTORY.copy(history), history);
    assertThat(back(bytes(List.of()))).isEmpty();
  }

  @Test
  void pointsThatDifferInEveryWayComeBackToo() throws Exception {
    List<Observation> mixed = new ArrayList<>();
    mixed.add(ObservationSerializerTest.full());
    mixed.add(new Observation()); // nulls, NaNs, zeros after a full point
    Observation fraction = Observations.of(Signal.GC_LOAD, 20, 0.37, 0.91);
    fraction.series = null; // written as empty, as ObservationSerializer does
    mixed.add(fraction);
    Observation odd = ObservationSerializerTest.full();
    odd.bucketStartUtcNs = fraction.bucketStartUtcNs - 7; // not a whole millisecond, backwards
    odd.utcNs = odd.bucketStartUtcNs - 5;
    odd.value = -0.0;
    odd.companion = Double.POSITIVE_INFINITY;
    odd.poolHint = MemoryPool.MALLOC;
    mixed.add(odd);
    Observation huge = ObservationSerializerTest.full();
    huge.value = 1e300; // no whole-number step
    mixed.add(huge);
    Observation same = ObservationSerializerTest.full();
    same.value = 3 * MB;
    mixed.add(same); // a whole value after one that is not
    mixed.add(ObservationSerializerTest.full());
    fraction.series = "";
    List<Observation> back = back(bytes(mixed));
    assertSame(back, mixed);
    assertThat(Double.doubleToRawLongBits(back.get(3).value))
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
  }

  @Test
  void aCgroupHistoryTakesAboutAThirdOfThePlainListsBytes() throws Exception {
    List<Observation> history = cgroupHistory(new Random(11));
    DataOutputSerializer plain = new DataOutputSerializer(4096);
    new ListSerializer<>(ObservationSerializer.INSTANCE).serialize(history, plain);
    int compact = bytes(history).length;
    assertThat(compact).as("compact %d bytes against %d", compact, plain.length())
        .isLessThan(plain.length() * 2 / 5);
  }

  @Test
  void bytesThatAreNotAHistoryAreRefusedWithAReason() {
    assertThatThrownBy(() -> back(new byte[] {2, 2})) // one point that refers to a previous one
        .isInstanceOf(IOException.class).hasMessageContaining("not a history");
    assertThatThrownBy(() -> back(new byte[] {3})) // a negative count
        .isInstanceOf(IOException.class).hasMessageContaining("not a history");
  }
}
