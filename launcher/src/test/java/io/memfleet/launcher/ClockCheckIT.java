package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.ebpf.perf.PerfClockSampler;
import io.memfleet.localstack.testing.Capabilities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code memfleet clock-check} on the real kernel: page faults of one thread stamped by perf in
 * its own TSC-based clock and by bpftrace in CLOCK_MONOTONIC land on one UTC timeline through
 * their fitted models, within the probes' own delay (measured by the same faults with perf in
 * CLOCK_MONOTONIC).
 */
class ClockCheckIT {

  @Test
  void perfsClockAndMonotonicAgreeOnTheSameFaults() throws Exception {
    Capabilities.require("root".equals(System.getProperty("user.name"))
        && Files.isExecutable(Path.of("/usr/bin/bpftrace"))
        && Files.isExecutable(Path.of("/usr/bin/perf")),
        "root, bpftrace and perf (apt-get install bpftrace linux-perf)");
    ClockCheckCommand check = new ClockCheckCommand();
    check.duration = Duration.ofSeconds(10);
    check.interval = Duration.ofSeconds(5);
    check.rate = 200;
    assertThat(check.call()).as("exit code; perf clock: %s",
        PerfClockSampler.unavailableReason()).isZero();
    ClockCheck.Result sameClock = check.sameClockResult;
    ClockCheck.Result tsc = check.calibratedResult;
    // 10 s per mode at 200 faults/s, less perf's start-up per 5-s round
    assertThat(sameClock.matched()).isGreaterThan(1000);
    assertThat(tsc.matched()).isGreaterThan(1000);
    assertThat(tsc.calibrations()).isGreaterThanOrEqualTo(3);
    // the calibrated clock lands where the same clock does, to within the probes' wander; a
    // pairing with the wrong kernel clock (sched_clk) would be ~20 ms off on this machine
    assertThat(Math.abs(tsc.medianNs() - sameClock.medianNs()))
        .as("median shift, ns").isLessThan(30_000);
    assertThat(tsc.deviationFrom(sameClock.medianNs()).p50()).as("p50, ns").isLessThan(30_000);
  }
}
