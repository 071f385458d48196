package io.memfleet.sql.chdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChDbOptionsTest {
  @TempDir Path dir;

  @Test
  void defaultsPointAtTheSharedPerMachineCache() {
    ChDbOptions o = ChDbOptions.fromEnvironment(Map.of());
    assertThat(o.home()).isEqualTo(Path.of(System.getProperty("user.home"),
        ".cache/memfleet/chdb"));
    assertThat(o.version()).isEqualTo("3.4.0");
    assertThat(o.installDir()).isEqualTo(o.home().resolve("3.4.0"));
    assertThat(o.library().toString())
        .endsWith("3.4.0/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so");
    assertThat(o.moduleDir().toString()).endsWith("3.4.0/node_modules/chdb");
    assertThat(o.node()).isEqualTo("node");
    assertThat(o.timezone()).isEqualTo("UTC");
    assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void environmentOverridesEverySetting() {
    ChDbOptions o = ChDbOptions.fromEnvironment(Map.of("MEMFLEET_CHDB_HOME", dir.toString(),
        "MEMFLEET_CHDB_VERSION", "3.5.1", "MEMFLEET_NODE", "/opt/node/bin/node",
        "MEMFLEET_CHDB_TIMEZONE", "Europe/Berlin", "MEMFLEET_CHDB_TIMEOUT_SECONDS", "5"));
    assertThat(o.installDir()).isEqualTo(dir.resolve("3.5.1"));
    assertThat(o.node()).isEqualTo("/opt/node/bin/node");
    assertThat(o.timezone()).isEqualTo("Europe/Berlin");
    assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void badSettingsAreRefusedAtBuild() {
    assertThatThrownBy(() -> ChDbOptions.fromEnvironment(
        Map.of("MEMFLEET_CHDB_TIMEOUT_SECONDS", "soon"))).hasMessageContaining("whole seconds");
    assertThatThrownBy(() -> ChDbOptions.builder().version("latest").build())
        .hasMessageContaining("x.y.z");
    assertThatThrownBy(() -> ChDbOptions.builder().timeout(Duration.ZERO).build())
        .hasMessageContaining("positive");
  }

  @Test
  void missingSaysWhatToInstall() {
    ChDbOptions empty = ChDbOptions.builder().home(dir).node("/bin/sh").build();
    assertThat(empty.missing()).hasValueSatisfying(m -> assertThat(m)
        .contains("chDB 3.4.0 is not installed in " + dir.resolve("3.4.0"))
        .contains("sql/chdb/install.sh"));
    ChDbOptions noNode = ChDbOptions.builder().home(dir).node("no-such-node-binary").build();
    assertThat(noNode.missing()).hasValueSatisfying(m -> assertThat(m)
        .contains("Node.js ('no-such-node-binary') is not on the PATH"));
  }
}
