package io.memfleet.sql.query.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.data.ClickHouseFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.query.ResultTable;
import io.memfleet.sql.query.grafana.testing.DashboardFiles;
import io.memfleet.sql.query.grafana.testing.DashboardQueries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboards and provisioning files as Grafana would load them: structure, data
 * source, and every panel's and variable's SQL expanded ({@link GrafanaMacros}) for the seed's
 * two days and run on a real ClickHouse with the planner seed — each must answer with rows.
 */
class DashboardsIT {
  private static final String DB = "it_dashboards";

  @TempDir static Path dir;
  static ClickHouseServer server;
  static ClickHouseConnection ch;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.clickHouse(dir);
    ch = ClickHouseConnection.builder(server.httpUrl()).build();
    io.memfleet.sql.query.PlannerSeedAccess.apply(ch, DB);
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

  private static ResultTable run(String sql) throws Exception {
    return ResultTable.fromTabSeparatedWithNames(ch.queryText(
        sql + "\nFORMAT TabSeparatedWithNames", ClickHouseFormat.TabSeparatedWithNames));
  }

  @Test
  void everyPanelAndVariableQueryRunsAndFindsTheSeed() throws Exception {
    List<String> report = new ArrayList<>();
    for (DashboardQueries.Ran r : DashboardQueries.runAll(DB, DashboardsIT::run)) {
      ResultTable t = r.result();
      assertThat(t.rows()).as("%s returned no rows:%n%s", r.what(), r.sql()).isNotEmpty();
      if (r.variable()) {
        String name = r.what().substring(r.what().lastIndexOf(' ') + 1);
        String pinned = DashboardQueries.PINNED.get(name);
        if (pinned != null) {
          assertThat(t.values(t.columns().get(0))).as(r.what()).contains(pinned);
        }
        continue;
      }
      if (r.panelType().equals("timeseries")) {
        assertThat(t.columns().get(0)).as(r.what()).isEqualTo("time");
        assertThat(t.rows().get(0).get(0)).as(r.what())
            .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
      }
      report.add(r.what() + ": " + t.rows().size() + " rows");
    }
    System.out.println(String.join("\n", report));
    assertThat(report).hasSizeGreaterThanOrEqualTo(30);
  }

  @Test
  void dashboardsHaveTheShapeGrafanaAndTheClickHousePluginExpect() throws Exception {
    Set<String> uids = new HashSet<>();
    List<Path> files = DashboardFiles.dashboards();
    assertThat(files).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder(
        "fleet-overview.json", "service-drilldown.json", "process-detail.json", "alerts.json",
        "oom-forensics.json");
    for (Path file : files) {
      JsonNode d = new ObjectMapper().readTree(file.toFile());
      String name = file.getFileName().toString();
      assertThat(d.path("uid").asText()).as(name).startsWith("memfleet-");
      assertThat(uids.add(d.path("uid").asText())).as("unique uid " + name).isTrue();
      assertThat(d.path("title").asText()).as(name).startsWith("memfleet · ");
      assertThat(d.path("panels").size()).as(name).isGreaterThanOrEqualTo(5);
      Set<Integer> ids = new HashSet<>();
      for (JsonNode p : d.path("panels")) {
        String what = name + " / " + p.path("title").asText();
        assertThat(ids.add(p.path("id").asInt())).as("unique panel id " + what).isTrue();
        assertThat(p.path("datasource").path("type").asText()).as(what)
            .isEqualTo("grafana-clickhouse-datasource");
        assertThat(p.path("datasource").path("uid").asText()).as(what)
            .isEqualTo("memfleet-clickhouse");
        assertThat(p.path("gridPos").path("w").asInt()).as(what).isBetween(1, 24);
        assertThat(p.path("targets").size()).as(what).isPositive();
        for (JsonNode t : p.path("targets")) {
          assertThat(t.path("rawSql").asText()).as(what).contains("${database}.");
          assertThat(t.path("editorType").asText()).as(what).isEqualTo("sql");
          assertThat(t.path("datasource").path("uid").asText()).as(what)
              .isEqualTo("memfleet-clickhouse");
          boolean series = p.path("type").asText().equals("timeseries");
          assertThat(t.path("format").asInt()).as(what).isEqualTo(series ? 0 : 1);
          // toStartOfInterval ($__timeInterval) does not exist on ClickHouse 18.16
          assertThat(t.path("rawSql").asText()).as(what).doesNotContain("$__timeInterval");
        }
      }
      for (JsonNode v : d.path("templating").path("list")) {
        if (v.path("type").asText().equals("query")) {
          assertThat(v.path("datasource").path("uid").asText()).isEqualTo("memfleet-clickhouse");
        }
      }
    }
  }

  @Test
  void provisioningPointsAtThePluginWithoutAPlaintextSecret() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Path provisioning = DashboardFiles.grafanaDir().resolve("provisioning");
    JsonNode ds = yaml.readTree(provisioning.resolve("datasources/clickhouse.yaml").toFile())
        .path("datasources").get(0);
    assertThat(ds.path("type").asText()).isEqualTo("grafana-clickhouse-datasource");
    assertThat(ds.path("uid").asText()).isEqualTo("memfleet-clickhouse");
    assertThat(ds.path("jsonData").path("protocol").asText()).isEqualTo("http");
    assertThat(ds.path("jsonData").path("host").asText()).isEqualTo("$CLICKHOUSE_HOST");
    assertThat(ds.path("jsonData").path("port").asText()).isEqualTo("$CLICKHOUSE_PORT");
    assertThat(ds.path("jsonData").has("password")).isFalse();
    assertThat(ds.path("secureJsonData").path("password").asText())
        .isEqualTo("$CLICKHOUSE_PASSWORD");

    JsonNode provider = yaml.readTree(provisioning.resolve("dashboards/memfleet.yaml").toFile())
        .path("providers").get(0);
    assertThat(provider.path("type").asText()).isEqualTo("file");
    assertThat(provider.path("options").path("path").asText())
        .isEqualTo("/var/lib/grafana/dashboards/memfleet");
    assertThat(Files.readString(provisioning.resolve("datasources/clickhouse.yaml")))
        .doesNotContainPattern("password:\\s*[^$\\s]");
  }
}
