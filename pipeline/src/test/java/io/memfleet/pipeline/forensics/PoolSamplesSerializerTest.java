package io.memfleet.pipeline.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.pipeline.model.OwnTypeInfo;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class PoolSamplesSerializerTest {
  private static final PoolSamplesSerializer SERIALIZER = PoolSamplesSerializer.INSTANCE;

  private static byte[] bytes(double[] samples) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    SERIALIZER.serialize(samples, out);
    return out.getCopyOfBuffer();
  }

  private static double[] back(byte[] bytes) throws Exception {
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    double[] samples = SERIALIZER.deserialize(in);
    assertThat(in.available()).isZero();
    return samples;
  }

  /** 35 samples of a pool every 2 s, as {@link PoolHistory} keeps them: times in ns, bytes. */
  private static double[] history() {
    double[] samples = new double[70];
    long t = 1_764_979_200_123_456_789L;
    for (int i = 0; i < 35; i++) {
      samples[2 * i] = t + i * 2_000_000_000L;
      samples[2 * i + 1] = (512L << 20) + i * (3L << 20) + (i % 7) * 4096;
    }
    return samples;
  }

  @Test
  void aWholeNumberedHistoryComesBackExactlyInLittleMoreThanHalfTheBytes() throws Exception {
    double[] samples = history();
    byte[] bytes = bytes(samples);
    assertThat(back(bytes)).containsExactly(samples);
    // Flink's double[]: 4 bytes of length and 8 per number; here 5 per 2-s step, 4 per value
    assertThat(bytes.length).isLessThan((4 + 8 * samples.length) * 6 / 10);
  }

  @Test
  void fractionsNaNAndNegativeZeroComeBackAsTheyWere() throws Exception {
    double[][] cases = {{}, {1.5, 2}, {Double.NaN, 3}, {-0.0, 4}, {0x1p62, 1},
        {Double.POSITIVE_INFINITY, -7}, {-5, -3, -1e12, 42}};
    for (double[] samples : cases) {
      double[] back = back(bytes(samples));
      assertThat(back).hasSize(samples.length);
      for (int i = 0; i < samples.length; i++) {
        assertThat(Double.doubleToRawLongBits(back[i]))
            .isEqualTo(Double.doubleToRawLongBits(samples[i]));
      }
    }
  }

  /** Keeps the element's number in a pool history, as the forensics' state, and emits it. */
  static final class History extends KeyedProcessFunction<String, Double, double[]> {
    private final TypeInformation<double[]> type;
    private transient MapState<String, double[]> pools;

    History(TypeInformation<double[]> type) {
      this.type = type;
    }

    @Override
    public void open(OpenContext context) {
      pools = getRuntimeContext().getMapState(
          new MapStateDescriptor<>("pool-history", Types.STRING, type));
    }

    @Override
    public void processElement(Double v, Context ctx, Collector<double[]> out) throws Exception {
      double[] known = pools.get("HEAP");
      double[] now = known == null ? new double[] {v} : Arrays.copyOf(known, known.length + 1);
      now[now.length - 1] = v;
      pools.put("HEAP", now);
      out.collect(now);
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Double, double[]> harness(
      TypeInformation<double[]> type) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new KeyedProcessOperator<>(new History(type)), v -> "p", Types.STRING);
  }

  @Test
  void aSavepointOfFlinksDoubleArraysRestoresIntoIt() throws Exception {
    OperatorSubtaskState before;
    try (var old = harness(PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO)) {
      old.open();
      old.processElement(1.764979200123e18, 0);
      old.processElement(536870912.0, 0);
      before = old.snapshot(1, 1);
    }
    try (var now = harness(OwnTypeInfo.value(double[].class, SERIALIZER))) {
      now.initializeState(before);
      now.open();
      now.processElement(7.5, 0);
      assertThat(now.extractOutputValues()).singleElement()
          .isEqualTo(new double[] {1.764979200123e18, 536870912.0, 7.5});
      OperatorSubtaskState after = now.snapshot(2, 2);
      try (var again = harness(OwnTypeInfo.value(double[].class, SERIALIZER))) {
        again.initializeState(after);
        again.open();
        again.processElement(8.0, 0);
        assertThat(again.extractOutputValues()).singleElement()
            .isEqualTo(new double[] {1.764979200123e18, 536870912.0, 7.5, 8.0});
      }
    }
  }

  @Test
  void stateFlinksDoubleArrayWroteIsMigratedNotRefused() {
    var ours = SERIALIZER.snapshotConfiguration();
    assertThat(ours.resolveSchemaCompatibility(
        DoublePrimitiveArraySerializer.INSTANCE.snapshotConfiguration()).isCompatibleAfterMigration())
        .isTrue();
    assertThat(ours.resolveSchemaCompatibility(SERIALIZER.snapshotConfiguration())
        .isCompatibleAsIs()).isTrue();
    TypeSerializerSchemaCompatibility<double[]> other = ours.resolveSchemaCompatibility(null);
    assertThat(other.isIncompatible()).isTrue();
  }
}
