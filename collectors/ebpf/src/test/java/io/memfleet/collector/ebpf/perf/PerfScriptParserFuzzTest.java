package io.memfleet.collector.ebpf.perf;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.fuzz.Bounded;
import io.memfleet.fuzz.Mutations;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes {@link PerfScriptParser} with mutations of the golden {@code perf script} captures:
 * whatever the text, lines are samples, frames or counted as malformed — nothing throws, hangs or
 * allocates beyond the input's size.
 */
class PerfScriptParserFuzzTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  @Property
  void scriptOutputNeverThrows(@ForAll("scripts") String text) throws Exception {
    List<PerfSample> samples = new ArrayList<>();
    PerfScriptParser parser = new PerfScriptParser(samples::add);
    Bounded.run(() -> parser.parse(new BufferedReader(new StringReader(text))), text.length());
    assertThat(parser.samples()).isEqualTo(samples.size());
  }

  @Property
  void oneLineNeverThrows(@ForAll("lines") String line) throws Exception {
    PerfScriptParser parser = new PerfScriptParser(s -> { });
    parser.accept("java 4242/4243 [001] 12.345678: 1 page-faults:"); // a sample is pending
    Bounded.run(() -> parser.accept(line), line.length());
  }

  @Provide
  Arbitrary<String> scripts() {
    List<String> seeds = new ArrayList<>();
    for (String file : Mutations.textFilesUnder(GOLDEN, ".txt")) {
      if (file.contains("\n\t")) {
        // a few samples each: long enough to carry frames, short enough to mutate densely
        String[] samples = file.split("\n\n");
        for (int i = 0; i + 3 <= samples.length && seeds.size() < 200; i += 3) {
          seeds.add(String.join("\n\n", samples[i], samples[i + 1], samples[i + 2]) + "\n\n");
        }
      }
    }
    return Mutations.text(seeds);
  }

  @Provide
  Arbitrary<String> lines() {
    return Mutations.text(Mutations.linesOf(GOLDEN, ".txt").stream()
        .filter(l -> !l.startsWith("Attaching") && !l.startsWith("#")).limit(2000).toList());
  }
}
