package io.memfleet.collector.node;

import io.memfleet.collector.DurationConverter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.collector.node.go.GcTraceSource;
import io.memfleet.collector.node.go.GoTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CollectCommandTest {

  private static NodeCollectorOptions parse(String... args) {
    CollectCommand command = new CollectCommand();
    new CommandLine(command).parseArgs(args);
    return command.nodeOptions();
  }

  @Test
  void defaultsWorkOnALaptop() {
    NodeCollectorOptions o = parse();
    assertThat(o.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(o.pids()).isEmpty();
    assertThat(o.comms()).isEmpty();
    assertThat(o.readSmapsRollup()).isTrue();
    assertThat(o.smapsInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.smapsMaxCpuPercent()).isEqualTo(0.25);
    assertThat(o.procRoot()).isEqualTo(Path.of("/proc"));
    assertThat(o.selects(1, "anything", "/x")).isTrue();
    assertThat(o.readCgroupStat()).isTrue();
    assertThat(o.readHsperfdata()).isTrue();
    assertThat(o.goDiscovery()).isTrue();
    assertThat(o.goHeapProfileInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.goTopStacks()).isEqualTo(16);
  }

  @Test
  void diagnosisFlags() {
    NodeCollectorOptions o = parse("--no-cgroup-stat", "--no-hsperfdata", "--no-go-discovery",
        "--go-heap-profile-interval", "5s", "--go-top-stacks", "8");
    assertThat(o.readCgroupStat()).isFalse();
    assertThat(o.readHsperfdata()).isFalse();
    assertThat(o.goDiscovery()).isFalse();
    assertThat(o.goHeapProfileInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.goTopStacks()).isEqualTo(8);
    assertThatThrownBy(() -> parse("--go-top-stacks", "0")).hasMessageContaining("goTopStacks");
  }

  @Test
  void everyFlag() {
    NodeCollectorOptions o = parse("--interval", "250ms", "--pid", "10,11", "--comm", "java",
        "--cgroup", "/kubepods", "--go-target", "demo=http://127.0.0.1:6060,pid=42",
        "--go-target", "other=http://127.0.0.1:7070/", "--gctrace-file", "/tmp/a.log:42",
        "--gctrace-file", "/tmp/b.log", "--no-smaps", "--smaps-interval", "2m",
        "--smaps-max-cpu", "1.5", "--proc-root", "/host/proc");
    assertThat(o.interval()).isEqualTo(Duration.ofMillis(250));
    assertThat(o.pids()).containsExactlyInAnyOrder(10, 11);
    assertThat(o.comms()).containsExactly("java");
    assertThat(o.cgroupPrefixes()).containsExactly("/kubepods");
    assertThat(o.goTargets()).extracting(GoTarget::name).containsExactly("demo", "other");
    assertThat(o.goTargets().get(0).pid()).hasValue(42);
    assertThat(o.goTargets().get(1).varsUrl().toString())
        .isEqualTo("http://127.0.0.1:7070/debug/vars");
    assertThat(o.gctraceSources()).containsExactly(
        new GcTraceSource(Path.of("/tmp/a.log"), OptionalInt.of(42)),
        new GcTraceSource(Path.of("/tmp/b.log"), OptionalInt.empty()));
    assertThat(o.readSmapsRollup()).isFalse();
    assertThat(o.smapsInterval()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.smapsMaxCpuPercent()).isEqualTo(1.5);
    assertThat(o.procRoot()).isEqualTo(Path.of("/host/proc"));
    assertThat(o.selects(10, "java", "/kubepods/pod1")).isTrue();
    assertThat(o.selects(12, "java", "/kubepods/pod1")).isFalse();
    assertThat(o.selects(10, "go", "/kubepods/pod1")).isFalse();
    assertThat(o.selects(10, "java", "/system.slice")).isFalse();
    assertThat(o.labels()).isEmpty();
    assertThat(o.processLabels()).isTrue();
  }

  @Test
  void labelFiltersAllMustMatch() {
    NodeCollectorOptions o = parse("--label", "team=payments", "--label", "tier=gold,app=x",
        "--no-process-labels");
    assertThat(o.labels()).containsExactly(Map.entry("team", "payments"),
        Map.entry("tier", "gold"), Map.entry("app", "x"));
    assertThat(o.processLabels()).isFalse();
    assertThat(o.selectsLabels(Map.of("team", "payments", "tier", "gold", "app", "x",
        "extra", "1"))).isTrue();
    assertThat(o.selectsLabels(Map.of("team", "payments", "tier", "gold"))).isFalse();
    assertThat(o.selectsLabels(Map.of("team", "payments", "tier", "silver", "app", "x")))
        .isFalse();
    assertThat(parse().selectsLabels(Map.of())).isTrue();
    assertThatThrownBy(() -> parse("--label", "novalue"))
        .hasMessageContaining("key=value");
  }

  @Test
  void badValuesAreRejectedWithAReason() {
    assertThatThrownBy(() -> parse("--interval", "soon"))
        .hasMessageContaining("not a duration");
    assertThatThrownBy(() -> parse("--interval", "1ms"))
        .hasMessageContaining("interval below 10 ms");
    assertThatThrownBy(() -> parse("--smaps-max-cpu", "0"))
        .hasMessageContaining("smapsMaxCpuPercent must be positive");
    assertThatThrownBy(() -> parse("--smaps-interval", "0s"))
        .hasMessageContaining("smapsInterval must be positive");
    assertThatThrownBy(() -> GoTarget.parse("http://no-name:1"))
        .hasMessageContaining("NAME=URL");
    assertThatThrownBy(() -> GoTarget.parse("x=ftp://h:1")).hasMessageContaining("http");
    assertThatThrownBy(() -> GcTraceSource.parse("-")).hasMessageContaining("-:PID");
  }

  @Test
  void durations() {
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("PT0.5S")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void statusLineSaysWhatIsGoingOn() {
    String line = CollectCommand.statusLine(
        new NodeCollector.Status(10, 0, 42, 900, 3.25, 1, 0, 10, 2, 30, 1, 0, 2, 0, 3,
            new NodeCollector.Diagnosis(2, 1, 0, 3, 7, 0)),
        new io.memfleet.collector.SinkStats(900, 880, 0, 0, 0, Map.of(), 0, true), 90.0);
    assertThat(line).contains("tracked 42 processes").contains("90 events/s")
        .contains("oom kills 1").contains("gctrace 30 lines, 1 malformed")
        .contains("environ unreadable 3").doesNotContain("UNREACHABLE")
        .contains("go targets discovered 3").contains("jvm hsperfdata 2 (1 without)")
        .doesNotContain("malformed hsperfdata");
  }
}
