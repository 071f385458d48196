package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.pipeline.replay.TraceFilter.Span;
import org.junit.jupiter.api.Test;

/** Which replayed scenarios {@code eval --replay} scores. */
class EvalCommandTest {
  private static final long S = 1_000_000_000L;
  private static final long TRACE_START_NS = 1_796_449_900L * S;

  private static Span span(long startBeforeTraceS, long firstS, long lastS) {
    return new Span((TRACE_START_NS - startBeforeTraceS * S) / 1_000_000L,
        TRACE_START_NS + firstS * S, TRACE_START_NS + lastS * S, 100);
  }

  @Test
  void onlyTheTailOfAProcessOfTheBatchBeforeIsLeftOut() {
    // the previous batch's leak, stopping in the trace's first seconds
    assertThat(EvalCommand.onlyItsTail(span(420, 0, 5), TRACE_START_NS)).isTrue();
    // a fast OOM of this batch: short-lived, but started in the trace
    assertThat(EvalCommand.onlyItsTail(span(-20, 0, 50), TRACE_START_NS)).isFalse();
    // a process that started before a long recording and runs through it
    assertThat(EvalCommand.onlyItsTail(span(600, 0, 6 * 3600), TRACE_START_NS)).isFalse();
    // no wall-clock event at all (a stopping JVM's last JFR events): not sampled by the node
    // collector in the whole trace, so gone when it began — left out if it started before
    assertThat(EvalCommand.onlyItsTail(new Span((TRACE_START_NS - 420 * S) / 1_000_000L,
        Long.MAX_VALUE, Long.MIN_VALUE, 8), TRACE_START_NS)).isTrue();
    // ... and scored if it started in the trace (its wall-clock events filtered out elsewhere)
    assertThat(EvalCommand.onlyItsTail(new Span((TRACE_START_NS + 5 * S) / 1_000_000L,
        Long.MAX_VALUE, Long.MIN_VALUE, 8), TRACE_START_NS)).isFalse();
    // a trace without any wall-clock event: no start to judge by, every process scored
    assertThat(EvalCommand.onlyItsTail(new Span((TRACE_START_NS - 420 * S) / 1_000_000L,
        Long.MAX_VALUE, Long.MIN_VALUE, 8), Long.MAX_VALUE)).isFalse();
  }

  @Test
  void pipelineOptionsAreTakenForAReplayAndRefusedForALiveRun() {
    EvalCommand eval = new EvalCommand();
    new picocli.CommandLine(eval).parseArgs("-D", "memfleet.detect.from-start.window=0s");
    assertThat(eval.properties).containsEntry("memfleet.detect.from-start.window", "0s");
    org.assertj.core.api.Assertions.assertThatThrownBy(eval::call)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--replay only");
  }
}
