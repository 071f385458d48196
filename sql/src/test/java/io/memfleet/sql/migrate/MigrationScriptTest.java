package io.memfleet.sql.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.sql.ServerVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationScriptTest {
  private static final ServerVersion OLD = ServerVersion.parse("18.16.1");
  private static final ServerVersion NEW = ServerVersion.parse("24.8.1");

  @Test
  void splitsStatementsOutsideQuotesAndComments() {
    List<Statement> s = MigrationScript.parse("f.sql", """
        -- a comment; with a semicolon
        CREATE TABLE a (x String DEFAULT 'semi;colon') ENGINE = Memory; -- trailing; comment
        INSERT INTO a VALUES ('it\\'s');
        """);
    assertThat(s).extracting(Statement::sql).containsExactly(
        "CREATE TABLE a (x String DEFAULT 'semi;colon') ENGINE = Memory",
        "INSERT INTO a VALUES ('it\\'s')");
    assertThat(s).extracting(Statement::line).containsExactly(2, 3);
    assertThat(s).allSatisfy(st -> assertThat(st.gate()).isEmpty());
  }

  @Test
  void gatesSelectOneBranchByServerVersion() {
    List<Statement> s = MigrationScript.parse("f.sql", """
        -- @if version >= 20.3
        CREATE TABLE t (x LowCardinality(String)) ENGINE = Memory;
        -- @else
        CREATE TABLE t (x String) ENGINE = Memory;
        -- @end
        -- @if version >= 21.1
        ALTER TABLE t MODIFY TTL now();
        -- @end
        """);
    assertThat(s.stream().filter(st -> st.gate().orElseThrow().selectedOn(OLD)).map(Statement::sql))
        .containsExactly("CREATE TABLE t (x String) ENGINE = Memory");
    assertThat(s.stream().filter(st -> st.gate().orElseThrow().selectedOn(NEW)).map(Statement::sql))
        .containsExactly("CREATE TABLE t (x LowCardinality(String)) ENGINE = Memory",
            "ALTER TABLE t MODIFY TTL now()");
    assertThat(s.get(2).gate().orElseThrow().id()).isEqualTo(2);
  }

  @Test
  void reportsMalformedGatesWithFileAndLine() {
    assertThatThrownBy(() -> MigrationScript.parse("V9__x.sql", "-- @else\n"))
        .hasMessage("V9__x.sql:1: @else without @if");
    assertThatThrownBy(() -> MigrationScript.parse("V9__x.sql", "-- @if version >= 20\nSELECT 1;\n"))
        .hasMessageContaining("@if without @end");
    assertThatThrownBy(() -> MigrationScript.parse("V9__x.sql", "SELECT 1\n"))
        .hasMessageContaining("V9__x.sql:1: statement not terminated");
    assertThatThrownBy(() -> MigrationScript.parse("V9__x.sql", "-- @iff version >= 20\n"))
        .hasMessageContaining("unknown directive");
  }

  @Test
  void migrationNamesCarryTheVersion() {
    Migration m = Migration.of("V012__gc_pauses.sql", "SELECT 1;");
    assertThat(m.version()).isEqualTo(12);
    assertThat(m.description()).isEqualTo("gc pauses");
    assertThat(m.checksum()).hasSize(64);
    assertThatThrownBy(() -> Migration.of("gc.sql", "")).hasMessageContaining("V001__");
  }

  @Test
  void bundledMigrationsParse() throws Exception {
    assertThat(MigrationSource.bundled()).isNotEmpty()
        .extracting(Migration::version).isSorted().doesNotHaveDuplicates();
  }

  // found by MigrationScriptFuzzTest: a gate version past an int was a bare NumberFormatException
  // without file and line
  @Test
  void aGateVersionTooLargeIsASyntaxErrorWithFileAndLine() {
    assertThatThrownBy(() -> MigrationScript.parse("V9__x.sql",
        "SELECT 1;\n-- @if version >= 99999999999.1\nSELECT 2;\n-- @end\n"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("V9__x.sql:2: not a ClickHouse version: '99999999999.1' (part 1 is too large)");
  }
}
