package io.memfleet.pipeline.time;

import static io.memfleet.pipeline.Fixtures.heap;
import static io.memfleet.pipeline.Fixtures.monotonicSample;
import static io.memfleet.pipeline.Fixtures.process;
import static io.memfleet.pipeline.Fixtures.rss;
import static io.memfleet.pipeline.Fixtures.timed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.pipeline.Fixtures;
import io.memfleet.pipeline.model.TimeBasis;
import io.memfleet.pipeline.model.TimedEvent;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClockAlignFunctionTest {
  private static final long OFFSET = 1_700_000_000_000_000_000L; // realtime - monotonic
  private static final long MONO = 9_000_000_000_000L;
  private static final long PUBLISH_MS = 1_700_000_009_500L;
  private static final long HOLD_TIMEOUT_MS = 30_000;
  private static final long IDLE_MS = 600_000;

  private final ProcessIdentity jvm = process(100, true);
  private KeyedTwoInputStreamOperatorTestHarness<String, TimedEvent, ClockSample, TimedEvent> h;

  @BeforeEach
  void open() throws Exception {
    h = harness(3);
    h.setProcessingTime(1_000);
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private static KeyedTwoInputStreamOperatorTestHarness<String, TimedEvent, ClockSample,
      TimedEvent> harness(int holdMax) throws Exception {
    ClockAlignSettings settings = ClockAlignSettings.builder().holdMaxEvents(holdMax)
        .holdTimeoutMs(HOLD_TIMEOUT_MS).hostIdleTimeoutMs(IDLE_MS).build();
    var harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
        new ClockAlignFunction(settings), TimedEvent::hostKey, ClockSample::hostKey, Types.STRING);
    harness.open();
    return harness;
  }

  private TimedEvent monotonicRss(ProcessIdentity p, long mono, long seq) {
    return timed(rss(p, Source.EBPF, ClockDomain.MONOTONIC, mono, seq, 1_000), PUBLISH_MS);
  }

  private List<TimedEvent> output() {
    List<TimedEvent> out = h.extractOutputValues();
    h.getOutput().clear();
    return out;
  }

  /** The calibration rows emitted since the last call. */
  private List<ClockCalibration> calibrations() {
    var records = h.getSideOutput(ClockAlignFunction.CALIBRATIONS);
    if (records == null) {
      return List.of();
    }
    List<ClockCalibration> out = records.stream().map(StreamRecord::getValue).toList();
    records.clear();
    return out;
  }

  /** A MONOTONIC sample {@code secondsIn} after MONO on a clock {@code ppm} fast, exact. */
  private ClockSample driftingSample(long secondsIn, double ppm, long stepNs) {
    long mono = MONO + secondsIn * 1_000_000_000L;
    long realtime = OFFSET + MONO + Math.round(secondsIn * 1e9 * (1 + ppm * 1e-6)) + stepNs;
    return monotonicSample(jvm, mono, realtime, 2_000);
  }

  @Test
  void realtimeAndGoRelativeEventsPassAtOnce() throws Exception {
    long realtime = OFFSET + MONO;
    h.processElement1(timed(rss(jvm, Source.PROCFS, ClockDomain.REALTIME, realtime, 1, 5), 0), 0);
    ProcessIdentity go = process(200, false);
    long sinceStart = 12_345_000_000L; // gctrace @12.345s
    h.processElement1(timed(heap(go, ClockDomain.GO_PROCESS_RELATIVE, sinceStart, 2, 1, 2), 0), 0);

    List<TimedEvent> out = output();
    assertThat(out).hasSize(2);
    assertThat(out.get(0).utcNs).isEqualTo(realtime);
    assertThat(out.get(0).errorBoundNs).isZero();
    assertThat(out.get(0).timeBasis).isEqualTo(TimeBasis.REALTIME);
    assertThat(out.get(1).utcNs).isEqualTo(Fixtures.START_MS * 1_000_000L + sinceStart);
    assertThat(out.get(1).errorBoundNs).isEqualTo(10_000_000L);
    assertThat(out.get(1).timeBasis).isEqualTo(TimeBasis.PROCESS_START);
  }

  @Test
  void monotonicEventsWaitForTheFirstSampleAndAreThenConverted() throws Exception {
    h.processElement1(monotonicRss(jvm, MONO + 100, 1), 0);
    h.processElement1(monotonicRss(jvm, MONO + 200, 2), 0);
    assertThat(output()).isEmpty();

    h.processElement2(monotonicSample(jvm, MONO, OFFSET + MONO, 2_000), 0);
    List<TimedEvent> out = output();
    assertThat(out).extracting(e -> e.sequence).containsExactly(1L, 2L);
    for (TimedEvent e : out) {
      assertThat(e.timeBasis).isEqualTo(TimeBasis.CLOCK_MODEL);
      assertThat(Math.abs(e.utcNs - (OFFSET + e.rawTimestamp))).isLessThanOrEqualTo(e.errorBoundNs);
      assertThat(e.errorBoundNs).isLessThan(5_000);
    }
    // calibrated now: the next event passes at once
    h.processElement1(monotonicRss(jvm, MONO + 300, 3), 0);
    assertThat(output()).extracting(e -> e.sequence).containsExactly(3L);
  }

  @Test
  void eventsHeldTooLongLeaveFlaggedWithThePublishTime() throws Exception {
    h.processElement1(monotonicRss(jvm, MONO + 100, 1), 0);
    h.setProcessingTime(1_000 + HOLD_TIMEOUT_MS - 1);
    assertThat(output()).isEmpty();
    h.setProcessingTime(1_000 + HOLD_TIMEOUT_MS);
    List<TimedEvent> out = output();
    assertThat(out).hasSize(1);
    TimedEvent e = out.get(0);
    assertThat(e.timeBasis).isEqualTo(TimeBasis.UNCALIBRATED_HOLD_TIMEOUT);
    assertThat(e.calibrated()).isFalse();
    assertThat(e.utcNs).isEqualTo(PUBLISH_MS * 1_000_000L);
    assertThat(e.errorBoundNs).isEqualTo(TimedEvent.UNBOUNDED_ERROR_NS);
  }

  @Test
  void theHoldIsBoundedAndTheOldestLeaveFlagged() throws Exception {
    for (int i = 1; i <= 5; i++) {
      h.processElement1(monotonicRss(jvm, MONO + i, i), 0);
    }
    List<TimedEvent> overflow = output();
    assertThat(overflow).extracting(e -> e.sequence).containsExactly(1L, 2L);
    assertThat(overflow).allMatch(e -> e.timeBasis == TimeBasis.UNCALIBRATED_HOLD_OVERFLOW);
    h.processElement2(monotonicSample(jvm, MONO, OFFSET + MONO, 2_000), 0);
    assertThat(output()).extracting(e -> e.sequence).containsExactly(3L, 4L, 5L);
  }

  @Test
  void unknownClockDomainIsFlaggedAtOnce() throws Exception {
    h.processElement1(timed(rss(jvm, Source.EBPF, ClockDomain.UNKNOWN, 5, 1, 1), PUBLISH_MS), 0);
    assertThat(output()).singleElement()
        .satisfies(e -> assertThat(e.timeBasis).isEqualTo(TimeBasis.UNCALIBRATED_UNKNOWN_DOMAIN));
  }

  @Test
  void jfrTicksNeedTheJvmsOwnSample() throws Exception {
    long hz = 1_000_000_000L;
    ProcessIdentity other = process(101, true);
    var jfrEvent = timed(heap(other, ClockDomain.JFR_TICKS, 7_000, 1, 1, 2), PUBLISH_MS);
    h.processElement2(ClockSample.of(Fixtures.clockSync(jvm, ClockDomain.JFR_TICKS, 5_000, hz,
        OFFSET + MONO, MONO, 1_000, 1)), 0);
    h.processElement1(jfrEvent, 0);
    assertThat(output()).as("ticks of pid 101 cannot use pid 100's calibration").isEmpty();
    h.processElement2(ClockSample.of(Fixtures.clockSync(other, ClockDomain.JFR_TICKS, 6_000, hz,
        OFFSET + MONO + 10, MONO + 10, 1_000, 2)), 0);
    TimedEvent e = output().get(0);
    assertThat(e.utcNs).isEqualTo(OFFSET + MONO + 10 + 1_000);
  }

  /**
   * perf's clock (the kernel's local_clock, 9.7 ms behind CLOCK_MONOTONIC here) is the host's:
   * the eBPF collector's PERF_CLOCK sample calibrates it for every process's perf samples, and
   * monotonic events do not use it.
   */
  @Test
  void perfClockEventsUseTheHostsPerfClockModel() throws Exception {
    long behind = 9_700_000;
    ProcessIdentity traced = process(300, false);
    var perfEvent = timed(rss(traced, Source.PERF, ClockDomain.PERF_CLOCK, MONO + 5_000 - behind,
        1, 1_000), PUBLISH_MS);
    h.processElement2(monotonicSample(jvm, MONO, OFFSET + MONO, 2_000), 0);
    h.processElement1(perfEvent, 0);
    assertThat(output()).as("a MONOTONIC calibration does not convert perf's clock").isEmpty();
    h.processElement2(ClockSample.of(Fixtures.clockSync(jvm, ClockDomain.PERF_CLOCK,
        MONO + 1_000 - behind, null, OFFSET + MONO + 1_000, MONO + 1_000, 600, 2)), 0);
    TimedEvent e = output().get(0);
    assertThat(e.timeBasis).isEqualTo(TimeBasis.CLOCK_MODEL);
    assertThat(Math.abs(e.utcNs - (OFFSET + MONO + 5_000))).isLessThanOrEqualTo(e.errorBoundNs);
    assertThat(e.errorBoundNs).isLessThan(2_000);
  }

  @Test
  void anotherBootIsAnotherHostAndWaitsForItsOwnSamples() throws Exception {
    h.processElement2(monotonicSample(jvm, MONO, OFFSET + MONO, 2_000), 0);
    ProcessIdentity rebooted = process(100, "boot-bbbb", true);
    h.processElement1(monotonicRss(rebooted, 1_000, 1), 0);
    assertThat(output()).isEmpty();
    h.processElement2(monotonicSample(rebooted, 1_000, OFFSET + MONO + 77 * 1_000_000_000L, 2_000),
        0);
    assertThat(output()).singleElement()
        .satisfies(e -> assertThat(e.utcNs).isEqualTo(OFFSET + MONO + 77 * 1_000_000_000L));
  }

  @Test
  void anIdleHostLeavesNoStateAndNoTimers() throws Exception {
    h.processElement2(monotonicSample(jvm, MONO, OFFSET + MONO, 2_000), 0);
    h.processElement1(monotonicRss(jvm, MONO + 1, 1), 0);
    h.processElement1(monotonicRss(process(100, "boot-cccc", true), 1, 2), 0); // held
    assertThat(calibrations()).as("the model was reported, which is state too").hasSize(1);
    assertThat(h.numKeyedStateEntries()).isGreaterThan(0);
    assertThat(h.numProcessingTimeTimers()).isEqualTo(2);

    h.setProcessingTime(1_000 + IDLE_MS);
    assertThat(output()).anyMatch(e -> e.timeBasis == TimeBasis.UNCALIBRATED_HOLD_TIMEOUT);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numProcessingTimeTimers()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void activityKeepsTheHostAlive() throws Exception {
    h.processElement2(monotonicSample(jvm, MONO, OFFSET + MONO, 2_000), 0);
    h.setProcessingTime(1_000 + IDLE_MS - 10);
    h.processElement1(monotonicRss(jvm, MONO + 1, 1), 0);
    h.setProcessingTime(1_000 + IDLE_MS + 10);
    assertThat(h.numKeyedStateEntries()).isGreaterThan(0);
    h.processElement1(monotonicRss(jvm, MONO + 2, 2), 0);
    assertThat(output()).hasSize(2).allMatch(TimedEvent::calibrated);
    h.setProcessingTime(1_000 + 3 * IDLE_MS);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numProcessingTimeTimers()).isZero();
  }

  @Test
  void theFirstSampleOfEachModelIsReportedAtOnce() throws Exception {
    h.processElement2(monotonicSample(jvm, MONO, OFFSET + MONO, 2_000), 0);
    ClockCalibration c = calibrations().get(0);
    assertThat(c.clockDomain).isEqualTo("MONOTONIC");
    assertThat(List.of(c.cluster, c.node, c.bootId))
        .containsExactly(Fixtures.CLUSTER, Fixtures.NODE, Fixtures.BOOT);
    assertThat(c.utcNs).isEqualTo(OFFSET + MONO);
    assertThat(c.offsetNs).as("realtime - monotonic").isEqualTo(OFFSET);
    assertThat(c.driftPpb).as("one sample: nominal rate assumed").isZero();
    assertThat(c.errorBoundNs).isEqualTo(1_000);   // half the 2 µs bracket
    assertThat(c.samples).isEqualTo(1);

    // a JVM's ticks: its own model, named after the process; MONOTONIC is not due yet
    long hz = 1_000_000_000L;
    h.processElement2(ClockSample.of(Fixtures.clockSync(jvm, ClockDomain.JFR_TICKS, 5_000, hz,
        OFFSET + MONO + 10, MONO + 10, 1_000, 1)), 0);
    assertThat(calibrations()).singleElement().satisfies(t -> {
      assertThat(t.clockDomain).isEqualTo("JFR_TICKS@100/" + Fixtures.START_MS);
      assertThat(t.offsetNs).isEqualTo(OFFSET + MONO + 10 - 5_000);
    });
  }

  @Test
  void aModelIsReportedAtMostOncePerIntervalOfItsOwnTime() throws Exception {
    for (long s = 0; s <= 150; s++) {
      h.processElement2(driftingSample(s, 0, 0), 0);
    }
    assertThat(calibrations()).extracting(c -> (c.utcNs - OFFSET - MONO) / 1_000_000_000L)
        .as("seconds in of each row").containsExactly(0L, 60L, 120L);
  }

  @Test
  void aStepIsReportedAtOnceWithTheNewOffset() throws Exception {
    for (long s = 0; s <= 10; s++) {
      h.processElement2(driftingSample(s, 0, 0), 0);
    }
    assertThat(calibrations()).hasSize(1);
    long step = 2_000_000_000L;   // settimeofday, two seconds ahead
    h.processElement2(driftingSample(11, 0, step), 0);
    assertThat(calibrations()).singleElement().satisfies(c -> {
      assertThat(c.offsetNs).isEqualTo(OFFSET + step);
      assertThat(c.samples).as("a new segment").isEqualTo(1);
    });
    h.processElement2(driftingSample(12, 0, step), 0);
    assertThat(calibrations()).as("the step resets the interval").isEmpty();
  }

  @Test
  void aFittedDriftIsReportedInPartsPerBillion() throws Exception {
    for (long s = 0; s <= 60; s++) {
      h.processElement2(driftingSample(s, 50.0, 0), 0);
    }
    List<ClockCalibration> rows = calibrations();
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).driftPpb).isZero();
    ClockCalibration fitted = rows.get(1);
    assertThat(fitted.driftPpb).isCloseTo(50_000.0, within(5.0));
    assertThat(fitted.samples).isEqualTo(ClockModelSettings.defaults().fitSamples());
    // 50 ppm over 60 s moved UTC - monotonic by 3 ms
    assertThat(fitted.offsetNs - OFFSET).isCloseTo(3_000_000L, within(1_000L));
    assertThat(fitted.errorBoundNs).isBetween(1L, 5_000L);
  }
}
