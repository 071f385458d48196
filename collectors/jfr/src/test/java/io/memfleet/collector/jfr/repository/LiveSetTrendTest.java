package io.memfleet.collector.jfr.repository;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LiveSetTrendTest {
  private static final long MIB = 1024 * 1024;
  private static final long MAX = 2048 * MIB;
  private static final long T0 = 1_764_000_000_000_000_000L;

  /** One young collection a second for {@code seconds}, heap after = live(t) + garbage. */
  private static void run(LiveSetTrend trend, long fromS, long seconds,
      java.util.function.LongUnaryOperator liveMib) {
    for (long s = fromS; s < fromS + seconds; s++) {
      long garbage = (s * 7919 % 40) * MIB; // young collections leave 0–40 MiB behind
      trend.afterGc(T0 + s * 1_000_000_000L, liveMib.applyAsLong(s) * MIB + garbage, MAX);
    }
  }

  @Test
  void aLeakOfOneMibPerSecondTurnsStacksOnWithinTwoMinutes() {
    LiveSetTrend trend = new LiveSetTrend();
    run(trend, 0, 90, s -> 200 + s);
    assertThat(trend.growing()).as("after 3 windows").isFalse();
    run(trend, 90, 40, s -> 200 + s);
    assertThat(trend.growing()).as("4 windows closed, 3 rises of ~30 MiB").isTrue();
  }

  @Test
  void aSawtoothOrAFlatCacheNeverDoes() {
    LiveSetTrend trend = new LiveSetTrend();
    run(trend, 0, 600, s -> 500);
    assertThat(trend.growing()).isFalse();
  }

  @Test
  void aWarmUpTurnsThemOnAndTheFlatAfterItOffAgain() {
    LiveSetTrend trend = new LiveSetTrend();
    run(trend, 0, 150, s -> 100 + 2 * s);
    assertThat(trend.growing()).isTrue();
    run(trend, 150, 100, s -> 400);
    assertThat(trend.growing()).as("flat for 100 s").isTrue();
    run(trend, 250, 60, s -> 400);
    assertThat(trend.growing()).as("4 flat windows").isFalse();
  }

  @Test
  void aRiseBelowOnePercentOfTheHeapIsNoise() {
    LiveSetTrend trend = new LiveSetTrend();
    // 0.05 MiB/s: 1.5 MiB a window, 6 MiB over four: below 1 % of 2 GiB (20 MiB)
    for (long s = 0; s < 600; s++) {
      trend.afterGc(T0 + s * 1_000_000_000L, 300 * MIB + s * MIB / 20, MAX);
    }
    assertThat(trend.growing()).isFalse();
  }

  @Test
  void aHeapFillingWithinAMinuteTurnsThemOnInUnderFortySeconds() {
    LiveSetTrend trend = new LiveSetTrend();
    long max = 128 * MIB;
    boolean on = false;
    long s = 0;
    // 2 MiB/s into a 128 MiB heap, a collection every 0.5 s leaving up to 3 MiB of garbage
    for (; s < 60_000 && !on; s += 500) {
      long used = 10 * MIB + s * 2 * MIB / 1000 + (s * 7919 % 3) * MIB;
      trend.afterGc(T0 + s * 1_000_000L, used, max);
      on = trend.growing();
    }
    assertThat(on).isTrue();
    assertThat(s).isLessThanOrEqualTo(41_000);
  }

  /** A collection every {@code everyS} seconds for {@code seconds}, heap after = live(t). */
  private static void sparse(LiveSetTrend trend, long everyS, long seconds, long max,
      java.util.function.LongUnaryOperator liveMib) {
    for (long s = 0; s < seconds; s += everyS) {
      trend.afterGc(T0 + s * 1_000_000_000L, liveMib.applyAsLong(s) * MIB, max);
    }
  }

  @Test
  void aLeakInAJvmThatCollectsEveryMinuteOrTwoTurnsThemOn() {
    // a 6 GiB heap collected every 70 s, 1.2 MiB/s kept: 84 MiB between collections
    LiveSetTrend trend = new LiveSetTrend();
    sparse(trend, 70, 4 * 70 + 1, 6144 * MIB, s -> 100 + s * 12 / 10);
    assertThat(trend.growing()).as("three rises of 84 MiB over four collections").isTrue();
  }

  @Test
  void aFlatHeapCollectedRarelyStaysOff() {
    LiveSetTrend trend = new LiveSetTrend();
    sparse(trend, 95, 3600, 6144 * MIB, s -> 300 + (s * 7919 % 5));
    assertThat(trend.growing()).isFalse();
  }
}
