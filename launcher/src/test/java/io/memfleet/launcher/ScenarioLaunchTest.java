package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.scenarios.Corpus;
import io.memfleet.scenarios.Scenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

class ScenarioLaunchTest {
  @TempDir Path dir;

  @Test
  void aJvmRunsMemfleetsRecordingForTheNodeCollectorToReadFromOutside() throws Exception {
    Scenario jvm = Corpus.byId("jvm-g1-heap-leak");
    List<String> command = new ScenarioLaunch(dir, null, "127.0.0.1:9092", 0).command(jvm);

    Path repository = dir.resolve("jfr");
    assertThat(command).noneMatch(a -> a.startsWith("-javaagent"))
        .contains("-XX:FlightRecorderOptions=repository=" + repository)
        .anyMatch(a -> a.startsWith("-XX:StartFlightRecording=name=memfleet,settings="
            + repository.resolve("memfleet.jfc")));
    assertThat(Files.readString(repository.resolve("memfleet.jfc")))
        .contains("jdk.GarbageCollection");
    assertThat(command.get(command.size() - jvm.args().size() - 1)).isEqualTo(jvm.program());
  }

  @Test
  void withTheAgentAJvmStreamsItsOwnEvents() throws Exception {
    Scenario jvm = Corpus.byId("jvm-g1-heap-leak");
    List<String> command = new ScenarioLaunch(dir, Path.of("/opt/agent.jar"), "127.0.0.1:9092", 0)
        .command(jvm);

    assertThat(command).anyMatch(a -> a.startsWith("-javaagent:/opt/agent.jar=bootstrap="
            + "127.0.0.1:9092,service=jvm-g1-heap-leak"))
        .noneMatch(a -> a.startsWith("-XX:StartFlightRecording"));
  }

  @Test
  void theJvmScenariosRunOnAnotherJdkWhenGivenOne() throws Exception {
    Path jdk = Files.createDirectories(dir.resolve("jdk-25/bin"));
    Path java = Files.createFile(jdk.resolve("java"));
    java.toFile().setExecutable(true);
    ScenarioLaunch launch = new ScenarioLaunch(dir, null, "127.0.0.1:9092", 0);

    assertThat(launch.command(Corpus.byId("jvm-g1-heap-leak")).get(0))
        .isEqualTo(BackgroundService.javaBinary());
    assertThat(launch.javaHome(dir.resolve("jdk-25"))
        .command(Corpus.byId("jvm-g1-heap-leak")).get(0)).isEqualTo(java.toString());
    assertThatThrownBy(() -> launch.javaHome(dir.resolve("no-jdk")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no JDK at " + dir.resolve("no-jdk"));
  }

  @Test
  void theCollectionIsOutsideOrAgentInAnyCase() {
    JvmCollection.Converter c = new JvmCollection.Converter();
    assertThat(c.convert("Agent")).isEqualTo(JvmCollection.AGENT);
    assertThat(c.convert("outside")).isEqualTo(JvmCollection.OUTSIDE);
    assertThatThrownBy(() -> c.convert("inside")).isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("outside").hasMessageContaining("agent");
  }

  @Test
  void downLeavesTheCgroupsOfAnotherRunningLauncher() throws Exception {
    Process other = new ProcessBuilder("sleep", "30").start();
    try {
      long self = ProcessHandle.current().pid();
      assertThat(ScenarioLaunch.madeByAnotherRunningProcess(
          ScenarioLaunch.CGROUP_PREFIX + "jvm-oome-" + other.pid() + "-0")).isTrue();
      assertThat(ScenarioLaunch.madeByAnotherRunningProcess(
          ScenarioLaunch.CGROUP_PREFIX + "jvm-oome-" + self + "-0")).isFalse();
      other.destroyForcibly().waitFor();
      assertThat(ScenarioLaunch.madeByAnotherRunningProcess(
          ScenarioLaunch.CGROUP_PREFIX + "jvm-oome-" + other.pid() + "-0")).isFalse();
      assertThat(ScenarioLaunch.madeByAnotherRunningProcess(
          ScenarioLaunch.CGROUP_PREFIX + "odd")).isFalse();
    } finally {
      other.destroyForcibly();
    }
  }
}
