package io.memfleet.collector.ebpf.bpftrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.ebpf.Golden;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner's line handling: good events reach the listener, bad lines are counted. */
class BpftraceRunnerLinesTest {
  private final List<ProbeEvent> events = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final BpftraceRunner runner = BpftraceRunner.builder()
      .bpftrace(Path.of("/nonexistent/bpftrace"))
      .scriptText("test", "BEGIN { }")
      .listener(new ProbeListener() {
        @Override
        public void onEvent(ProbeEvent event) {
          events.add(event);
        }

        @Override
        public void onProblem(String problem) {
          problems.add(problem);
        }
      })
      .build();

  @Test
  void capturedOutputParsesWithoutProblems() {
    Golden.lines("bpftrace-malloc-control.jsonl").forEach(runner::handleLine);
    Golden.lines("bpftrace-stderr.txt").forEach(runner::handleStderr);
    BpftraceRunnerStats s = runner.stats();
    assertThat(s.attaches()).isEqualTo(1);
    assertThat(s.events()).isEqualTo(events.size()).isGreaterThan(30);
    assertThat(s.malformedLines()).isZero();
    assertThat(s.unknownLines()).isZero();
    assertThat(s.errorLines()).isZero();
    assertThat(s.warningLines()).isEqualTo(1);
    assertThat(problems).isEmpty();
  }

  @Test
  void badLinesAreCountedAndReported() {
    runner.handleLine("{\"type\": \"map\", \"data\": {\"@x\": {\"1\": 2}}}");
    runner.handleLine("garbage");
    runner.handleLine("{\"type\": \"printf\", \"data\": \"alloc nots\\n\"}");
    runner.handleLine("{\"type\": \"printf\", \"data\": 5}");
    runner.handleLine("{\"type\": \"lost_events\", \"data\": {\"events\": 12}}");
    runner.handleStderr("ERROR: Could not resolve symbol: /lib/libc.so.6:malloc");
    BpftraceRunnerStats s = runner.stats();
    assertThat(s.unknownLines()).isEqualTo(1);
    assertThat(s.malformedLines()).isEqualTo(3);
    assertThat(s.lostEvents()).isEqualTo(12);
    assertThat(s.errorLines()).isEqualTo(1);
    assertThat(s.events()).isZero();
    assertThat(problems).hasSize(6);
    assertThat(s.lastProblem()).contains("Could not resolve symbol");
  }

  @Test
  void lostStacksAreCountedNotReportedAsErrors() {
    Golden.lines("bpftrace-faults-hostwide.jsonl").forEach(runner::handleLine);
    runner.handleStderr("ERROR: failed to look up stack id -17 (pid -1): -2");
    runner.handleStderr("ERROR: failed to look up stack id -17 (pid -1): -2");
    BpftraceRunnerStats s = runner.stats();
    assertThat(s.lostStacks()).isEqualTo(2);
    assertThat(s.errorLines()).isZero();
    assertThat(s.recycles()).as("not running: nothing to restart").isZero();
    assertThat(problems).isEmpty();
    assertThat(events).extracting(ProbeEvent::name).contains("fault", "faultstats");
  }

  @Test
  void listenerFailureIsCountedNotFatal() {
    BpftraceRunner failing = BpftraceRunner.builder().bpftrace(Path.of("/x"))
        .scriptText("t", "BEGIN {}").listener(e -> {
          throw new IllegalStateException("boom");
        }).build();
    failing.handleLine("{\"type\": \"printf\", \"data\": \"free ts=1 pid=2 addr=3\\n\"}");
    assertThat(failing.stats().listenerFailures()).isEqualTo(1);
    assertThat(failing.stats().events()).isEqualTo(1);
  }
}
