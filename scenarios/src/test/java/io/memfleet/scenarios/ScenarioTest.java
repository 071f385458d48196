package io.memfleet.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScenarioTest {
  private static Properties label(String... keyValues) {
    Properties p = new Properties();
    p.setProperty("description", "a service");
    p.setProperty("runtime", "NATIVE");
    p.setProperty("program", "ingest-proxy");
    p.setProperty("expect", "outstanding-growth|native-growth");
    p.setProperty("expect-pool", "malloc");
    p.setProperty("leak-rate", "1MiB/s");
    for (int i = 0; i < keyValues.length; i += 2) {
      if (keyValues[i + 1] == null) {
        p.remove(keyValues[i]);
      } else {
        p.setProperty(keyValues[i], keyValues[i + 1]);
      }
    }
    return p;
  }

  private static void rejects(String key, String messagePart, String... keyValues) {
    assertThatThrownBy(() -> Scenario.parse("c-example", label(keyValues)))
        .isInstanceOf(ScenarioLabelException.class)
        .hasMessageStartingWith("c-example.properties: " + key + ": ")
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((ScenarioLabelException) e).key()).isEqualTo(key));
  }

  @Test
  void readsEveryKey() throws IOException {
    String text = """
        description=Uploader that keeps failed batches
        runtime=GO
        program=batch-uploader
        args=-leak-rate 4MiB  -event 32KiB
        env=GOGC=50; GOMAXPROCS=1
        cgroup-memory-limit=128m
        restart-every=5s
        expect=oom-imminent,go-heap-growth|native-growth
        allow=gc-thrashing
        expect-pool=heap
        expect-culprit=main.(*Batch).Add
        expect-oom=true
        leak-rate=4MiB/s
        leak-starts-after=3m
        ci=true
        """;
    Scenario s = Scenario.read("go-example",
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    assertThat(s.id()).isEqualTo("go-example");
    assertThat(s.runtime()).isEqualTo(Scenario.Runtime.GO);
    assertThat(s.program()).isEqualTo("batch-uploader");
    assertThat(s.args()).containsExactly("-leak-rate", "4MiB", "-event", "32KiB");
    assertThat(s.jvmOptions()).isEmpty();
    assertThat(s.env()).containsExactly(Map.entry("GOGC", "50"), Map.entry("GOMAXPROCS", "1"));
    assertThat(s.cgroupMemoryLimitBytes()).hasValue(128L << 20);
    assertThat(s.cgroupMemoryLimit()).hasValue("128m");
    assertThat(s.restartEvery()).hasValue(Duration.ofSeconds(5));
    assertThat(s.expect()).containsExactly(Set.of(Rule.OOM_IMMINENT),
        Set.of(Rule.GO_HEAP_GROWTH, Rule.NATIVE_GROWTH));
    assertThat(s.expectText()).isEqualTo("oom-imminent,go-heap-growth|native-growth");
    assertThat(s.allow()).containsExactly(Rule.GC_THRASHING);
    assertThat(s.expectPool()).isEqualTo(Pool.HEAP);
    assertThat(s.expectCulprit()).hasValue("main.(*Batch).Add");
    assertThat(s.expectOom()).isTrue();
    assertThat(s.leakRate().bytesPerSecond()).isEqualTo(4 * 1024 * 1024);
    assertThat(s.leakStartsAfter()).isEqualTo(Duration.ofMinutes(3));
    assertThat(s.ci()).isTrue();
    assertThat(s.isNegative()).isFalse();
  }

  @Test
  void optionalKeysDefault() {
    Scenario s = Scenario.parse("c-example", label());
    assertThat(s.args()).isEmpty();
    assertThat(s.env()).isEmpty();
    assertThat(s.cgroupMemoryLimitBytes()).isEmpty();
    assertThat(s.restartEvery()).isEmpty();
    assertThat(s.allow()).isEmpty();
    assertThat(s.expectCulprit()).isEmpty();
    assertThat(s.expectOom()).isFalse();
    assertThat(s.leakStartsAfter()).isZero();
    assertThat(s.ci()).isFalse();
  }

  @Test
  void leakStartsAfterADuration() {
    assertThat(Scenario.parse("c-example", label("leak-starts-after", "180s")).leakStartsAfter())
        .isEqualTo(Duration.ofSeconds(180));
    assertThat(Scenario.parse("c-example", label("leak-starts-after", "3m")).leakStartsAfter())
        .isEqualTo(Duration.ofSeconds(180));
    assertThat(Scenario.parse("c-example", label("leak-starts-after", "1h")).leakStartsAfter())
        .isEqualTo(Duration.ofHours(1));
    assertThat(Scenario.parse("c-example", label("leak-starts-after", "1500ms")).leakStartsAfter())
        .isEqualTo(Duration.ofMillis(1500));
    assertThat(Scenario.parse("c-example", label("leak-starts-after", "0")).leakStartsAfter())
        .isZero();
    assertThat(Scenario.parse("c-example", label("leak-starts-after", "0s")).leakStartsAfter())
        .isZero();
    assertThat(Scenario.parse("c-example", label("leak-starts-after", " ")).leakStartsAfter())
        .isZero();
  }

  @Test
  void rejectsLeakStartsAfterThatIsNotADuration() {
    for (String bad : List.of("180", "3 minutes", "-5s", "1.5m", "3min", "180S", "5d",
        "99999999999999999999s", "9223372036854775807h")) {
      rejects("leak-starts-after", "expected a duration like 180s or 3m (0: the leak starts with"
          + " the process), got '" + bad + "'", "leak-starts-after", bad);
    }
    rejects("leak-starts-after", "a negative (expect=none) has no leak to start", "expect",
        "none", "expect-pool", "none", "leak-rate", "0", "leak-starts-after", "180s");
  }

  @Test
  void judgesFiredRules() {
    Scenario leak = Scenario.parse("c-example", label("allow", "oom-imminent"));
    assertThat(leak.satisfiedBy(List.of("native-growth"))).isTrue();
    assertThat(leak.satisfiedBy(List.of("outstanding-growth", "gc-thrashing"))).isTrue();
    assertThat(leak.satisfiedBy(List.of("oom-imminent"))).isFalse();
    assertThat(leak.unexpected(List.of("native-growth", "oom-imminent", "gc-thrashing")))
        .containsExactly("gc-thrashing");

    Scenario negative = Scenario.parse("c-example", label("expect", "none", "expect-pool",
        "none", "leak-rate", "0", "allow", "gc-thrashing"));
    assertThat(negative.isNegative()).isTrue();
    assertThat(negative.satisfiedBy(List.of())).isTrue();
    assertThat(negative.unexpected(List.of("gc-thrashing"))).isEmpty();
    assertThat(negative.unexpected(List.of("native-growth"))).containsExactly("native-growth");
  }

  @Test
  void jvmLabelsCarryJvmOptions() {
    Scenario s = Scenario.parse("jvm-example", label("runtime", "JVM", "program",
        "io.memfleet.scenarios.jvm.SessionService", "jvm-options", "-XX:+UseZGC -Xmx256m",
        "expect", "live-set-growth", "expect-pool", "heap"));
    assertThat(s.jvmOptions()).containsExactly("-XX:+UseZGC", "-Xmx256m");
  }

  @Test
  void rejectsUnknownAndMissingKeys() {
    rejects("expect-rule", "unknown key", "expect-rule", "x");
    rejects("program", "required key is missing", "program", null);
    rejects("description", "required key is missing", "description", " ");
  }

  @Test
  void rejectsBadValues() {
    rejects("runtime", "expected JVM, GO or NATIVE, got 'JAVA'", "runtime", "JAVA");
    rejects("program", "without .c", "program", "ingest-proxy.c");
    rejects("program", "fully qualified Java main class", "runtime", "JVM");
    rejects("jvm-options", "only a JVM scenario", "jvm-options", "-Xmx64m");
    rejects("env", "KEY=VALUE", "env", "GOGC");
    rejects("cgroup-memory-limit", "optional k, m or g", "cgroup-memory-limit", "128MiB");
    rejects("cgroup-memory-limit", "below 1 MiB", "cgroup-memory-limit", "512k");
    rejects("restart-every", "positive period", "restart-every", "0s");
    rejects("expect", "unknown rule 'heap-growth'", "expect", "heap-growth");
    rejects("expect", "stray", "expect", "native-growth,");
    rejects("expect", "'none' stands alone", "expect", "none|native-growth");
    rejects("allow", "already expected", "allow", "native-growth");
    rejects("expect-pool", "unknown pool 'offheap'", "expect-pool", "offheap");
    rejects("expect-oom", "expected true or false", "expect-oom", "yes");
    rejects("ci", "expected true or false", "ci", "1");
    rejects("leak-rate", "1MiB/s", "leak-rate", "1MB/s");
  }

  @Test
  void keepsNegativesAndPositivesConsistent() {
    rejects("expect-pool", "write expect-pool=none", "expect", "none");
    rejects("leak-rate", "leak-rate=0", "expect", "none", "expect-pool", "none");
    rejects("expect-culprit", "no culprit", "expect", "none", "expect-pool", "none",
        "leak-rate", "0", "expect-culprit", "leak_request_buffer");
    rejects("expect-pool", "not none", "expect-pool", "none");
    rejects("leak-rate", "above 0", "leak-rate", "0");
    rejects("expect-oom", "an OOM needs a limit", "expect-oom", "true");
  }

  @Test
  void rejectsIdsThatAreNotKebabCase() {
    assertThatThrownBy(() -> Scenario.parse("C_Example", label()))
        .isInstanceOf(ScenarioLabelException.class)
        .hasMessageStartingWith("C_Example.properties: scenario id must be kebab-case");
  }
}
