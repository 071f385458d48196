package io.memfleet.pipeline.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.Runtime;
import io.memfleet.pipeline.model.OwnTypeInfo;
import java.io.IOException;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The open windows' accumulators in keyed state: every field back as it was, in few bytes. */
class ProcessWindowAccumulatorSerializerTest {
  private static final long MB = 1024 * 1024;

  private static TypeSerializer<ProcessWindowAccumulator> serializer() {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    return TypeInformation.of(ProcessWindowAccumulator.class).createSerializer(config);
  }

  private static byte[] bytes(ProcessWindowAccumulator a) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(512);
    serializer().serialize(a, out);
    return out.getCopyOfBuffer();
  }

  private static ProcessWindowAccumulator back(byte[] bytes) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    ProcessWindowAccumulator a = serializer().deserialize(in);
    assertThat(in.available()).as("every byte read").isZero();
    return a;
  }

  private static void assertRoundTrip(ProcessWindowAccumulator a) throws IOException {
    assertThat(back(bytes(a))).usingRecursiveComparison().isEqualTo(a);
    assertThat(serializer().copy(a)).usingRecursiveComparison().isEqualTo(a);
  }

  /** A JVM's 10-s window as the aggregate fills it: RSS, heap, a few pauses, some pools. */
  private static ProcessWindowAccumulator jvmWindow() {
    ProcessWindowAccumulator a = new ProcessWindowAccumulator();
    a.service = "checkout";
    a.pod = "checkout-7f9c8d6b5-x2k4q";
    a.comm = "java";
    a.runtime = Runtime.JVM;
    long t = 1_796_400_000_000_000_000L;
    a.rssMax = 410 * MB;
    a.rssSum = 3 * 405 * MB;
    a.rssCount = 3;
    a.rssLast = 409 * MB;
    a.rssLastUtcNs = t + 9_000_000_000L;
    a.managedUsedMax = 200 * MB;
    a.managedCommittedMax = 256 * MB;
    a.managedLimit = 1024 * MB;
    a.heapAfterGcMin = 120 * MB;
    a.threadsMax = 31;
    a.gcCount = 2;
    a.gcPauseTotalNs = 4_100_000;
    a.gcPauseMaxNs = 2_300_000;
    a.pauses = new long[] {2_300_000, 1_800_000};
    a.pauseCount = 2;
    for (BreakdownMeasure m : new BreakdownMeasure[] {BreakdownMeasure.HEAP_COMMITTED,
        BreakdownMeasure.METASPACE, BreakdownMeasure.CODE_CACHE, BreakdownMeasure.THREAD_STACKS}) {
      a.observe(m, 10 * MB + m.ordinal(), t + 1_000_000_000L * m.ordinal());
    }
    return a;
  }

  @Test
  void writtenByItsOwnSerializerEvenWithGenericTypesDisabled() {
    assertThat(TypeInformation.of(ProcessWindowAccumulator.class))
        .isInstanceOf(OwnTypeInfo.class);
    assertThat(serializer()).isSameAs(ProcessWindowAccumulatorSerializer.INSTANCE);
  }

  @Test
  void everyFieldSurvivesTheRoundTrip() throws Exception {
    assertRoundTrip(new ProcessWindowAccumulator()); // nothing seen
    assertRoundTrip(jvmWindow());
    ProcessWindowAccumulator odd = jvmWindow();
    odd.nativeMax = -5;
    odd.nativeLast = Long.MIN_VALUE;
    odd.nativeLastUtcNs = Long.MAX_VALUE;
    odd.liveSetMin = 0;
    odd.gcCpuFraction = -0.0;
    odd.latest[0] = 77; // a value without a time
    odd.latestUtcNs[1] = 5; // a time without a value
    odd.pauses = null;
    odd.runtime = null;
    assertRoundTrip(odd);
    ProcessWindowAccumulator shortArrays = jvmWindow();
    shortArrays.latest = new long[3];
    shortArrays.latestUtcNs = null;
    assertRoundTrip(shortArrays);

    Random random = new Random(5);
    for (int i = 0; i < 500; i++) {
      ProcessWindowAccumulator a = jvmWindow();
      a.rssSum = random.nextLong();
      a.cgroupUsageMax = random.nextLong() >> random.nextInt(64);
      a.gcCpuFraction = random.nextDouble();
      a.heapViews = random.nextInt(4);
      int m = random.nextInt(BreakdownMeasure.COUNT);
      a.observe(BreakdownMeasure.values()[m], random.nextLong(), random.nextLong());
      assertRoundTrip(a);
    }
  }

  @Test
  void aJvmWindowTakesAFractionOfThePojoBytes() throws Exception {
    // Flink's POJO serializer over the same public fields, as before this serializer
    java.util.List<org.apache.flink.api.java.typeutils.PojoField> fields = new java.util.ArrayList<>();
    for (java.lang.reflect.Field f : ProcessWindowAccumulator.class.getFields()) {
      if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
        fields.add(new org.apache.flink.api.java.typeutils.PojoField(f,
            org.apache.flink.api.java.typeutils.TypeExtractor.getForClass(f.getType())));
      }
    }
    TypeSerializer<ProcessWindowAccumulator> pojo =
        new org.apache.flink.api.java.typeutils.PojoTypeInfo<>(ProcessWindowAccumulator.class,
            fields).createSerializer(new SerializerConfigImpl());
    assertThat(pojo).isInstanceOf(PojoSerializer.class);
    DataOutputSerializer out = new DataOutputSerializer(1024);
    pojo.serialize(jvmWindow(), out);
    int compact = bytes(jvmWindow()).length;
    assertThat(compact).as("%d bytes against the POJO serializer's %d", compact, out.length())
        .isLessThan(out.length() / 3);
  }

  @Test
  void bytesThatAreNotAnAccumulatorAreRefusedWithAReason() throws Exception {
    byte[] good = bytes(jvmWindow());
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 20);
    assertThatThrownBy(() -> back(truncated)).isInstanceOf(IOException.class);
    byte[] badRuntime = good.clone();
    // the runtime's ordinal follows the five strings
    int at = "checkout".length() + 1 + 1 + "checkout-7f9c8d6b5-x2k4q".length() + 1 + 1
        + "java".length() + 1;
    badRuntime[at] = 120;
    assertThatThrownBy(() -> back(badRuntime)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a ProcessWindowAccumulator");
  }
}
