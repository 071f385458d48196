package io.memfleet.pipeline.detect.rules;

import static io.memfleet.pipeline.detect.Observations.MB;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Observations;
import io.memfleet.pipeline.detect.Rules;
import io.memfleet.pipeline.detect.Signal;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/**
 * Keyed state of the rule operators as the job runs them ({@link RuleHarness}:
 * {@link RunRuleFunction} for run rules, {@link TrailingRuleFunction} for trailing ones) while
 * 10 000 processes come and go: what is left once they are gone. Both drop a series after the
 * idle timeout (processing time, 10 minutes here).
 */
class RuleStateBoundTest {
  private static final int PROCESSES = 10_000;
  private static final long IDLE_MS = 10 * 60_000L;

  private static LeakRule rule(String name) {
    return Rules.all(new Configuration()).stream().filter(r -> r.name().equals(name))
        .findFirst().orElseThrow();
  }

  /**
   * Each process reports for one minute of event time (a rising value, so partial runs open),
   * then never again; a new process starts every 2 s of event time and every second of
   * processing time, and the watermark follows the newest. Returns the state entries seen at
   * the end, while the last processes are still young.
   */
  private static int comeAndGo(RuleHarness rh, Signal signal) throws Exception {
    var h = rh.h;
    for (int p = 0; p < PROCESSES; p++) {
      h.setProcessingTime(p * 1_000L);
      for (int t = 0; t <= 60; t += 10) {
        Observation o = Observations.of(signal, "node-" + p % 50, 10_000 + p, p * 2.0 + t,
            100 * MB + t * MB / 10, 512 * MB);
        h.processElement(new StreamRecord<>(o, o.utcNs / 1_000_000L));
      }
      h.processWatermark(new Watermark(
          (Observations.T0_NS + (long) (p * 2.0 * Observations.S)) / 1_000_000L));
    }
    return h.numKeyedStateEntries();
  }

  private static void assertNothingLeftAfter(RuleHarness rh) throws Exception {
    var h = rh.h;
    // the idle timeout after the last process and event time past every pattern's window
    h.setProcessingTime(PROCESSES * 1_000L + IDLE_MS + 1);
    h.processWatermark(new Watermark(Long.MAX_VALUE - 1));
    assertThat(h.numKeyedStateEntries()).as("keyed state entries").isZero();
    assertThat(h.numEventTimeTimers()).as("event-time timers").isZero();
    assertThat(h.numProcessingTimeTimers()).as("processing-time timers").isZero();
  }

  @Test
  void runRuleStateOfTenThousandProcessesThatCameAndWentReturnsToZero() throws Exception {
    LeakRule rule = rule(GoHeapGrowthRule.NAME);
    assertThat(rule).isNotInstanceOf(TrailingRule.class);
    try (RuleHarness h = new RuleHarness(rule)) {
      int atEnd = comeAndGo(h, Signal.GO_LIVE_HEAP);
      // only the processes seen within the idle timeout hold state
      assertThat(atEnd).isPositive().isLessThan(PROCESSES);
      assertNothingLeftAfter(h);
    }
  }

  @Test
  void trailingRuleStateOfTenThousandProcessesThatCameAndWentReturnsToZero() throws Exception {
    LeakRule rule = rule(LiveSetGrowthRule.NAME);
    assertThat(rule).isInstanceOf(TrailingRule.class);
    try (RuleHarness h = new RuleHarness(rule)) {
      int atEnd = comeAndGo(h, Signal.LIVE_SET);
      // the processes of the last idle timeout (600 of them) still hold their history
      assertThat(atEnd).isPositive().isLessThan(PROCESSES);
      assertNothingLeftAfter(h);
    }
  }
}
