package io.memfleet.collector.jfr.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

class DirectBufferTrendTest {
  private static final long KIB = 1024;
  private static final long T0 = 1_764_000_000_000_000_000L;

  /**
   * A reading every 5 s (the pool period) of kept(t) plus churn not yet freed (0–6 MiB: buffers
   * dropped since the last young collection).
   */
  private static void run(DirectBufferTrend trend, long fromS, long toS,
      LongUnaryOperator keptKib) {
    for (long s = fromS; s < toS; s += 5) {
      long churn = (s * 7919 % 7) * 1024 * KIB;
      trend.reading(T0 + s * 1_000_000_000L, keptKib.applyAsLong(s) * KIB + churn);
    }
  }

  @Test
  void aLeakOfOneMibPerSecondIsSeenWithinAMinute() {
    DirectBufferTrend trend = new DirectBufferTrend();
    run(trend, 0, 30, s -> 8192 + 1024 * s);
    assertThat(trend.growing()).as("two windows closed").isFalse();
    run(trend, 30, 60, s -> 8192 + 1024 * s);
    assertThat(trend.growing()).isTrue();
    run(trend, 60, 600, s -> 8192 + 1024 * 60);
    assertThat(trend.growing()).as("once seen, the probe stays").isTrue();
  }

  @Test
  void aSlowLeakOfFiftyKibPerSecondIsSeenToo() {
    DirectBufferTrend trend = new DirectBufferTrend();
    for (long s = 0; s < 120; s += 5) {
      trend.reading(T0 + s * 1_000_000_000L, 4096 * KIB + 50 * KIB * s);
    }
    assertThat(trend.growing()).isTrue();
  }

  @Test
  void churnAroundAFlatPoolIsNot() {
    DirectBufferTrend trend = new DirectBufferTrend();
    run(trend, 0, 1800, s -> 64 * 1024);
    assertThat(trend.growing()).isFalse();
  }

  @Test
  void churnTwentyTimesAsWideStillLetsALeakThroughLater() {
    DirectBufferTrend trend = new DirectBufferTrend();
    for (long s = 0; s < 1800; s += 5) {
      long churn = (s * 7919 % 13) * 2 * 1024 * KIB; // 0–24 MiB
      trend.reading(T0 + s * 1_000_000_000L, 64 * 1024 * KIB + churn);
    }
    assertThat(trend.growing()).as("flat under wide churn").isFalse();
    for (long s = 1800; s < 1900; s += 5) {
      long churn = (s * 7919 % 13) * 2 * 1024 * KIB;
      trend.reading(T0 + s * 1_000_000_000L, 64 * 1024 * KIB + 4 * 1024 * KIB * (s - 1800)
          + churn);
    }
    assertThat(trend.growing()).as("4 MiB/s under it").isTrue();
  }

  @Test
  void aPoolThatGrewOnceAndStaysIsNot() {
    DirectBufferTrend trend = new DirectBufferTrend();
    // a pool of buffers filled within the first 20 s, then flat
    run(trend, 0, 600, s -> Math.min(s, 20) * 2048);
    assertThat(trend.growing()).isFalse();
  }
}
