package io.memfleet.collector.jfr.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.collector.jfr.MemfleetRecording;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Replies of real JVMs (golden/jcmd, JDK 17 and 25) and procfs files of a real JVM. */
class RecordingControlTest {
  private static final Path JCMD = Path.of("src/test/resources/golden/jcmd");
  private static final Path PROCFS = Path.of("src/test/resources/golden/procfs");

  @TempDir Path proc;

  @ParameterizedTest
  @ValueSource(strings = {"jdk17", "jdk25"})
  void repliesOfRealJvmsAreRead(String jdk) throws Exception {
    assertThat(RecordingControl.reportsRunning(reply(jdk, "check-none"))).isFalse();
    assertThat(RecordingControl.reportsRunning(reply(jdk, "check-running"))).isTrue();
    assertThat(RecordingControl.reportsRunning(reply(jdk, "check-running"),
        MemfleetRecording.OLD_OBJECT_STACKS)).isFalse();
    // a JVM started with memfleet's flags: both recordings, each found by its own name
    assertThat(RecordingControl.reportsRunning(reply(jdk, "check-both-running"))).isTrue();
    assertThat(RecordingControl.reportsRunning(reply(jdk, "check-both-running"),
        MemfleetRecording.OLD_OBJECT_STACKS)).isTrue();
    assertThat(RecordingControl.reportsStarted(reply(jdk, "start"))).isTrue();
    assertThat(RecordingControl.reportsStopped(reply(jdk, "stop"))).isTrue();
    assertThat(RecordingControl.reportsStopped(reply(jdk, "stop-none"))).isFalse();
    assertThat(RecordingControl.repositoryPath(reply(jdk, "configure-report")))
        .hasValueSatisfying(p -> assertThat(p).matches("/tmp/memfleet-golden-" + jdk
            + "/\\d{4}(_\\d\\d){5}_PID"));
    assertThat(RecordingControl.repositoryPath(reply(jdk, "configure-set"))).isPresent();
    assertThat(RecordingControl.reportsLoaded(reply(jdk, "agent-load"))).isTrue();
    assertThat(RecordingControl.reportsLoaded(reply(jdk, "agent-load-stop"))).isTrue();
    assertThat(RecordingControl.reportsLoaded(reply(jdk, "agent-load-failed"))).isFalse();
    assertThat(RecordingControl.probeCommand("/tmp/memfleet-jfr/1-2/probe.jar", "period=5"))
        .isEqualTo("JVMTI.agent_load /tmp/memfleet-jfr/1-2/probe.jar \"period=5\"");
  }

  @Test
  void replyStatusLineDecidesSuccess() throws Exception {
    assertThat(HotSpotAttach.parseReply("0\nRecording 1: name=memfleet (running)\n"
        .getBytes(StandardCharsets.UTF_8), "JFR.check")).startsWith("Recording 1");
    assertThatThrownBy(() -> HotSpotAttach.parseReply(("-1\njava.lang.IllegalArgumentException:"
        + " Unknown diagnostic command\n").getBytes(StandardCharsets.UTF_8), "JFR.bogus"))
        .hasMessageContaining("Unknown diagnostic command");
    assertThatThrownBy(() -> HotSpotAttach.parseReply(new byte[0], "JFR.check"))
        .hasMessageContaining("closed the connection");
  }

  @Test
  void targetPathsGoThroughProcPidRootUnlessShared() throws Exception {
    Path pid = Files.createDirectories(proc.resolve("9816"));
    Files.copy(PROCFS.resolve("jvm.stat"), pid.resolve("stat"));
    Files.writeString(pid.resolve("status"), "Name:\tjava\nNSpid:\t9816\t1\n");
    TargetProcess t = TargetProcess.of(proc, 9816, List.of(Path.of("/var/lib/memfleet/jfr")));
    assertThat(t.namespacePid()).isEqualTo(1);
    assertThat(t.startTicks()).isPositive();
    assertThat(t.path("/tmp/memfleet-jfr")).isEqualTo(proc.resolve("9816/root/tmp/memfleet-jfr"));
    assertThat(t.survivesExit("/tmp/memfleet-jfr")).isFalse();
    assertThat(t.path("/var/lib/memfleet/jfr/pod-a")).isEqualTo(Path.of(
        "/var/lib/memfleet/jfr/pod-a"));
    assertThat(t.survivesExit("/var/lib/memfleet/jfr/pod-a")).isTrue();
    assertThat(RecordingControl.jvmDirectory(t))
        .isEqualTo("/tmp/memfleet-jfr/1-" + t.startTicks());
    assertThat(t.isAlive()).isTrue();
    Files.writeString(pid.resolve("stat"), Files.readString(pid.resolve("stat"))
        .replaceFirst("\\) S ", ") Z "));
    assertThat(t.isAlive()).as("a zombie").isFalse();
  }

  @Test
  void capturedStatusSaysTheJvmCatchesSigquit() throws Exception {
    String status = Files.readString(PROCFS.resolve("jvm.status"));
    long caught = Long.parseUnsignedLong(status.lines().filter(l -> l.startsWith("SigCgt:"))
        .findFirst().orElseThrow().substring(7).strip(), 16);
    assertThat(caught & (1L << 2)).as("SIGQUIT caught").isNotZero();
  }

  private static String reply(String jdk, String name) throws Exception {
    return Files.readString(JCMD.resolve(jdk + "." + name + ".txt"));
  }
}
