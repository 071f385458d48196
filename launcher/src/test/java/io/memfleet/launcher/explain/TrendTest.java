package io.memfleet.launcher.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrendTest {
  private static List<BreakdownSample> series(long... values) {
    List<BreakdownSample> out = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      out.add(new BreakdownSample(1_767_571_200L + 60L * i, Map.of("metaspace", values[i])));
    }
    return out;
  }

  @Test
  void slopePerMinuteOfAStraightLine() {
    assertThat(Trend.perMinute(series(100, 110, 120, 130), s -> s.get("metaspace")))
        .isCloseTo(10, within(1e-9));
  }

  @Test
  void oneSpikeDoesNotTiltIt() {
    // a GC sawtooth peak (or one stray reading) in a flat series
    assertThat(Trend.perMinute(series(100, 100, 100, 900, 100, 100, 100), s -> s.get("metaspace")))
        .isCloseTo(0, within(1e-9));
  }

  @Test
  void noSlopeBelowTwoPointsOrAtOneInstant() {
    assertThat(Trend.perMinute(series(100), s -> s.get("metaspace"))).isNaN();
    assertThat(Trend.theilSen(new double[] {1, 1}, new double[] {1, 5})).isNaN();
  }

  @Test
  void longSeriesAreThinnedToABoundedNumberOfPoints() {
    long[] day = new long[1440 * 7];
    for (int i = 0; i < day.length; i++) {
      day[i] = 1000 + 3L * i;
    }
    long start = System.nanoTime();
    assertThat(Trend.perMinute(series(day), s -> s.get("metaspace"))).isCloseTo(3, within(1e-9));
    assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
  }
}
