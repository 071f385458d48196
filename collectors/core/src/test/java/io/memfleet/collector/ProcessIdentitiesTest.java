package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Identity from golden procfs files (see resources/procfs/README.md) and from the real /proc. */
class ProcessIdentitiesTest {

  private static Path goldenRoot() throws URISyntaxException {
    return Path.of(ProcessIdentitiesTest.class.getResource("/procfs/jvm/stat").toURI())
        .getParent();
  }

  private static ProcessIdentities golden() throws URISyntaxException {
    return ProcessIdentities.builder().cluster("prod-eu").node("node-7")
        .labels(Map.of("team", "payments")).service("checkout").procRoot(goldenRoot()).build();
  }

  @Test
  void capturedJvmProcess() throws Exception {
    ProcessIdentity id = golden().forPid(16975);
    assertThat(id.getPid()).isEqualTo(16975);
    // btime 1795783350 s + starttime 102027 ticks at CLK_TCK 100
    assertThat(id.getProcessStartTimeMs()).isEqualTo(1795783350L * 1000 + 1_020_270);
    assertThat(id.getComm()).isEqualTo("java");
    assertThat(id.getRuntime()).isEqualTo(Runtime.JVM);
    assertThat(id.getBootId()).isEqualTo("65f5c9fe-e12c-4f7c-bcee-27f85cbdace0");
    assertThat(id.getCgroupPath()).isEqualTo("/process_api/163de5d5f661aa09b4fca69c309bff85");
    assertThat(id.getContainer()).isNull();
    assertThat(id.getCluster()).isEqualTo("prod-eu");
    assertThat(id.getNode()).isEqualTo("node-7");
    assertThat(id.getService()).isEqualTo("checkout");
    assertThat(id.getLabels()).containsEntry("team", "payments");
  }

  @Test
  void commWithSpacesAndParenthesesAndAContainer() throws Exception {
    ProcessIdentity id = golden().forPid(4243);
    assertThat(id.getComm()).isEqualTo("my (odd) app");
    assertThat(id.getProcessStartTimeMs()).isEqualTo(1795783350L * 1000 + 1_020_270);
    // no libjvm mapped and no exe to inspect
    assertThat(id.getRuntime()).isEqualTo(Runtime.UNKNOWN);
    assertThat(id.getContainer())
        .isEqualTo("3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a");
    assertThat(id.getLabels()).containsEntry("k8s.pod.uid", "6f2a1c3e-9b7d-4e21-8c55-0d1e2f3a4b5c")
        .containsEntry("container.engine", "containerd");
  }

  @Test
  void statParserTakesCommUpToTheLastParenthesis() throws IOException {
    var stat = ProcessIdentities.ProcStat.parse(
        "77 (a) b) c) R 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5555 0 0");
    assertThat(stat.comm()).isEqualTo("a) b) c");
    assertThat(stat.state()).isEqualTo('R');
    assertThat(stat.ppid()).isEqualTo(1);
    assertThat(stat.startTicks()).isEqualTo(5555);
    assertThatThrownBy(() -> ProcessIdentities.ProcStat.parse("77 no parens"))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> ProcessIdentities.ProcStat.parse("77 (x) R 1 2"))
        .isInstanceOf(IOException.class).hasMessageContaining("short");
  }

  @Test
  void missingProcessIsAnIoException() throws Exception {
    assertThatThrownBy(() -> golden().forPid(999_999)).isInstanceOf(IOException.class);
  }

  @Test
  void selfOnTheRealProcMatchesProcessHandle() throws Exception {
    ProcessIdentity self = ProcessIdentities.builder().build().self();
    assertThat(self.getPid()).isEqualTo((int) ProcessHandle.current().pid());
    Instant jdkStart = ProcessHandle.current().info().startInstant().orElseThrow();
    // both are derived from the same tick counter; CLK_TCK resolution is 10 ms
    assertThat(Math.abs(self.getProcessStartTimeMs() - jdkStart.toEpochMilli()))
        .isLessThanOrEqualTo(20);
    assertThat(self.getRuntime()).isEqualTo(Runtime.JVM);
    assertThat(self.getBootId())
        .isEqualTo(Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip());
    assertThat(self.getComm()).isEqualTo("java");
  }

  @Test
  void realNativeProcessIsNative() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "30").start();
    try {
      ProcessIdentity id = ProcessIdentities.builder().build().forPid((int) sleep.pid());
      assertThat(id.getRuntime()).isEqualTo(Runtime.NATIVE);
      assertThat(id.getComm()).isEqualTo("sleep");
      long jdkStart = sleep.info().startInstant().orElseThrow().toEpochMilli();
      assertThat(Math.abs(id.getProcessStartTimeMs() - jdkStart)).isLessThanOrEqualTo(20);
    } finally {
      sleep.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void processLabelsAreOffByDefault() throws Exception {
    ProcessIdentity id = golden().forPid(4243);
    assertThat(id.getService()).isEqualTo("checkout");
    assertThat(id.getLabels()).doesNotContainKeys("tier", "container.id");
  }

  @Test
  void declaredLabelsMergeButCannotOverrideTheCgroup() throws Exception {
    ProcessIdentities identities = golden().withProcessLabels();
    ProcessIdentity id = identities.forPid(4243);
    assertThat(id.getService()).isEqualTo("cart");
    assertThat(id.getLabels()).containsEntry("team", "payments").containsEntry("tier", "gold")
        .containsEntry("k8s.pod.uid", "6f2a1c3e-9b7d-4e21-8c55-0d1e2f3a4b5c")
        .containsEntry("container.id",
            "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a");
    assertThat(identities.environReadFailures()).isZero();
    // 16975 has no environ file in the golden tree: counted, identity still built
    ProcessIdentity noEnv = identities.forPid(16975);
    assertThat(noEnv.getService()).isEqualTo("checkout");
    assertThat(noEnv.getLabels()).containsOnlyKeys("team");
    assertThat(identities.environReadFailures()).isEqualTo(1);
  }

  @Test
  void realProcessDeclaresItsLabels() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sleep", "30");
    pb.environment().put("MEMFLEET_LABELS", "app=sleeper,team=infra");
    pb.environment().put("MEMFLEET_SERVICE", "sleepy");
    Process sleep = pb.start();
    try {
      ProcessIdentity id = ProcessIdentities.builder().labels(Map.of("team", "payments"))
          .service("node-wide").processLabels(true).build().forPid((int) sleep.pid());
      assertThat(id.getService()).isEqualTo("sleepy");
      assertThat(id.getLabels()).containsEntry("app", "sleeper").containsEntry("team", "infra");
    } finally {
      sleep.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void labelsParse() {
    assertThat(ProcessIdentities.parseLabels("a=1, b = two ,")).containsExactly(
        Map.entry("a", "1"), Map.entry("b", "two"));
    assertThat(ProcessIdentities.parseLabels("")).isEmpty();
    assertThatThrownBy(() -> ProcessIdentities.parseLabels("novalue"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
