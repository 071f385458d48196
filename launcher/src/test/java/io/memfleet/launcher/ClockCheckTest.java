package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memfleet.pipeline.time.ClockModelSettings;
import org.junit.jupiter.api.Test;

/**
 * A synthetic host: CLOCK_MONOTONIC is UTC less the boot time, perf's clock runs 330 ppb slow
 * and 9.7 ms behind it (as measured on the machine this was written on), and perf samples each
 * fault 20 µs after bpftrace's tracepoint.
 */
class ClockCheckTest {
  private static final long BOOT_UTC = 1_764_000_000_000_000_000L;
  private static final long PERF_BEHIND = 9_700_000;
  private static final double PERF_RATE = 1 - 330e-9;
  private static final long PROBE_DELAY = 20_000;

  private static long perfClock(long monotonic) {
    return Math.round(monotonic * PERF_RATE) - PERF_BEHIND;
  }

  private static ClockCheck host(boolean perfInMonotonic) {
    ClockCheck check = new ClockCheck(ClockModelSettings.defaults(), "boot", perfInMonotonic);
    long start = 5_000_000_000_000L;
    for (int i = 0; i <= 7; i++) {
      long ktime = start + i * 10_000_000_000L;
      long mono = ktime + 1_500_000;
      check.calibration(new ClockCheck.Calibration(ktime, perfClock(ktime), BOOT_UTC + ktime, 600,
          mono, BOOT_UTC + mono, 80));
    }
    int tid = 42;
    for (long t = start + 2_000_000; t < start + 70_000_000_000L; t += 5_000_000) {
      long address = 0x7f0000000000L + (t - start) / 5_000_000 * 4096;
      check.monotonicMark(tid, address, t);
      long perfAt = t + PROBE_DELAY;
      check.perfMark(tid, address, perfInMonotonic ? perfAt : perfClock(perfAt));
    }
    return check;
  }

  @Test
  void perfsClockThroughItsModelLandsOnTheProbesDelay() {
    ClockCheck.Result r = host(false).result();
    assertThat(r.matched()).isEqualTo(14_000);
    assertThat((double) r.medianNs()).isCloseTo(PROBE_DELAY, within(200.0));
    assertThat(r.deviationFrom(PROBE_DELAY).p50()).isLessThan(500);
    // until two samples span 2 s the model runs perf's clock at its nominal rate: 330 ppb of the
    // first 10-s interval, 3.3 µs at its end, is the largest error
    assertThat(r.deviationFrom(PROBE_DELAY).max()).isBetween(2_000L, 3_500L);
    // read raw, the two clocks are milliseconds apart
    assertThat(r.uncalibrated().p50()).isGreaterThan(5_000_000);
    assertThat(r.perfDriftPpb()).isCloseTo(330, within(20.0));
    assertThat(r.monotonicDriftPpb()).isCloseTo(0, within(20.0));
  }

  @Test
  void bothInMonotonicMeasuresTheDelayAlone() {
    ClockCheck.Result r = host(true).result();
    assertThat(r.medianNs()).isEqualTo(PROBE_DELAY);
    assertThat(r.deviationFrom(PROBE_DELAY).max()).isLessThanOrEqualTo(1);
  }

  @Test
  void unmatchedAndAmbiguousMarksAreLeftOut() {
    ClockCheck check = new ClockCheck(ClockModelSettings.defaults(), "boot", true);
    check.calibration(new ClockCheck.Calibration(0, 0, BOOT_UTC, 100, 0, BOOT_UTC, 100));
    check.monotonicMark(1, 0x1000, 10);
    check.perfMark(1, 0x1000, 30);
    check.monotonicMark(1, 0x2000, 10);
    check.monotonicMark(1, 0x2000, 50); // the same page faulted twice: which one perf saw is unknown
    check.perfMark(1, 0x2000, 70);
    check.perfMark(2, 0x3000, 70); // bpftrace never saw it
    ClockCheck.Result r = check.result();
    assertThat(r.matched()).isEqualTo(1);
    assertThat(r.perfOnly()).isEqualTo(1);
    assertThat(r.differenceNs()).containsExactly(20L);
  }
}
