package io.memfleet.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every Go and C program of the corpus builds from the sources on the class path. */
class ScenarioBuildsTest {
  @TempDir
  static Path dir;

  @TestFactory
  Stream<DynamicTest> everyGoAndCProgramBuilds() {
    return Corpus.load().stream()
        .filter(s -> s.runtime() != Scenario.Runtime.JVM)
        .map(s -> DynamicTest.dynamicTest(s.id() + " (" + s.program() + ")", () -> {
          Toolchain.require(s.runtime());
          Path binary = ScenarioBuilds.build(s, dir);
          assertThat(binary).isEqualTo(dir.resolve(s.program()));
          assertThat(Files.isExecutable(binary)).isTrue();
          assertThat(Files.size(binary)).isGreaterThan(10_000);
        }));
  }

  @Test
  void reportsTheCompilersOutput() throws Exception {
    Toolchain.require(Scenario.Runtime.NATIVE);
    Scenario broken = Scenario.parse("c-broken", label("NATIVE", "no-such-program"));
    assertThatThrownBy(() -> ScenarioBuilds.build(broken, dir))
        .hasMessageContaining("c-broken")
        .hasMessageContaining("io/memfleet/scenarios/c/no-such-program.c");
  }

  @Test
  void aJvmScenarioHasNothingToBuild() {
    Scenario jvm = Corpus.byId("jvm-g1-heap-leak");
    assertThatThrownBy(() -> ScenarioBuilds.build(jvm, dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run io.memfleet.scenarios.jvm.SessionService from the");
  }

  private static java.util.Properties label(String runtime, String program) {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("description", "d");
    p.setProperty("runtime", runtime);
    p.setProperty("program", program);
    p.setProperty("expect", "none");
    p.setProperty("expect-pool", "none");
    p.setProperty("leak-rate", "0");
    return p;
  }
}
