package io.memfleet.collector.node.go;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.fuzz.Bounded;
import io.memfleet.fuzz.Mutations;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the Go runtime parsers with mutations of the golden captures: gctrace lines never throw
 * (they are parsed, malformed or skipped), an expvar page throws only {@link
 * IllegalArgumentException} and its pauses come out bounded, a goroutine profile never throws.
 */
class GoRuntimeParsersFuzzTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/go");
  private static final GcTraceParser GCTRACE = new GcTraceParser();

  @Property
  void gctraceLinesNeverThrow(@ForAll("gctraceLines") String line) throws Exception {
    GcTraceParser.Result r = Bounded.call(() -> GCTRACE.parse(line), line.length());
    assertThat(r).isNotNull();
  }

  @Property
  void expvarThrowsOnlyIllegalArgument(@ForAll("expvarPages") String body,
      @ForAll("previousNumGc") long previousNumGc) throws Exception {
    memStatsThrowOnlyIllegalArgument(ExpvarMemStats::parse, body, previousNumGc);
  }

  @Property
  void heapProfileMemStatsThrowOnlyIllegalArgument(@ForAll("heapPages") String body,
      @ForAll("previousNumGc") long previousNumGc) throws Exception {
    memStatsThrowOnlyIllegalArgument(ExpvarMemStats::parseHeapProfile, body, previousNumGc);
  }

  /** A page parsed by {@code parse} fails only as documented; its pauses stay in its buffer. */
  private static void memStatsThrowOnlyIllegalArgument(
      java.util.function.Function<String, ExpvarMemStats> parse, String body, long previousNumGc)
      throws Exception {
    ExpvarMemStats stats;
    try {
      stats = Bounded.call(() -> parse.apply(body), body.length());
    } catch (IllegalArgumentException documented) {
      return;
    }
    List<ExpvarMemStats.Pause> pauses =
        Bounded.call(() -> stats.pausesAfter(previousNumGc), body.length());
    assertThat(pauses.size()).isLessThanOrEqualTo(stats.pauseNs().length);
  }

  @Property
  void goroutineProfileNeverThrows(@ForAll("goroutinePages") String body) throws Exception {
    Bounded.call(() -> GoroutineProfile.total(body), body.length());
  }

  @Provide
  Arbitrary<String> gctraceLines() {
    return Mutations.text(Mutations.linesOf(GOLDEN, ".txt"));
  }

  @Provide
  Arbitrary<String> expvarPages() {
    return Mutations.text(Mutations.textFilesUnder(GOLDEN, ".json"));
  }

  @Provide
  Arbitrary<Long> previousNumGc() {
    return net.jqwik.api.Arbitraries.longs();
  }

  @Provide
  Arbitrary<String> heapPages() {
    return Mutations.text(Mutations.textFilesUnder(GOLDEN, "heap-debug1-demo.txt"));
  }

  @Provide
  Arbitrary<String> goroutinePages() {
    return Mutations.text(Mutations.textFilesUnder(GOLDEN, "goroutine-debug1-demo.txt"));
  }
}
