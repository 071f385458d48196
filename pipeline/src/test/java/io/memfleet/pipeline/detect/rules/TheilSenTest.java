package io.memfleet.pipeline.detect.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TheilSenTest {
  private static double sortedMedian(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  @Test
  void theMedianBySelectionIsTheMedianOfTheSortedValues() {
    Random random = new Random(20261205);
    for (int round = 0; round < 20_000; round++) {
      double[] xs = new double[1 + random.nextInt(300)];
      int distinct = 1 + random.nextInt(xs.length + 1); // from all equal to all different
      for (int i = 0; i < xs.length; i++) {
        xs[i] = random.nextInt(distinct) * (random.nextBoolean() ? 1.5 : -0.25);
      }
      double expected = sortedMedian(xs);
      assertThat(TheilSen.median(xs.clone())).as("round %d", round).isEqualTo(expected);
    }
  }

  @Test
  void sortedAndReversedInputAndNaNAreHandled() {
    double[] up = new double[2016];
    for (int i = 0; i < up.length; i++) {
      up[i] = i;
    }
    assertThat(TheilSen.median(up.clone())).isEqualTo(1007.5);
    double[] down = new double[2015];
    for (int i = 0; i < down.length; i++) {
      down[i] = -i;
    }
    assertThat(TheilSen.median(down)).isEqualTo(-1007.0);
    assertThat(TheilSen.median(new double[] {3, Double.NaN, 1})).isEqualTo(3.0);
  }

  @Test
  void aLineWithOutliersKeepsItsSlope() {
    long[] t = new long[40];
    double[] v = new double[40];
    for (int i = 0; i < t.length; i++) {
      t[i] = i * 1_000_000_000L;
      v[i] = 100 + 2.0 * i + (i % 7 == 0 ? 500 : 0); // a spike every 7th point
    }
    TheilSen fit = TheilSen.fit(t, v);
    assertThat(fit.slopePerSecond()).isEqualTo(2.0);
    assertThat(fit.valueAt(10_000_000_000L)).isEqualTo(120.0);
  }
}
