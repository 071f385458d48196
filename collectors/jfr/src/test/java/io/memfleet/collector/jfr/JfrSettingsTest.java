package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * memfleet's JFR settings are defined once ({@link JfrSettings}) and reach the JVM three ways: the
 * agent's settings map, the {@code .jfc} that {@code memfleet attach} writes, and the shipped
 * {@code memfleet.jfc} for {@code -XX:StartFlightRecording}. These tests keep the three equal. After
 * changing {@link JfrSettings}, regenerate the shipped file with
 * {@code -Dmemfleet.jfc.update=true} and commit it.
 */
class JfrSettingsTest {
  private static final Path SHIPPED =
      Path.of("src/main/resources" + JfrSettings.JFC_RESOURCE);

  @Test
  void shippedJfcIsGeneratedFromTheSettings() throws Exception {
    String generated = JfrSettings.defaults().toJfc();
    if (Boolean.getBoolean("memfleet.jfc.update")) {
      Files.writeString(SHIPPED, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(SHIPPED, StandardCharsets.UTF_8))
        .as("%s is stale: run JfrSettingsTest with -Dmemfleet.jfc.update=true", SHIPPED)
        .isEqualTo(generated);
    try (var in = JfrSettings.class.getResourceAsStream(JfrSettings.JFC_RESOURCE)) {
      assertThat(in).as("memfleet.jfc on the class path").isNotNull();
    }
  }

  @Test
  void theKubernetesComponentCarriesTheSameSettingsAndFlags() throws Exception {
    Path component = Path.of("../../k8s/components/jfr-recording");
    assertThat(Files.readString(component.resolve("memfleet.jfc"), StandardCharsets.UTF_8))
        .as("k8s/components/jfr-recording/memfleet.jfc: copy %s there", SHIPPED)
        .isEqualTo(JfrSettings.defaults().toJfc());
    assertThat(Files.readString(component.resolve(MemfleetRecording.OLD_OBJECT_STACKS + ".jfc"),
        StandardCharsets.UTF_8))
        .isEqualTo(MemfleetRecording.oldObjectStacksSettings(JfrSettings.defaults()).orElseThrow()
            .toJfc());
    assertThat(Files.readString(component.resolve("record.yaml"), StandardCharsets.UTF_8))
        .contains("value: " + String.join(" ", MemfleetRecording.defaults()
            .jvmFlags("/etc/memfleet/memfleet.jfc",
                "/etc/memfleet/" + MemfleetRecording.OLD_OBJECT_STACKS + ".jfc",
                "/var/lib/memfleet/jfr")));
  }

  @Test
  void jfrReadsTheJfcAsTheSameSettingsTheAgentApplies() throws Exception {
    JfrSettings s = JfrSettings.defaults();
    Map<String, String> fromJfc =
        Configuration.create(new StringReader(s.toJfc())).getSettings();
    assertThat(fromJfc).isEqualTo(s.toMap());
    // the agent's map on this JVM: the same, minus the events this JDK does not have, and with
    // old-object stacks on (the node collector turns them on only while a live set grows)
    Set<String> here = new HashSet<>();
    for (EventType t : FlightRecorder.getFlightRecorder().getEventTypes()) {
      here.add(t.getName());
    }
    JfrOptions defaults = JfrOptions.parseAgentArgs("");
    Map<String, String> agent = new java.util.HashMap<>(defaults.jfrSettings(here));
    assertThat(agent.put("jdk.OldObjectSample#stackTrace", "false")).isEqualTo("true");
    assertThat(fromJfc).containsEntry("jdk.OldObjectSample#stackTrace", "false")
        .containsAllEntriesOf(agent);
    fromJfc.keySet().stream().filter(k -> !agent.containsKey(k))
        .forEach(k -> assertThat(here).doesNotContain(k.substring(0, k.indexOf('#'))));
  }

  @Test
  void everyGroupHasItsEventsAndOptionsReachTheSettings() {
    JfrOptions o = JfrOptions.parseAgentArgs("throttle=20/s,events=allocation+gc,threadPeriod=2s");
    JfrSettings s = JfrSettings.of(o);
    assertThat(s.eventNames()).containsExactly("jdk.ObjectAllocationSample",
        "jdk.GarbageCollection", "jdk.GCPhasePause", "jdk.G1GarbageCollection");
    assertThat(s.toMap()).containsEntry("jdk.ObjectAllocationSample#throttle", "20/s")
        .containsEntry("jdk.ObjectAllocationSample#enabled", "true");
    assertThat(s.toJfc()).contains("<setting name=\"throttle\">20/s</setting>");
    assertThat(JfrSettings.defaults().events()).extracting(JfrSettings.EventSettings::group)
        .containsAll(JfrOptions.ALL_EVENTS);
    assertThat(JfrSettings.only(JfrSettings.defaults(), "jdk.OldObjectSample").eventNames())
        .containsExactly("jdk.OldObjectSample");
  }

  @Test
  void flagsAndAttachCommandsNameTheSettingsFileAndBounds(@TempDir Path dir) throws Exception {
    MemfleetRecording r = MemfleetRecording.defaults();
    assertThat(r.jvmFlags("/opt/memfleet/memfleet.jfc", "/opt/memfleet/stacks.jfc",
        "/var/lib/memfleet/jfr")).containsExactly(
        "-XX:StartFlightRecording=name=memfleet,settings=/opt/memfleet/memfleet.jfc,disk=true,"
            + "maxsize=32m,maxage=15m",
        "-XX:StartFlightRecording=name=memfleet-old-object-stacks,"
            + "settings=/opt/memfleet/stacks.jfc,disk=false",
        "-XX:FlightRecorderOptions=repository=/var/lib/memfleet/jfr");
    assertThat(r.jvmFlags("/opt/memfleet/memfleet.jfc", null, "/r")).hasSize(2);
    assertThat(r.startCommand("/tmp/memfleet-jfr/1-2/memfleet.jfc")).isEqualTo("JFR.start"
        + " name=memfleet settings=/tmp/memfleet-jfr/1-2/memfleet.jfc disk=true maxsize=32m"
        + " maxage=15m");
    assertThat(MemfleetRecording.bounded("64m", "1h").jvmFlags("a.jfc", null, "/r").get(0))
        .endsWith("maxsize=64m,maxage=1h");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.jvmFlags("/a b.jfc", null, "/r"))
        .hasMessageContaining("whitespace");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.jvmFlags("a.jfc", "/s t", "/r"))
        .hasMessageContaining("whitespace");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> MemfleetRecording.bounded("lots", "15m")).hasMessageContaining("32m");

    List<String> flags = r.prepareFlags(JfrSettings.defaults(), dir.resolve("repo"),
        dir.resolve("memfleet.jfc"));
    assertThat(Files.readString(dir.resolve("memfleet.jfc")))
        .isEqualTo(JfrSettings.defaults().toJfc());
    assertThat(flags.get(0)).contains("settings=" + dir.resolve("memfleet.jfc"));
    Path stacks = dir.resolve(MemfleetRecording.OLD_OBJECT_STACKS + ".jfc");
    assertThat(flags.get(1)).contains("settings=" + stacks);
    assertThat(Configuration.create(stacks).getSettings())
        .containsEntry("jdk.OldObjectSample#stackTrace", "true")
        .containsEntry("jdk.OldObjectSample#enabled", "true")
        .doesNotContainKey("jdk.GarbageCollection#enabled");
    assertThat(Files.isDirectory(dir.resolve("repo"))).isTrue();
  }
}
