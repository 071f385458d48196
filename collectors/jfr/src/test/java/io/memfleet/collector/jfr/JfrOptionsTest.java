package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JfrOptionsTest {

  @Test
  void agentStringSetsCommonAndJfrOptions() {
    JfrOptions o = JfrOptions.parseAgentArgs(
        "bootstrap=k:9,service=svc,throttle=50/s,events=gc+heap,oldObjectPeriod=30s,quiet");
    assertThat(o.common().kafkaBootstrap()).isEqualTo("k:9");
    assertThat(o.common().service()).isEqualTo("svc");
    assertThat(o.throttle()).isEqualTo("50/s");
    assertThat(o.events()).containsExactlyInAnyOrder("gc", "heap");
    assertThat(o.oldObjectPeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.firstOldObjectDelay()).isEqualTo(Duration.ofSeconds(15));
    assertThat(JfrOptions.parseAgentArgs("oldObjectPeriod=4s").firstOldObjectDelay())
        .isEqualTo(Duration.ofSeconds(4));
    assertThat(o.quiet()).isTrue();
  }

  @Test
  void theAgentStartsTheDirectBufferProbeUnlessToldNot() {
    assertThat(JfrOptions.parseAgentArgs("").directBufferProbe()).isTrue();
    assertThat(JfrOptions.parseAgentArgs("directBufferProbe=false").directBufferProbe())
        .isFalse();
    assertThatThrownBy(() -> JfrOptions.parseAgentArgs("directBufferProbe=no"))
        .hasMessageContaining("directBufferProbe must be true or false: 'no'");
  }

  @Test
  void badOptionsAreRejectedWithTheReason() {
    assertThatThrownBy(() -> JfrOptions.parseAgentArgs("nope=1"))
        .hasMessageContaining("unknown option 'nope'");
    assertThatThrownBy(() -> JfrOptions.parseAgentArgs("throttle=fast"))
        .hasMessageContaining("100/s");
    assertThatThrownBy(() -> JfrOptions.parseAgentArgs("events=gc+cpu"))
        .hasMessageContaining("unknown event group 'cpu'");
    assertThatThrownBy(() -> JfrOptions.parseAgentArgs("stackDepth=0"))
        .hasMessageContaining("positive");
  }

  @Test
  void settingsAreLimitedToTheEventsTheJdkHas() {
    JfrOptions o = JfrOptions.parseAgentArgs("");
    var jdk17 = Set.of("jdk.ObjectAllocationSample", "jdk.OldObjectSample",
        "jdk.GarbageCollection", "jdk.GCPhasePause", "jdk.GCHeapSummary",
        "jdk.GCHeapConfiguration", "jdk.JavaThreadStatistics");
    var s = o.jfrSettings(jdk17);
    assertThat(s).containsEntry("jdk.ObjectAllocationSample#throttle", "100/s")
        .containsEntry("jdk.OldObjectSample#cutoff", "0 ns")
        .containsEntry("jdk.GCPhasePause#threshold", "0 ns")
        .containsEntry("jdk.JavaThreadStatistics#period", "1000 ms")
        .doesNotContainKey("jdk.ResidentSetSize#enabled");
    var withRss = new java.util.HashSet<>(jdk17);
    withRss.add("jdk.ResidentSetSize");
    assertThat(o.jfrSettings(withRss)).containsEntry("jdk.ResidentSetSize#enabled", "true");
    assertThat(JfrOptions.parseAgentArgs("events=gc").jfrSettings(jdk17).keySet())
        .allMatch(k -> k.startsWith("jdk.GarbageCollection") || k.startsWith("jdk.GCPhasePause"));
  }

  @Test
  void stackHashIsStableAndOrderSensitive() {
    List<String> frames = List.of("a.B.c:1", "a.B.d:2");
    // FNV-1a 64 of "a.B.c:1\na.B.d:2": fixed forever, hashes are compared across hosts
    assertThat(JfrEventMapper.stackHash(frames)).isEqualTo(JfrEventMapper.stackHash(frames));
    assertThat(JfrEventMapper.stackHash(frames))
        .isNotEqualTo(JfrEventMapper.stackHash(List.of("a.B.d:2", "a.B.c:1")));
    assertThat(JfrEventMapper.stackHash(List.of())).isEqualTo(0xcbf29ce484222325L);
    assertThat(JfrEventMapper.stackHash(List.of("a"))).isEqualTo(0xaf63dc4c8601ec8cL);
  }

  @Test
  void arrayClassNamesAreWrittenTheJavaWay() {
    assertThat(JfrEventMapper.javaName("[B")).isEqualTo("byte[]");
    assertThat(JfrEventMapper.javaName("[[J")).isEqualTo("long[][]");
    assertThat(JfrEventMapper.javaName("[Ljava.lang.String;")).isEqualTo("java.lang.String[]");
    assertThat(JfrEventMapper.javaName("java.util.HashMap$Node"))
        .isEqualTo("java.util.HashMap$Node");
  }
}
