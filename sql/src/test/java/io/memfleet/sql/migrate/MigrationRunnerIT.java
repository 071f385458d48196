package io.memfleet.sql.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.sql.ClickHouseConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migration runner against a real ClickHouse server; each test works in its own database. */
class MigrationRunnerIT {
  @TempDir static Path dir;
  static ClickHouseServer server;
  static ClickHouseConnection ch;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.clickHouse(dir);
    ch = ClickHouseConnection.builder(server.httpUrl()).build();
  }

  @AfterAll
  static void stop() {
    if (ch != null) {
      ch.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static String tables(String db) throws Exception {
    return ch.queryTsv("SELECT name, engine, create_table_query FROM system.tables WHERE database = '"
        + db + "' AND name != 'schema_migrations' ORDER BY name").toString();
  }

  @Test
  void bundledMigrationsAppliedTwiceLeaveTheSameTables() throws Exception {
    MigrationRunner runner = MigrationRunner.builder(ch).database("it_twice").build();
    MigrationReport first = runner.migrate(MigrationSource.bundled());
    String afterFirst = tables("it_twice");
    MigrationReport second = runner.migrate(MigrationSource.bundled());

    assertThat(first.applied()).isNotEmpty();
    assertThat(second.applied()).isEmpty();
    assertThat(second.alreadyApplied()).isEqualTo(first.applied());
    assertThat(tables("it_twice")).isEqualTo(afterFirst).contains("events_raw", "alerts");
    assertThat(ch.queryValue("SELECT count() FROM it_twice.schema_migrations"))
        .isEqualTo(String.valueOf(first.applied().size()));
  }

  @Test
  void gatesTakeTheBranchOfThisServerAndTheReportSaysWhich() throws Exception {
    MigrationReport report = MigrationRunner.builder(ch).database("it_gates").build()
        .migrate(MigrationSource.bundled());
    boolean modern = ch.serverVersion().atLeast(io.memfleet.sql.ServerVersion.parse("20.3"));
    assertThat(report.branches()).anySatisfy(line -> assertThat(line)
        .startsWith("V001__raw_events_and_alerts.sql gate 1: " + (modern ? "if" : "else")));
    String type = ch.queryValue("SELECT type FROM system.columns WHERE database = 'it_gates'"
        + " AND table = 'events_raw' AND name = 'cluster'");
    assertThat(type).isEqualTo(modern ? "LowCardinality(String)" : "String");
    assertThat(ch.queryValue("SELECT branches FROM it_gates.schema_migrations WHERE version = 1"))
        .contains("gate 1");
  }

  @Test
  void aFailingStatementStopsTheRunAndNothingAfterItIsApplied() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("failing"));
    Files.writeString(migrations.resolve("V001__ok.sql"),
        "CREATE TABLE IF NOT EXISTS ${database}.a (x UInt8) ENGINE = Memory;\n");
    Files.writeString(migrations.resolve("V002__broken.sql"), """
        CREATE TABLE IF NOT EXISTS ${database}.b (x UInt8) ENGINE = Memory;
        CREATE TABLE ${database}.c (x NoSuchType) ENGINE = Memory;
        CREATE TABLE IF NOT EXISTS ${database}.d (x UInt8) ENGINE = Memory;
        """);
    Files.writeString(migrations.resolve("V003__later.sql"),
        "CREATE TABLE IF NOT EXISTS ${database}.e (x UInt8) ENGINE = Memory;\n");
    List<Migration> all = MigrationSource.fromDirectory(migrations);
    MigrationRunner runner = MigrationRunner.builder(ch).database("it_fail").build();

    assertThatThrownBy(() -> runner.migrate(all))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("V002__broken.sql")
        .hasMessageContaining("line 2")
        .hasMessageContaining("NoSuchType");
    assertThat(ch.queryTsv("SELECT name FROM system.tables WHERE database = 'it_fail'"
        + " ORDER BY name").toString()).isEqualTo("[[a], [b], [schema_migrations]]");
    assertThat(ch.queryValue("SELECT groupArray(version) FROM it_fail.schema_migrations"))
        .isEqualTo("[1]");
  }

  @Test
  void anEditedAppliedMigrationIsRefused() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("edited"));
    Path file = migrations.resolve("V001__t.sql");
    Files.writeString(file, "CREATE TABLE IF NOT EXISTS ${database}.t (x UInt8) ENGINE = Memory;\n");
    MigrationRunner runner = MigrationRunner.builder(ch).database("it_edit").build();
    runner.migrate(MigrationSource.fromDirectory(migrations));
    Files.writeString(file, "CREATE TABLE IF NOT EXISTS ${database}.t (x UInt16) ENGINE = Memory;\n");
    assertThatThrownBy(() -> runner.migrate(MigrationSource.fromDirectory(migrations)))
        .hasMessageContaining("V001__t.sql was changed after it was applied");
  }
}
