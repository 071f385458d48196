package io.memfleet.sql.chdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.data.ClickHouseFormat;
import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.SqlEndpoint;
import io.memfleet.sql.migrate.Migration;
import io.memfleet.sql.migrate.MigrationException;
import io.memfleet.sql.migrate.MigrationReport;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import io.memfleet.sql.migrate.Statement;
import io.memfleet.sql.query.PlannerCases;
import io.memfleet.sql.query.PlannerQuery;
import io.memfleet.sql.query.PlannerSeedAccess;
import io.memfleet.sql.query.QueryCatalog;
import io.memfleet.sql.query.QueryRunner;
import io.memfleet.sql.query.ResultTable;
import io.memfleet.sql.query.grafana.testing.DashboardQueries;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ClickHouse 26.x stage: memfleet's SQL executed on ClickHouse 26.x (embedded through chDB),
 * next to the 18.16 server of the other tests. Every migration with the modern branch of every
 * gate; every planner query (the calls {@code PlannerQueriesIT} makes) and every Grafana panel and
 * variable query on the planner seed, each compared with the 18.16 answer
 * ({@link ResultComparison} says what may differ); and a deliberately broken modern-only
 * statement that this stage catches and the 18.16 stage cannot.
 */
class ModernStageChDbIT {
  private static final String DB = "it_modern";

  @TempDir static Path dir;
  static ChDbSession modern;
  static ClickHouseServer server;
  static ClickHouseConnection reference;
  static MigrationReport modernReport;
  static MigrationReport referenceReport;
  /** Why migrating or seeding failed; the migration test reports it, the others refer to it. */
  static Exception setupFailure;

  @BeforeAll
  static void start() throws Exception {
    ChDbOptions options = ChDbOptions.fromEnvironment();
    Capabilities.require(options.missing().isEmpty(), options.missing().orElse("chDB"));
    modern = ChDbSession.open(dir.resolve("chdb"), options);
    server = TestServers.clickHouse(dir);
    reference = ClickHouseConnection.builder(server.httpUrl()).build();
    try {
      migrateAndSeed();
    } catch (Exception e) {
      setupFailure = e;
    }
  }

  private static void migrateAndSeed() throws Exception {
    modernReport = migrate(modern, DB);
    referenceReport = migrate(reference, DB);
    // The seed is dated 2026-01-05..07. On 26.x the tables' TTLs (7 to 180 days) delete rows
    // older than that in the merge right after the INSERT, so once the clock is past them the
    // seed would vanish; stopping TTL merges for the tables that exist now keeps the seed for the
    // comparison. (ttlIsLiveOn26 shows the TTLs do delete on tables created afterwards.)
    modern.execute("SYSTEM STOP TTL MERGES");
    PlannerSeedAccess.apply(modern, DB);      // migrations already applied: only the seed runs
    PlannerSeedAccess.apply(reference, DB);
  }

  @AfterAll
  static void stop() {
    if (reference != null) {
      reference.close();
    }
    if (server != null) {
      server.close();
    }
    if (modern != null) {
      modern.close();
    }
  }

  /** Fails the calling test when the bundled migrations or the seed did not apply. */
  private static void requireSeeded() {
    if (setupFailure != null) {
      throw new AssertionError("the bundled migrations or the planner seed failed, so this"
          + " comparison cannot run (see everyMigrationAppliesOn26…): "
          + setupFailure.getMessage().lines().findFirst().orElse(""), setupFailure);
    }
  }

  private static MigrationReport migrate(SqlEndpoint ch, String db) throws Exception {
    return MigrationRunner.builder(ch).database(db).build().migrate(MigrationSource.bundled());
  }

  private static ResultTable run(SqlEndpoint ch, String sql) throws Exception {
    return ResultTable.fromTabSeparatedWithNames(ch.queryText(
        sql + "\nFORMAT TabSeparatedWithNames", ClickHouseFormat.TabSeparatedWithNames));
  }

  @Test
  void everyMigrationAppliesOn26WithTheModernBranchOfEveryGate() throws Exception {
    if (setupFailure != null) {
      throw setupFailure;   // the MigrationException names the file, the statement and the error
    }
    assertThat(modern.serverVersion().toString()).startsWith("26.");
    assertThat(modernReport.serverVersion()).startsWith("26.");
    List<Migration> bundled = MigrationSource.bundled();
    assertThat(modernReport.applied())
        .isEqualTo(bundled.stream().map(Migration::fileName).toList());
    // the report names the modern branch of each gate of each file, and nothing else
    Set<String> expected = new LinkedHashSet<>();
    Set<String> expectedOn1816 = new LinkedHashSet<>();   // gates without @else run nothing there
    for (Migration m : bundled) {
      for (Statement s : m.statements()) {
        s.gate().ifPresent(g -> (g.modernBranch() ? expected : expectedOn1816)
            .add(m.fileName() + " gate " + g.id() + ": " + g.branchName()));
      }
    }
    assertThat(expected).as("the bundled migrations have gates").hasSizeGreaterThanOrEqualTo(2);
    assertThat(modernReport.branches()).containsExactlyElementsOf(expected);
    assertThat(referenceReport.branches()).containsExactlyElementsOf(expectedOn1816)
        .allMatch(b -> b.contains(": else (version < "));
    assertThat(modern.queryTsv("SELECT name, server_version, branches FROM " + DB
        + ".schema_migrations ORDER BY version")).allSatisfy(row -> {
          assertThat(row.get(1)).startsWith("26.");
          assertThat(row.get(2)).contains(": if version >= ").doesNotContain("else");
        });
  }

  @Test
  void theModernSchemaHasLowCardinalityCodecsAndTtlWhere1816HasPlainColumns() throws Exception {
    requireSeeded();
    String type = "SELECT type FROM system.columns WHERE database = '" + DB + "' AND table = '%s'"
        + " AND name = '%s'";
    for (String[] column : new String[][] {{"events_raw", "cluster"}, {"events_raw", "kind"},
        {"process_memory_10s", "service"}, {"process_memory_1m", "cluster"},
        {"gc_pauses", "phase"}}) {
      String sql = String.format(type, column[0], column[1]);
      assertThat(modern.queryValue(sql)).as("26.x %s.%s", column[0], column[1])
          .isEqualTo("LowCardinality(String)");
      assertThat(reference.queryValue(sql)).as("18.16 %s.%s", column[0], column[1])
          .isEqualTo("String");
    }
    String create = "SELECT create_table_query FROM system.tables WHERE database = '" + DB
        + "' AND name = '%s'";
    assertThat(modern.queryValue(String.format(create, "events_raw")))
        .contains("`utc_ns` Int64 CODEC(Delta(8), ZSTD(1))", "`payload` String CODEC(ZSTD(3))",
            "TTL event_date + toIntervalDay(7)");
    assertThat(modern.queryValue(String.format(create, "gc_pauses")))
        .contains("`utc_ns` Int64 CODEC(Delta(8), ZSTD(1))", "TTL event_time + toIntervalDay(30)");
    for (String[] ttl : new String[][] {{"process_memory_10s", "window_start + toIntervalDay(14)"},
        {"process_memory_1m", "window_start + toIntervalDay(180)"},
        {"allocations_1m", "window_start + toIntervalDay(90)"},
        {"clock_calibration", "event_time + toIntervalDay(30)"},
        {"sink_commits", "committed_at + toIntervalDay(30)"}}) {
      assertThat(modern.queryValue(String.format(create, ttl[0]))).as(ttl[0])
          .contains("TTL " + ttl[1]);
      assertThat(reference.queryValue(String.format(create, ttl[0]))).as(ttl[0])
          .doesNotContain("TTL");
    }
  }

  @Test
  void ttlIsLiveOn26AndAbsentOn1816() throws Exception {
    requireSeeded();
    migrate(modern, "it_ttl");
    migrate(reference, "it_ttl");
    String insert = "INSERT INTO it_ttl.sink_commits (table_name, batch_id, state, rows,"
        + " committed_at) VALUES ('t', 'old', 'COMMITTED', 1, toDateTime('2020-01-01 00:00:00')),"
        + " ('t', 'new', 'COMMITTED', 1, now())";
    modern.execute(insert);
    reference.execute(insert);
    modern.execute("OPTIMIZE TABLE it_ttl.sink_commits FINAL"); // applies the TTL now
    reference.execute("OPTIMIZE TABLE it_ttl.sink_commits FINAL");
    String batches = "SELECT groupArray(batch_id) FROM"
        + " (SELECT batch_id FROM it_ttl.sink_commits ORDER BY batch_id)";
    assertThat(modern.queryValue(batches)).isEqualTo("['new']");    // 30-day retention
    assertThat(reference.queryValue(batches)).isEqualTo("['new','old']");
  }

  @Test
  void everyPlannerQueryAnswersOn26AsOn1816() throws Exception {
    requireSeeded();
    QueryCatalog catalog = QueryCatalog.bundled();
    QueryRunner onModern = new QueryRunner(modern, DB);
    QueryRunner onReference = new QueryRunner(reference, DB);
    List<PlannerCases.Case> cases = PlannerCases.all(catalog, DB);
    List<String> problems = new ArrayList<>();
    int withRows = 0;
    for (PlannerCases.Case c : cases) {
      ResultTable expected = onReference.run(c.query(), c.params());
      ResultTable actual;
      try {
        actual = onModern.run(c.query(), c.params());
      } catch (Exception e) {
        problems.add(c.label() + " FAILS on 26.x: " + e.getMessage());
        continue;
      }
      String sql = onReference.sql(c.query(), c.params());
      problems.addAll(ResultComparison.differences(c.label(), sql, expected, actual));
      withRows += actual.rows().isEmpty() ? 0 : 1;
    }
    assertThat(problems).as("planner queries on 26.x vs 18.16").isEmpty();
    // every query finds the seed over the seed period (the first case of each query)
    assertThat(withRows).isGreaterThanOrEqualTo(catalog.all().size());
    assertThat(cases).hasSizeGreaterThan(catalog.all().size() + 10);
    // the injection case did not drop anything (count() may differ: 26.x merges alert versions)
    String alertIds = "SELECT uniqExact(alert_id) FROM " + DB + ".alerts";
    assertThat(modern.queryValue(alertIds)).isEqualTo(reference.queryValue(alertIds))
        .isNotEqualTo("0");
  }

  @Test
  void everyPlannerQueryRunsOn26WithItsOwnDefaults() throws Exception {
    requireSeeded();
    QueryRunner onModern = new QueryRunner(modern, DB);
    for (PlannerQuery q : QueryCatalog.bundled().all()) {
      assertThat(onModern.run(q, Map.of()).columns()).as(q.name()).isNotEmpty();
    }
  }

  @Test
  void everyDashboardQueryAnswersOn26AsOn1816() throws Exception {
    requireSeeded();
    List<DashboardQueries.Ran> expected = DashboardQueries.runAll(DB, sql -> run(reference, sql));
    List<DashboardQueries.Ran> actual = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try {
      actual = DashboardQueries.runAll(DB, sql -> run(modern, sql));
    } catch (Exception e) {
      problems.add("a dashboard query FAILS on 26.x: " + e.getMessage());
    }
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      DashboardQueries.Ran e = expected.get(i);
      DashboardQueries.Ran a = actual.get(i);
      assertThat(a.sql()).as(a.what()).isEqualTo(e.sql());
      if (a.result().rows().isEmpty()) {
        problems.add(a.what() + " returned no rows on 26.x");
      }
      problems.addAll(ResultComparison.differences(a.what(), a.sql(), e.result(), a.result()));
    }
    assertThat(problems).as("dashboard queries on 26.x vs 18.16").isEmpty();
    assertThat(actual).hasSameSizeAs(expected);
    assertThat(actual.stream().filter(r -> !r.variable()).count()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void aBrokenModernOnlyStatementFailsHereAndPassesThe1816Stage() throws Exception {
    Path scratch = Path.of(ModernStageChDbIT.class.getResource("/chdb/modern-only-broken").toURI());
    List<Migration> broken = MigrationSource.fromDirectory(scratch);

    MigrationReport onReference = MigrationRunner.builder(reference).database("it_broken").build()
        .migrate(broken);
    assertThat(onReference.applied()).containsExactly("V001__retention_on_epoch_seconds.sql");
    assertThat(onReference.branches()).containsExactly(
        "V001__retention_on_epoch_seconds.sql gate 1: else (version < 20.3)");
    assertThat(reference.queryValue("SELECT count() FROM system.tables"
        + " WHERE database = 'it_broken' AND name = 'probe_after'")).isEqualTo("1");

    MigrationRunner onModern = MigrationRunner.builder(modern).database("it_broken").build();
    assertThatThrownBy(() -> onModern.migrate(broken))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("V001__retention_on_epoch_seconds.sql")
        .hasMessageContaining("line 9")
        .hasMessageContaining("TTL seen_epoch + 604800")
        .hasMessageContaining("BAD_TTL_EXPRESSION");
    // stopped at the statement: what came before exists, what came after does not, none recorded
    assertThat(modern.queryTsv("SELECT name FROM system.tables WHERE database = 'it_broken'"
        + " ORDER BY name").toString()).isEqualTo("[[probe_before], [schema_migrations]]");
    assertThat(modern.queryValue("SELECT count() FROM it_broken.schema_migrations"))
        .isEqualTo("0");
  }
}
