package io.memfleet.sql.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.sql.ClickHouseConnection;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every planner query against a real ClickHouse server with the planner seed, asserting what each
 * one must find (the leaking processes, their rates and forecasts) and must not (the flat ones).
 */
class PlannerQueriesIT {
  private static final String DB = "it_planner";
  private static final double MIB = 1024 * 1024;

  @TempDir static Path dir;
  static ClickHouseServer server;
  static ClickHouseConnection ch;
  static QueryCatalog catalog;
  static QueryRunner runner;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.clickHouse(dir);
    ch = ClickHouseConnection.builder(server.httpUrl()).build();
    PlannerSeed.apply(ch, DB);
    catalog = QueryCatalog.bundled();
    runner = new QueryRunner(ch, DB);
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

  private static ResultTable run(String name, String... assignments) throws Exception {
    Map<String, String> params =
        new HashMap<>(QueryParameters.parseAssignments(List.of(assignments)));
    PlannerQuery q = catalog.get(name).orElseThrow();
    if (q.parameter("from").isPresent() && !params.containsKey("from")) {
      params.put("from", q.parameter("from").get().type() == ParameterType.DATE ? "2026-01-05"
          : PlannerSeed.FROM);
    }
    if (q.parameter("to").isPresent() && !params.containsKey("to")) {
      params.put("to", q.parameter("to").get().type() == ParameterType.DATE ? "2026-01-06"
          : PlannerSeed.TO);
    }
    return runner.run(q, params);
  }

  private static List<String> pids(ResultTable t) {
    return t.values("pid");
  }

  private static double cell(ResultTable t, int row, String column) {
    return Double.parseDouble(t.rows().get(row).get(t.column(column)));
  }

  @Test
  void everyBundledQueryRunsWithItsDefaultsAndWithTheSeedPeriod() throws Exception {
    assertThat(catalog.all()).hasSizeGreaterThanOrEqualTo(8);
    for (PlannerQuery q : catalog.all()) {
      assertThat(runner.run(q, Map.of()).columns()).as(q.name()).isNotEmpty();
      assertThat(run(q.name()).rows()).as(q.name() + " finds something in the seed").isNotEmpty();
    }
  }

  @Test
  void headroomPutsTheLeastHeadroomFirstAndLeavesUnlimitedServicesOut() throws Exception {
    ResultTable t = run("headroom_to_limit");
    assertThat(t.values("service")).doesNotContain("imgproc");   // no cgroup limit
    assertThat(t.rows()).hasSize(4);
    List<String> pct = t.values("headroom_p95_pct");
    for (int i = 1; i < pct.size(); i++) {
      assertThat(Double.parseDouble(pct.get(i)))
          .isGreaterThanOrEqualTo(Double.parseDouble(pct.get(i - 1)));
    }
    ResultTable eu = run("headroom_to_limit", "cluster=prod-eu", "service=checkout");
    assertThat(eu.rows()).hasSize(1);
    assertThat(cell(eu, 0, "limit_bytes")).isEqualTo(4 * 1024 * MIB);
    assertThat(cell(eu, 0, "processes")).isEqualTo(2);
    // 4101 peaks at 1 GiB + 48 h x 25 MiB/h
    assertThat(cell(eu, 0, "max_rss_bytes") / MIB).isCloseTo(1024 + 48 * 25, within(30.0));
  }

  @Test
  void topGrowthRanksTheLeakersByRateAndLeavesTheFlatOnesOut() throws Exception {
    ResultTable t = run("top_memory_growth");
    assertThat(pids(t)).containsExactly("6301", "4101", "4201", "5201");
    assertThat(cell(t, 0, "growth_bytes_per_hour") / MIB).isCloseTo(40, within(0.1));
    assertThat(cell(t, 1, "growth_bytes_per_hour") / MIB).isCloseTo(25, within(0.1));
    assertThat(pids(run("top_memory_growth", "cluster=prod-eu", "limit=1")))
        .containsExactly("4101");
  }

  @Test
  void daysToOomForecastsOnlyGrowingProcessesWithALimit() throws Exception {
    ResultTable t = run("days_to_oom", "from=2026-01-06 00:00:00");
    assertThat(pids(t)).containsExactly("4101", "5201", "4201");
    // 4101: 4 GiB limit, at ~2224 MiB after 48 h, growing 600 MiB/day -> ~3.1 days
    assertThat(cell(t, 0, "days_to_oom")).isCloseTo((4096 - 2224) / 600.0, within(0.05));
    assertThat(t.rows().get(0).get(t.column("forecast_oom_at"))).startsWith("2026-01-10");
    assertThat(t.values("severity")).containsOnly("WARNING");
    // the window ended long ago for a process last seen before it: no forecast
    assertThat(run("days_to_oom", "from=2026-01-05 00:00:00", "to=2026-01-08 00:00:00").rows())
        .isEmpty();
  }

  @Test
  void gcOverheadComesFromPauseTimeOverWallTime() throws Exception {
    ResultTable t = run("gc_overhead_by_service");
    assertThat(t.values("service")).doesNotContain("imgproc");
    assertThat(t.rows().get(0).get(t.column("service"))).isEqualTo("checkout");
    // 6 pauses a minute at ~1.5 x p50 (120-125 ms) -> ~1.7-1.9 % of wall time
    assertThat(cell(t, 0, "gc_overhead_pct")).isBetween(1.5, 2.0);
    int ledger = t.values("service").indexOf("ledger");
    assertThat(cell(t, ledger, "gc_overhead_pct")).isLessThan(0.01);
    // one pause in 50 is the slow one: p99 sits at it
    assertThat(cell(t, 0, "pause_p99_ms")).isBetween(370.0, 420.0);
  }

  @Test
  void topStacksJoinFramesAndCountClustersOnce() throws Exception {
    ResultTable t = run("top_allocation_stacks", "depth=2");
    assertThat(t.values("stack_hash")).startsWith("7001", "7004");
    assertThat(t.rows()).hasSize(5);   // 7001 has two unmerged rows in allocation_stacks
    assertThat(t.rows().get(0).get(t.column("clusters"))).isEqualTo("2");
    assertThat(t.rows().get(0).get(t.column("frames")))
        .isEqualTo("com.shop.checkout.CartCache.put <- com.shop.checkout.CartService.add");
    assertThat(run("top_allocation_stacks", "runtime=GO").values("top_frame"))
        .containsExactly("main.(*Ledger).Subscribe");
  }

  @Test
  void leakFingerprintsGroupTheSameLeakAcrossClusters() throws Exception {
    ResultTable t = run("leak_fingerprints_across_clusters", "min_clusters=2");
    assertThat(t.values("fingerprint")).containsExactly("fp-checkout-cartcache");
    assertThat(t.rows().get(0).get(t.column("cluster_list"))).isEqualTo("prod-eu,prod-us");
    assertThat(t.rows().get(0).get(t.column("alerts"))).isEqualTo("2");   // versions collapsed
    ResultTable all = run("leak_fingerprints_across_clusters");
    assertThat(all.rows()).hasSize(4);
    assertThat(all.values("min_hours_to_oom")).contains((String) null);
  }

  @Test
  void oomKillsBySummariseTheLatestSnapshot() throws Exception {
    ResultTable t = run("oom_kills_by_service");
    assertThat(t.values("service")).containsExactlyInAnyOrder("checkout", "ledger");
    int checkout = t.values("service").indexOf("checkout");
    assertThat(t.rows().get(checkout).get(t.column("last_snapshot_id"))).isEqualTo("oom-4099");
    assertThat(t.rows().get(checkout).get(t.column("last_summary"))).startsWith("RSS 3.98 GiB");
    assertThat(run("oom_kills_by_service", "cluster=prod-us").values("service"))
        .containsExactly("ledger");
  }

  @Test
  void nativeShareIsAllOfANativeProcessAndPartOfAJvm() throws Exception {
    ResultTable t = run("native_vs_managed_share");
    assertThat(t.rows().get(0).get(t.column("service"))).isEqualTo("imgproc");
    assertThat(cell(t, 0, "native_pct")).isCloseTo(100, within(0.5));
    for (int i = 1; i < t.rows().size(); i++) {
      assertThat(cell(t, i, "native_pct") + cell(t, i, "managed_pct")).isCloseTo(100, within(0.2));
      assertThat(cell(t, i, "native_pct")).isBetween(20.0, 50.0);
    }
  }

  @Test
  void extraQueriesFindTheGoroutineLeakTheAlertsAndTheDailyRollup() throws Exception {
    ResultTable g = run("goroutine_growth");
    assertThat(pids(g)).containsExactly("5201");
    assertThat(cell(g, 0, "added_per_hour")).isCloseTo(15, within(0.1));

    ResultTable a = run("alert_timeline", "min_severity=CRITICAL");
    assertThat(a.values("alert_id")).containsExactly("a-4099", "a-4101");
    assertThat(run("alert_timeline", "service=imgproc").values("status"))
        .containsExactly("RESOLVED");

    ResultTable d = run("service_memory_daily", "service=checkout", "cluster=prod-eu",
        "to=2026-01-06");
    assertThat(d.values("day")).containsExactly("2026-01-05", "2026-01-06");
    assertThat(d.values("process_count")).containsOnly("2");
  }

  @Test
  void injectionThroughAParameterMatchesNothingInsteadOfEverything() throws Exception {
    assertThat(run("oom_kills_by_service", "cluster=x' OR 1=1 --").rows()).isEmpty();
    assertThat(run("oom_kills_by_service", "cluster=prod-eu\\' OR 1=1 --").rows()).isEmpty();
    assertThat(run("alert_timeline", "service=checkout'; DROP TABLE " + DB + ".alerts; --").rows())
        .isEmpty();
    assertThat(ch.queryValue("SELECT count() FROM " + DB + ".alerts")).isEqualTo("7");
    // what goes in comes back unchanged: the literal holds exactly the text
    String odd = "o'brien \\ \"x\" \n tab\t ünï 😀";
    PlannerQuery echo = PlannerQuery.parse("echo.sql",
        "-- name: echo\n-- answers: Echo?\n-- param: s String — text\nSELECT {s:String} AS s");
    assertThat(runner.run(echo, Map.of("s", odd)).values("s")).containsExactly(odd);
  }

  @Test
  void queryCommandListsRunsAndRefusesBadInput() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new QueryCommand()).setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err));

    assertThat(cli.execute()).isZero();
    assertThat(out.toString()).contains("days_to_oom", "--param from DateTime (default now-1d)");

    out.getBuffer().setLength(0);
    int code = cli.execute("top_memory_growth", "--clickhouse-url", server.httpUrl(),
        "--database", DB, "--param", "from=" + PlannerSeed.FROM, "--param", "to=" + PlannerSeed.TO,
        "-p", "limit=2");
    assertThat(code).as(err.toString()).isZero();
    String[] lines = out.toString().split("\n");
    assertThat(lines[0]).startsWith("cluster").contains("growth_bytes_per_hour");
    assertThat(lines[2]).contains("imgproc").contains("6301");
    assertThat(lines[3]).contains("checkout").contains("4101");
    assertThat(lines[4]).isEqualTo("(2 rows)");

    out.getBuffer().setLength(0);
    assertThat(cli.execute("oom_kills_by_service", "--clickhouse-url", server.httpUrl(),
        "--database", DB, "--format", "json", "-p", "from=1767571200")).isZero();
    assertThat(out.toString().lines()).hasSize(2).allMatch(l -> l.startsWith("{\"cluster\":"));

    err.getBuffer().setLength(0);
    assertThat(cli.execute("days_to_oom", "--clickhouse-url", server.httpUrl(), "-p", "limt=3"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("'limt' is not a parameter of days_to_oom");
    assertThat(cli.execute("no_such_query")).isEqualTo(2);
    assertThat(cli.execute("days_to_oom", "-p", "from=yesterday")).isEqualTo(2);
    assertThat(err.toString()).contains("'from' must be a time");
    assertThat(Set.of(cli.execute("days_to_oom", "--clickhouse-url", server.httpUrl(),
        "--database", "no_such_db"))).containsExactly(1);
  }
}
