package io.memfleet.pipeline.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ClockModelTest {
  private static final long BOOT_MONO = 5_000_000_000_000L; // 5000 s after boot
  private static final long OFFSET = 1_700_000_000_000_000_000L; // realtime - monotonic
  private static final long SECOND = 1_000_000_000L;

  private final Random random = new Random(42);

  /** Truth: utc = OFFSET + mono * (1 + driftPpm). */
  private static long truth(long mono, double driftPpm) {
    return OFFSET + mono + Math.round(mono * driftPpm * 1e-6);
  }

  /** A sample whose midpoint is off by up to ±u/2, as a real read bracket can be. */
  private ClockModel.Update addSample(ClockModel m, String boot, long mono, double driftPpm,
      long uncertainty) {
    long error = uncertainty == 0 ? 0 : (long) ((random.nextDouble() - 0.5) * uncertainty);
    return m.add(boot, mono, 1.0, truth(mono, driftPpm) + error, uncertainty);
  }

  @Test
  void noSampleMeansNoConversion() {
    ClockModel m = new ClockModel(ClockModelSettings.defaults());
    assertThat(m.calibrated()).isFalse();
    assertThat(m.toUtc(BOOT_MONO)).isNull();
  }

  @Test
  void constantOffsetIsRecoveredWithinTheBracket() {
    ClockModel m = new ClockModel(ClockModelSettings.defaults());
    assertThat(addSample(m, "b", BOOT_MONO, 0, 4_000)).isEqualTo(ClockModel.Update.FIRST);
    for (int i = 1; i < 10; i++) {
      assertThat(addSample(m, "b", BOOT_MONO + i * SECOND, 0, 4_000))
          .isEqualTo(ClockModel.Update.ADDED);
    }
    long event = BOOT_MONO + 4 * SECOND + 123_456;
    ClockModel.Conversion c = m.toUtc(event);
    assertThat(Math.abs(c.utcNs() - truth(event, 0))).isLessThanOrEqualTo(c.errorBoundNs());
    assertThat(c.errorBoundNs()).isLessThan(20_000);
  }

  @Test
  void driftIsFittedAndExtrapolationStaysWithinTheBound() {
    double drift = 50.0; // ppm: 50 µs per second
    ClockModel m = new ClockModel(ClockModelSettings.defaults());
    for (int i = 0; i < 30; i++) {
      addSample(m, "b", BOOT_MONO + i * SECOND, drift, 2_000);
    }
    assertThat(m.currentFit().driftPpm(1.0)).isCloseTo(drift, within(1.0));
    for (long at : new long[] {BOOT_MONO + 15 * SECOND, BOOT_MONO + 40 * SECOND}) {
      ClockModel.Conversion c = m.toUtc(at);
      assertThat(Math.abs(c.utcNs() - truth(at, drift)))
          .as("conversion at %d", at).isLessThanOrEqualTo(c.errorBoundNs());
    }
    // inside the fitted range the bound is microseconds, 50 µs/s of drift notwithstanding
    assertThat(m.toUtc(BOOT_MONO + 15 * SECOND).errorBoundNs()).isLessThan(10_000);
  }

  @Test
  void withoutEnoughSpanTheDriftIsAssumedAndTheBoundGrowsWithDistance() {
    ClockModel m = new ClockModel(ClockModelSettings.defaults());
    addSample(m, "b", BOOT_MONO, 80, 1_000);
    ClockModel.Conversion near = m.toUtc(BOOT_MONO + 1_000_000);
    ClockModel.Conversion far = m.toUtc(BOOT_MONO + 60 * SECOND);
    assertThat(far.errorBoundNs()).isGreaterThan(near.errorBoundNs() + 5_000_000); // 100 ppm·60 s
    assertThat(Math.abs(far.utcNs() - truth(BOOT_MONO + 60 * SECOND, 80)))
        .isLessThanOrEqualTo(far.errorBoundNs());
  }

  @Test
  void theTightestSamplesWinOverWideOnes() {
    ClockModel m = new ClockModel(ClockModelSettings.builder().fitSamples(4).build());
    for (int i = 0; i < 40; i++) {
      long mono = BOOT_MONO + i * SECOND;
      if (i % 10 == 3) {
        m.add("b", mono, 1.0, truth(mono, 0), 1_000); // tight and exact
      } else {
        m.add("b", mono, 1.0, truth(mono, 0) + 400_000, 1_000_000); // preempted: 0.4 ms late
      }
    }
    long event = BOOT_MONO + 20 * SECOND;
    ClockModel.Conversion c = m.toUtc(event);
    assertThat(Math.abs(c.utcNs() - truth(event, 0))).isLessThan(5_000);
    assertThat(m.steps()).isZero();
  }

  @Test
  void aStepStartsANewSegmentAndKeepsTheOldFitForEarlierReadings() {
    ClockModel m = new ClockModel(ClockModelSettings.defaults());
    for (int i = 0; i < 10; i++) {
      addSample(m, "b", BOOT_MONO + i * SECOND, 0, 2_000);
    }
    long step = 2 * SECOND; // settimeofday jumped 2 s forward
    long stepAt = BOOT_MONO + 10 * SECOND;
    assertThat(m.add("b", stepAt, 1.0, truth(stepAt, 0) + step, 2_000))
        .isEqualTo(ClockModel.Update.STEP);
    for (int i = 11; i < 15; i++) {
      long mono = BOOT_MONO + i * SECOND;
      assertThat(m.add("b", mono, 1.0, truth(mono, 0) + step, 2_000))
          .isEqualTo(ClockModel.Update.ADDED);
    }
    assertThat(m.steps()).isEqualTo(1);
    long after = BOOT_MONO + 12 * SECOND + 5;
    assertThat(Math.abs(m.toUtc(after).utcNs() - (truth(after, 0) + step)))
        .isLessThanOrEqualTo(m.toUtc(after).errorBoundNs());
    long before = BOOT_MONO + 5 * SECOND;
    assertThat(Math.abs(m.toUtc(before).utcNs() - truth(before, 0)))
        .isLessThanOrEqualTo(m.toUtc(before).errorBoundNs());
    // between the last sample before the step and the first after it, either side may apply
    long ambiguous = BOOT_MONO + 9 * SECOND + SECOND / 2;
    assertThat(m.toUtc(ambiguous).errorBoundNs()).isGreaterThanOrEqualTo(step);
  }

  @Test
  void aWideBracketFarOffIsNoiseNotAStep() {
    ClockModel m = new ClockModel(ClockModelSettings.defaults());
    for (int i = 0; i < 10; i++) {
      addSample(m, "b", BOOT_MONO + i * SECOND, 0, 2_000);
    }
    long mono = BOOT_MONO + 10 * SECOND;
    assertThat(m.add("b", mono, 1.0, truth(mono, 0) + 20_000_000, 50_000_000))
        .isEqualTo(ClockModel.Update.ADDED);
    assertThat(m.steps()).isZero();
    assertThat(Math.abs(m.toUtc(mono).utcNs() - truth(mono, 0))).isLessThan(10_000);
  }

  @Test
  void aNewBootIdResetsTheModel() {
    ClockModel m = new ClockModel(ClockModelSettings.defaults());
    for (int i = 0; i < 10; i++) {
      addSample(m, "boot-1", BOOT_MONO + i * SECOND, 0, 2_000);
    }
    // after the reboot monotonic restarts near zero and realtime goes on
    long newOffset = OFFSET + BOOT_MONO + 20 * SECOND;
    assertThat(m.add("boot-2", 3 * SECOND, 1.0, newOffset + 3 * SECOND, 2_000))
        .isEqualTo(ClockModel.Update.REBOOT);
    assertThat(m.reboots()).isEqualTo(1);
    assertThat(m.state().x).hasSize(1);
    ClockModel.Conversion c = m.toUtc(4 * SECOND);
    assertThat(Math.abs(c.utcNs() - (newOffset + 4 * SECOND)))
        .isLessThanOrEqualTo(c.errorBoundNs());
  }

  @Test
  void tickDomainsConvertThroughTheirFrequency() {
    long hz = 2_400_000_000L; // a 2.4 GHz TSC
    double nsPerTick = 1e9 / hz;
    long tick0 = 12_000_000_000_000L;
    long utc0 = OFFSET + BOOT_MONO;
    ClockModel m = new ClockModel(ClockModelSettings.defaults());
    for (int i = 0; i < 10; i++) {
      long ticks = tick0 + (long) (i * hz);
      m.add("b", ticks, nsPerTick, utc0 + i * SECOND, 3_000);
    }
    long eventTicks = tick0 + (long) (4.5 * hz);
    ClockModel.Conversion c = m.toUtc(eventTicks);
    assertThat(Math.abs(c.utcNs() - (utc0 + 4 * SECOND + SECOND / 2)))
        .isLessThanOrEqualTo(c.errorBoundNs());
    assertThat(c.errorBoundNs()).isLessThan(10_000);
  }

  @Test
  void theWindowIsBounded() {
    ClockModel m = new ClockModel(ClockModelSettings.builder().windowSamples(16).build());
    for (int i = 0; i < 100; i++) {
      addSample(m, "b", BOOT_MONO + i * SECOND, 0, 2_000);
    }
    assertThat(m.state().x).hasSize(16);
    assertThat(m.state().x[15]).isEqualTo(BOOT_MONO + 99 * SECOND);
  }
}
