package io.memfleet.sql.migrate;

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
 * Fuzzes the migration script parser (statements, quotes, comments, {@code -- @if version}
 * gates) with mutations of the real migrations: it throws only {@link IllegalArgumentException}
 * (a syntax error naming file and line), never hangs, never allocates beyond its input's size.
 */
class MigrationScriptFuzzTest {
  @Property
  void throwsOnlyIllegalArgument(@ForAll("scripts") String text) throws Exception {
    try {
      List<Statement> statements =
          Bounded.call(() -> MigrationScript.parse("V999__fuzz.sql", text), text.length());
      for (Statement s : statements) {
        assertThat(s.sql()).isNotBlank();
      }
    } catch (IllegalArgumentException documented) {
      assertThat(documented.getMessage()).startsWith("V999__fuzz.sql:");
    }
  }

  @Provide
  Arbitrary<String> scripts() {
    List<String> seeds = new ArrayList<>(Mutations.textFilesUnder(Path.of("migrations"), ".sql"));
    seeds.addAll(Mutations.textFilesUnder(Path.of("src/test/resources/chdb"), ".sql"));
    seeds.add("-- @if version >= 20.3\nCREATE TABLE t (x String) TTL d;\n-- @else\n"
        + "CREATE TABLE t (x String);\n-- @end\nSELECT 'a;b', \"c\" -- d;\n;\n");
    return Mutations.text(seeds);
  }
}
