package io.memfleet.collector.ebpf.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the malloc escalation says when {@code perf probe} cannot define probes. A read-only
 * tracefs (the shipped DaemonSet's) is covered on the real kernel by the k8s module's
 * {@code EbpfContainerCommandIT}; a file mode cannot stand in for it here, the tests run as root.
 */
class PerfProbesTest {
  @TempDir Path dir;

  @Test
  void aWritableUprobeEventsFileIsNoReasonAndTheFirstTracefsFoundCounts() throws Exception {
    Path tracing = Files.createDirectories(dir.resolve("tracing"));
    Path debugTracing = Files.createDirectories(dir.resolve("debug/tracing"));
    assertThat(PerfProbes.whyProbesCannotBeDefined(List.of(tracing, debugTracing)))
        .contains("no tracefs with uprobe_events");
    Files.createFile(debugTracing.resolve("uprobe_events"));
    assertThat(PerfProbes.whyProbesCannotBeDefined(List.of(tracing, debugTracing))).isNull();
  }
}
