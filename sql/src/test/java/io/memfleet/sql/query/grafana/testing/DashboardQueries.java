package io.memfleet.sql.query.grafana.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memfleet.sql.query.ResultTable;
import io.memfleet.sql.query.grafana.GrafanaMacros;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixture: runs every dashboard's SQL as Grafana would for the planner seed's two days —
 * each query variable in order (its answer becomes the variable's value), then every panel target —
 * on any engine, and returns what each query answered, so tests can assert on one engine and
 * compare two (the 18.16 server and ClickHouse 26.x through chDB).
 */
public final class DashboardQueries {
  public static final Instant FROM = Instant.parse("2026-01-05T00:00:00Z");
  public static final Instant TO = Instant.parse("2026-01-07T00:00:00Z");
  /** Single-valued variables pinned to the seed's most telling process and OOM kill. */
  public static final Map<String, String> PINNED = Map.of("pid", "4101", "snapshot", "oom-4099");

  private DashboardQueries() {}

  /** Where the SQL runs. */
  @FunctionalInterface
  public interface Engine {
    ResultTable run(String sql) throws Exception;
  }

  /**
   * One query that ran.
   *
   * @param what {@code file / panel title} or {@code file variable name}
   * @param variable whether it is a variable's query (else a panel target)
   * @param panelType the panel's type ({@code timeseries}, {@code table}, …); empty for variables
   */
  public record Ran(String what, boolean variable, String panelType, String sql,
      ResultTable result) {}

  /** Runs every variable and panel query of every dashboard on {@code engine}, in file order. */
  public static List<Ran> runAll(String database, Engine engine) throws Exception {
    List<Ran> ran = new ArrayList<>();
    for (Path file : DashboardFiles.dashboards()) {
      JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
      String name = file.getFileName().toString();
      Map<String, List<String>> values = new LinkedHashMap<>();
      values.put("database", List.of(database));
      for (JsonNode v : dashboard.path("templating").path("list")) {
        String var = v.path("name").asText();
        if (v.path("type").asText().equals("custom")) {
          values.put(var, List.of(v.path("current").path("value").asText()));
        } else if (v.path("type").asText().equals("query")) {
          String sql = macros(values).expand(v.path("query").asText());
          ResultTable t = engine.run(sql);
          ran.add(new Ran(name + " variable " + var, true, "", sql, t));
          List<String> options = t.rows().isEmpty() ? List.of() : t.values(t.columns().get(0));
          String pinned = PINNED.get(var);
          boolean multi = v.path("multi").asBoolean();
          values.put(var, multi ? options
              : List.of(pinned != null ? pinned : options.isEmpty() ? "" : options.get(0)));
        }
      }
      GrafanaMacros macros = macros(values);
      for (JsonNode panel : dashboard.path("panels")) {
        for (JsonNode target : panel.path("targets")) {
          String sql = macros.expand(target.path("rawSql").asText());
          ran.add(new Ran(name + " / " + panel.path("title").asText(), false,
              panel.path("type").asText(), sql, engine.run(sql)));
        }
      }
    }
    return ran;
  }

  private static GrafanaMacros macros(Map<String, List<String>> values) {
    GrafanaMacros.Builder b = GrafanaMacros.builder().timeRange(FROM, TO).intervalSeconds(600);
    values.forEach(b::variable);
    return b.build();
  }
}
