package io.memfleet.collector.ebpf.bpftrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.fuzz.Bounded;
import io.memfleet.fuzz.Mutations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the bpftrace output parsers with mutations of the golden captures: a {@code -f json}
 * line never throws (it is blank, malformed or an output kind), and the text of a printf throws
 * only {@link IllegalArgumentException}; neither hangs nor allocates beyond its input's size.
 */
class BpftraceParsersFuzzTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final BpftraceLineParser LINES = new BpftraceLineParser();
  private static final ProbeEventParser EVENTS = new ProbeEventParser();

  @Property
  void jsonLinesNeverThrow(@ForAll("jsonLines") String line) throws Exception {
    BpftraceOutput out = Bounded.call(() -> LINES.parse(line), line.length());
    assertThat(out).isNotNull();
  }

  @Property
  void printfTextThrowsOnlyIllegalArgument(@ForAll("printfTexts") String text) throws Exception {
    try {
      ProbeEvent e = Bounded.call(() -> EVENTS.parse(text), text.length());
      assertThat(e.name()).isNotEmpty();
    } catch (IllegalArgumentException documented) {
      // not the format of memfleet's scripts: counted by the runner, never fatal
    }
  }

  @Provide
  Arbitrary<String> jsonLines() {
    return Mutations.text(Mutations.linesOf(GOLDEN, ".jsonl"));
  }

  @Provide
  Arbitrary<String> printfTexts() {
    List<String> texts = new ArrayList<>();
    for (String line : Mutations.linesOf(GOLDEN, ".jsonl")) {
      if (LINES.parse(line) instanceof BpftraceOutput.Printf p) {
        texts.add(p.text());
      }
    }
    return Mutations.text(texts);
  }
}
