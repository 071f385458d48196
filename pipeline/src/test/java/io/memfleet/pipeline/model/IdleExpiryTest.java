package io.memfleet.pipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class IdleExpiryTest {
  private static final long MIN = 60_000L;

  /** Counts its key's elements; "end" forgets the key at once; reports the count it forgets. */
  static final class Counting extends KeyedProcessFunction<String, String, Long> {
    private final IdleExpiry idle = new IdleExpiry(Duration.ofMinutes(10));
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext openContext) {
      idle.open(getRuntimeContext());
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
    }

    @Override
    public void processElement(String e, Context ctx, Collector<Long> out) throws Exception {
      if (e.endsWith("end")) {
        idle.clear(ctx.timerService());
        count.clear();
        return;
      }
      idle.touch(ctx.timerService());
      count.update(count.value() == null ? 1 : count.value() + 1);
    }

    @Override
    public void onTimer(long at, OnTimerContext ctx, Collector<Long> out) throws Exception {
      if (idle.expired(at, ctx.timerService())) {
        out.collect(count.value());
        count.clear();
      }
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, String, Long> harness()
      throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedProcessFunction(new Counting(),
        e -> e.substring(0, 1), Types.STRING);
  }

  @Test
  void aKeyIsForgottenATimeoutAfterItsLastActivityWithOneTimerAtATime() throws Exception {
    try (var h = harness()) {
      h.setProcessingTime(0);
      h.processElement("a1", 0);
      h.setProcessingTime(4 * MIN);
      h.processElement("a2", 0);
      h.setProcessingTime(7 * MIN);
      h.processElement("a3", 0);
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
      // the first timer (10 min) finds it active at 7 min: moved to 17 min, nothing forgotten
      h.setProcessingTime(10 * MIN);
      assertThat(h.extractOutputValues()).isEmpty();
      assertThat(h.numProcessingTimeTimers()).isEqualTo(1);
      h.setProcessingTime(17 * MIN - 1);
      assertThat(h.extractOutputValues()).isEmpty();
      h.setProcessingTime(17 * MIN);
      assertThat(h.extractOutputValues()).containsExactly(3L);
      assertThat(h.numKeyedStateEntries()).isZero();
      assertThat(h.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void activityWithinASecondOfTheLastRecordedIsNotRecordedAgain() throws Exception {
    try (var h = harness()) {
      h.setProcessingTime(0);
      h.processElement("a1", 0);
      h.setProcessingTime(7 * MIN);
      h.processElement("a2", 0);
      h.setProcessingTime(7 * MIN + 999);
      h.processElement("a3", 0); // not recorded: the key expires 10 min after 7 min, not later
      h.setProcessingTime(17 * MIN);
      assertThat(h.extractOutputValues()).containsExactly(3L);

      h.processElement("b1", 0);
      h.setProcessingTime(17 * MIN + 1_000);
      h.processElement("b2", 0); // a second later: recorded, so 10 min after it
      h.setProcessingTime(27 * MIN + 999);
      assertThat(h.extractOutputValues()).containsExactly(3L);
      h.setProcessingTime(27 * MIN + 1_000);
      assertThat(h.extractOutputValues()).containsExactly(3L, 2L);
    }
  }

  @Test
  void aKeyClearedAtItsEndLeavesNoTimer() throws Exception {
    try (var h = harness()) {
      h.setProcessingTime(0);
      h.processElement("b1", 0);
      h.processElement("b-end", 0);
      assertThat(h.numProcessingTimeTimers()).isZero();
      assertThat(h.numKeyedStateEntries()).isZero();
      h.setProcessingTime(60 * MIN);
      assertThat(h.extractOutputValues()).isEmpty();
    }
  }
}
