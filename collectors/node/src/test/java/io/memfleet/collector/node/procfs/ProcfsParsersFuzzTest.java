package io.memfleet.collector.node.procfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.fuzz.Bounded;
import io.memfleet.fuzz.Mutations;
import java.nio.file.Path;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the procfs parsers with mutations of the golden files: none of them throws (bad lines
 * are counted or the parse is empty), hangs, or allocates beyond its input's size.
 */
class ProcfsParsersFuzzTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/procfs");

  @Property
  void statNeverThrows(@ForAll("files") byte[] bytes) throws Exception {
    Bounded.call(() -> ProcStat.parse(bytes, bytes.length), bytes.length);
    Bounded.call(() -> ProcStat.parse(latin1(bytes)), bytes.length);
  }

  @Property
  void statusNeverThrows(@ForAll("files") byte[] bytes) throws Exception {
    ProcStatus status = Bounded.call(() -> ProcStatus.parse(bytes, bytes.length), bytes.length);
    assertThat(status.malformedLines()).isNotNegative();
  }

  @Property
  void smapsRollupNeverThrows(@ForAll("files") byte[] bytes) throws Exception {
    SmapsRollup rollup = Bounded.call(() -> SmapsRollup.parse(bytes, bytes.length), bytes.length);
    assertThat(rollup.malformedLines()).isNotNegative();
  }

  @Property
  void cgroupFileNeverThrows(@ForAll("texts") String text) throws Exception {
    ProcCgroups cgroups = Bounded.call(() -> ProcCgroups.parse(text), text.length());
    cgroups.v1Path("memory");
    cgroups.v2Path();
  }

  @Provide
  Arbitrary<byte[]> files() {
    return Mutations.bytes(Mutations.filesUnder(GOLDEN));
  }

  @Provide
  Arbitrary<String> texts() {
    return Mutations.text(Mutations.textFilesUnder(GOLDEN, ""));
  }

  private static String latin1(byte[] b) {
    return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
