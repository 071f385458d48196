package io.memfleet.collector.ebpf.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.fuzz.Bounded;
import io.memfleet.fuzz.Mutations;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameLine} reads what the regular expressions it replaced read (compared on mutated
 * golden frame lines short enough for them), in linear time.
 */
class FrameLineTest {
  // the expressions PerfScriptParser and ProbeEventParser used before FrameLine
  private static final Pattern PERF =
      Pattern.compile("^\\s+([0-9a-fA-F]+)\\s+(.+?)\\s+\\(([^)]*)\\)\\s*$");
  private static final Pattern BPFTRACE =
      Pattern.compile("^\\s*([0-9a-fA-F]+)\\s+(\\S.*?)(?:\\s+\\(([^)]*)\\))?\\s*$");

  private static final Pattern NO_SYMBOL = Pattern.compile("\\s*[0-9a-fA-F]+\\s+\\(");

  @Test
  void perfAndBpftraceFrames() {
    assertThat(FrameLine.parse("\t 16e0ba __memset+0x7a (/usr/lib/libc.so.6)", true, true))
        .isEqualTo(new Frame(0x16e0baL, "__memset", "/usr/lib/libc.so.6"));
    assertThat(FrameLine.parse("\t 0 [unknown] ([unknown])", true, true))
        .isEqualTo(new Frame(0, null, "[unknown]"));
    assertThat(FrameLine.parse("\t 10 f(int) const+0x1 (/x)", true, true))
        .isEqualTo(new Frame(0x10, "f(int) const", "/x"));
    assertThat(FrameLine.parse("7f52d3fda9b3 __mmap64+19", false, false))
        .isEqualTo(new Frame(0x7f52d3fda9b3L, "__mmap64", null));
    assertThat(FrameLine.parse("\t 0 (/x)", true, true)).isEqualTo(new Frame(0, null, "/x"));
    assertThat(FrameLine.parse("16e0ba memset (/x)", true, true)).isNull(); // not indented
    assertThat(FrameLine.parse("\t 1ffffffffffffffff f (/x)", true, true)).isNull();
  }

  // found by PerfScriptParserFuzzTest: the regular expression took seconds on a 7 KB line
  @Test
  void longWhitespaceRunsAreLinear() throws Exception {
    String line = "\t 132d run_loop+0x63 (/tmp/" + " ".repeat(30_000) + "1304 run_loop (x";
    Bounded.call(() -> FrameLine.parse(line, true, true), line.length());
    Bounded.call(() -> FrameLine.parse(line, false, false), line.length());
  }

  @Property(tries = 3000)
  void readsWhatTheRegularExpressionsRead(@ForAll("frameLines") String line) {
    // "ip (module)": the expressions read a symbol " " (perf) or "(module)" (bpftrace);
    // FrameLine reads no symbol and the module
    Assume.that(!NO_SYMBOL.matcher(line).lookingAt());
    assertThat(FrameLine.parse(line, true, true)).as("perf").isEqualTo(viaRegex(PERF, line));
    assertThat(FrameLine.parse(line, false, false)).as("bpftrace")
        .isEqualTo(viaRegex(BPFTRACE, line));
  }

  @Provide
  Arbitrary<String> frameLines() {
    return Mutations.text(Mutations.linesOf(Path.of("src/test/resources/golden"), ".txt")
        .stream().filter(l -> l.startsWith("\t")).limit(500).toList())
        .filter(l -> l.length() < 300 && l.chars().noneMatch(FrameLineTest::lineTerminator));
  }

  private static Frame viaRegex(Pattern p, String line) {
    Matcher m = p.matcher(line);
    if (!m.matches() || m.group(1).length() > 16) {
      return null;
    }
    return new Frame(Long.parseUnsignedLong(m.group(1), 16), Frame.symbolOf(m.group(2)),
        m.group(3));
  }

  // "." matches none of these, the hand-written scan does not care
  private static boolean lineTerminator(int c) {
    return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
  }
}
