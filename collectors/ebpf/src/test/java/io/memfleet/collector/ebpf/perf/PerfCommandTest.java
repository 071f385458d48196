package io.memfleet.collector.ebpf.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerfCommandTest {
  @Test
  void aCommandThatHangsIsKilledAtItsDeadlineEvenWhileItsOutputIsOpen() throws Exception {
    long start = System.nanoTime();
    // the shell keeps its output open while it sleeps: a reader of a pipe would wait 60 s
    assertThatThrownBy(() -> PerfCommand.run(List.of("sh", "-c", "echo started; sleep 60"),
        Duration.ofSeconds(1)))
        .isInstanceOf(IOException.class).hasMessageContaining("timed out after 1 s");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void outputAndExitCodeAreReturned() throws Exception {
    PerfCommand.Result r = PerfCommand.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
        Duration.ofSeconds(30));
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.output()).contains("out").contains("err");
    assertThat(r.describeFailure()).startsWith("sh -c").contains("failed (3)");
  }
}
