package io.memfleet.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shipped corpus: every label valid, every program present, the set balanced. */
class CorpusTest {
  private static final Path LABEL_DIR = Path.of("src/main/resources/io/memfleet/scenarios");
  private static final Map<Scenario.Runtime, String> ID_PREFIX = Map.of(
      Scenario.Runtime.JVM, "jvm-", Scenario.Runtime.GO, "go-", Scenario.Runtime.NATIVE, "c-");

  private final List<Scenario> corpus = Corpus.load();

  @Test
  void indexListsEveryLabelFileAndNothingElse() throws IOException {
    Set<String> files;
    try (Stream<Path> s = Files.list(LABEL_DIR)) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".properties"))
          .map(n -> n.substring(0, n.length() - ".properties".length()))
          .collect(Collectors.toSet());
    }
    List<String> ids = corpus.stream().map(Scenario::id).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(Set.copyOf(ids)).isEqualTo(files);
  }

  @Test
  void isLargeAndBalancedEnough() {
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(24);
    assertThat(corpus.stream().filter(Scenario::isNegative)).hasSizeGreaterThanOrEqualTo(7);
    assertThat(Corpus.ci()).hasSizeBetween(5, 8);
    for (Scenario.Runtime r : Scenario.Runtime.values()) {
      assertThat(corpus.stream().filter(s -> s.runtime() == r))
          .as("scenarios for %s", r).hasSizeGreaterThanOrEqualTo(6);
      assertThat(Corpus.ci().stream().filter(s -> s.runtime() == r))
          .as("CI scenarios for %s", r).isNotEmpty();
    }
    assertThat(Corpus.ci().stream().filter(Scenario::isNegative)).hasSizeGreaterThanOrEqualTo(2);
    assertThat(Corpus.ci().stream().filter(Scenario::expectOom)).isNotEmpty();
  }

  @Test
  void everyRuleAndPoolIsExercised() {
    Set<Rule> expected = EnumSet.noneOf(Rule.class);
    corpus.forEach(s -> s.expect().forEach(expected::addAll));
    assertThat(expected).containsAll(EnumSet.complementOf(EnumSet.of(Rule.GC_THRASHING)));
    Set<Pool> pools = corpus.stream().map(Scenario::expectPool).collect(Collectors.toSet());
    assertThat(pools).contains(Pool.HEAP, Pool.METASPACE, Pool.DIRECT_BUFFERS, Pool.THREADS,
        Pool.GOROUTINES, Pool.MALLOC, Pool.MMAP, Pool.NONE);
  }

  @Test
  void idsSayTheirRuntime() {
    for (Scenario s : corpus) {
      assertThat(s.id()).as(s.id()).startsWith(ID_PREFIX.get(s.runtime()));
    }
  }

  @Test
  void everyJvmProgramIsAMainClassOfThisModule() throws ReflectiveOperationException {
    for (Scenario s : corpus.stream().filter(s -> s.runtime() == Scenario.Runtime.JVM).toList()) {
      assertThat(s.program()).as(s.id()).startsWith("io.memfleet.scenarios.jvm.");
      Class<?> main = Class.forName(s.program(), false, getClass().getClassLoader());
      Method m = main.getMethod("main", String[].class);
      assertThat(Modifier.isStatic(m.getModifiers())).as(s.id()).isTrue();
    }
  }

  @Test
  void everyProgramShipsItsSource() {
    for (Scenario s : corpus) {
      String resource = ScenarioBuilds.sourceResource(s);
      assertThat(getClass().getClassLoader().getResource(resource))
          .as("%s: %s", s.id(), resource).isNotNull();
    }
  }

  @Test
  void labelsFollowTheCorpusRules() {
    for (Scenario s : corpus) {
      assertThat(s.env().getOrDefault("GODEBUG", "")).as(s.id() + ": users run without gctrace")
          .doesNotContain("gctrace");
      if (s.expectOom()) {
        assertThat(s.restartEvery()).as(s.id()).isEmpty();
      }
      if (s.runtime() == Scenario.Runtime.JVM && s.expectOom() && s.cgroupMemoryLimit().isEmpty()) {
        assertThat(s.jvmOptions()).as(s.id()).anyMatch(o -> o.startsWith("-Xmx"));
      }
      assertThat(s.description()).as(s.id()).hasSizeLessThan(160);
    }
  }

  @Test
  void readmeListsEveryScenario() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    for (Scenario s : corpus) {
      assertThat(readme).as("README row for " + s.id()).contains("| `" + s.id() + "` |");
    }
  }

  @Test
  void lateLeaksMirrorTheirFromStartCounterparts() {
    Map<String, String> fromStart = Map.of("jvm-late-heap-leak", "jvm-g1-heap-leak",
        "go-late-heap-leak", "go-heap-leak", "c-late-malloc-leak", "c-malloc-leak");
    List<String> ids = corpus.stream().map(Scenario::id).toList();
    assertThat(ids).containsAll(fromStart.keySet()).containsAll(fromStart.values());
    fromStart.forEach((lateId, earlyId) -> {
      Scenario late = Corpus.byId(lateId);
      Scenario early = Corpus.byId(earlyId);
      assertThat(late.leakStartsAfter()).as(lateId).isEqualTo(Duration.ofSeconds(180));
      assertThat(early.leakStartsAfter()).as(earlyId).isZero();
      assertThat(late.runtime()).as(lateId).isEqualTo(early.runtime());
      assertThat(late.program()).as(lateId).isEqualTo(early.program());
      assertThat(late.jvmOptions()).as(lateId).isEqualTo(early.jvmOptions());
      assertThat(late.expect()).as(lateId).isEqualTo(early.expect());
      assertThat(late.allow()).as(lateId).isEqualTo(early.allow());
      assertThat(late.expectPool()).as(lateId).isEqualTo(early.expectPool());
      assertThat(late.expectCulprit()).as(lateId).isEqualTo(early.expectCulprit());
      assertThat(late.leakRate().bytesPerSecond()).as(lateId)
          .isEqualTo(early.leakRate().bytesPerSecond());
      assertThat(late.args()).as(lateId).containsAll(early.args());
      assertThat(late.description()).as(lateId).contains("ran steadily for three minutes");
    });
    // the late leak CI runs: a Go one, found within the CI window (a G1 heap leak seen through
    // young collections only needs five minutes of growth, which the window cannot also hold)
    assertThat(Corpus.byId("go-late-heap-leak").ci()).isTrue();
  }

  @Test
  void aLeakThatStartsLateIsToldSoByItsArgs() {
    for (Scenario s : corpus) {
      List<String> args = s.args();
      int i = Math.max(args.indexOf("--leak-after"), args.indexOf("-leak-after"));
      Duration programDelay = i < 0 ? Duration.ZERO : duration(args.get(i + 1));
      assertThat(programDelay).as("%s: --leak-after in args against leak-starts-after", s.id())
          .isEqualTo(s.leakStartsAfter());
    }
  }

  @Test
  void readmeKeyTableListsScenarioKeysInOrder() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    String table = readme.substring(readme.indexOf("## Label keys"),
        readme.indexOf("\n## ", readme.indexOf("## Label keys") + 1));
    List<String> keys = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^\\| `([a-z-]+)` \\|").matcher(table);
    while (m.find()) {
      keys.add(m.group(1));
    }
    assertThat(keys).isEqualTo(Scenario.KEYS);
  }

  @Test
  void findsById() {
    assertThat(Corpus.byId("go-heap-leak").program()).isEqualTo("session-cache");
    assertThatThrownBy(() -> Corpus.byId("go-heap-leek"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("no scenario 'go-heap-leek'")
        .hasMessageContaining("go-heap-leak");
  }

  private static Duration duration(String text) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)|0").matcher(text);
    assertThat(m.matches()).as("duration '%s'", text).isTrue();
    if (m.group(1) == null) {
      return Duration.ZERO;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }
}
