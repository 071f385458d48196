package io.memfleet.k8s.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Grafana dashboards checked against the JSON Schema of Grafana 11.6.3's dashboard model
 * (vendored, generated from {@code @grafana/schema} 11.6.3): unknown fields and values outside an
 * enum fail.
 *
 * <p>The vendored schema describes the dashboard and, separately, the options of the stat, table
 * and timeseries panels; a panel's {@code options} is free-form in it. This class joins them: a
 * panel of type {@code stat} gets {@code StatOptions}, {@code table} gets {@code TableOptions}
 * and {@code TableFieldConfig} for {@code fieldConfig.defaults.custom}, {@code timeseries} gets
 * {@code TimeseriesOptions} and {@code TimeseriesFieldConfig}. A panel of any other type (row
 * panels aside) is reported: its options would go unchecked.
 *
 * <p>One relaxation, on purpose: a variable's {@code current} may be empty ({@code {}}). That is
 * how a dashboard says "nothing chosen yet": Grafana picks the first value (or All) when it loads
 * the variable, and memfleet's query variables (clusters, services, pids, OOM kills) have no value
 * that could be written down in advance. A non-empty {@code current} must be a full {@code
 * VariableOption}.
 *
 * <pre>{@code
 * GrafanaDashboardSchema grafana = GrafanaDashboardSchema.load(schemaFile);
 * List<SchemaViolation> problems = grafana.validate(file, "base/grafana/dashboards/alerts.json");
 * }</pre>
 */
public final class GrafanaDashboardSchema {
  /** Panel type → (options definition, field config {@code custom} definition or null). */
  private static final Map<String, List<String>> PANEL_OPTIONS = Map.of(
      "stat", List.of("StatOptions"),
      "table", List.of("TableOptions", "TableFieldConfig"),
      "timeseries", List.of("TimeseriesOptions", "TimeseriesFieldConfig"));
  private static final String RELEASE = "Grafana 11.6.3 dashboard schema";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ObjectNode schema;

  private GrafanaDashboardSchema(ObjectNode schema) {
    this.schema = schema;
  }

  /** Reads the vendored schema file and joins the panel options into it. */
  public static GrafanaDashboardSchema load(Path schemaFile) {
    ObjectNode s;
    try {
      s = (ObjectNode) JSON.readTree(Files.readString(schemaFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode defs = (ObjectNode) s.get("definitions");
    for (String d : List.of("Dashboard", "Panel", "RowPanel", "VariableModel", "VariableOption")) {
      if (!defs.has(d)) {
        throw new IllegalArgumentException(schemaFile + " has no definition " + d);
      }
    }
    // a panel is a row (RowPanel) or not (Panel): say which, rather than "anyOf" of both
    ObjectNode panels = (ObjectNode) defs.get("Dashboard").get("properties").get("panels");
    ObjectNode item = panels.putObject("items");
    ObjectNode isRow = item.putObject("if");
    isRow.putArray("required").add("type");
    isRow.putObject("properties").putObject("type").put("const", "row");
    item.putObject("then").put("$ref", "#/definitions/RowPanel");
    item.putObject("else").put("$ref", "#/definitions/Panel");

    ArrayNode byType = ((ObjectNode) defs.get("Panel")).putArray("allOf");
    PANEL_OPTIONS.forEach((type, refs) -> {
      ObjectNode rule = byType.addObject();
      rule.putObject("if").putObject("properties").putObject("type").put("const", type);
      ObjectNode then = rule.putObject("then").putObject("properties");
      then.putObject("options").put("$ref", "#/definitions/" + refs.get(0));
      if (refs.size() > 1) {
        then.putObject("fieldConfig").putObject("properties").putObject("defaults")
            .putObject("properties").putObject("custom")
            .put("$ref", "#/definitions/" + refs.get(1));
      }
    });

    ObjectNode current = (ObjectNode) defs.get("VariableModel").get("properties").get("current");
    current.removeAll();
    current.putObject("if").put("type", "object").put("maxProperties", 0);
    current.putObject("else").put("$ref", "#/definitions/VariableOption");

    s.putArray("allOf").addObject().put("$ref", "#/definitions/Dashboard");
    return new GrafanaDashboardSchema(s);
  }

  /** Every violation of the dashboard in {@code file}; {@code name} names it in them. */
  public List<SchemaViolation> validate(Path file, String name) {
    try {
      return validate(JSON.readTree(Files.readString(file)), name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every violation of {@code dashboard}; {@code name} names its file in them. */
  public List<SchemaViolation> validate(JsonNode dashboard, String name) {
    String title = "dashboard '" + dashboard.path("title").asString("") + "'";
    List<SchemaViolation> out = new ArrayList<>();
    JsonNode panels = dashboard.path("panels");
    for (int i = 0; i < panels.size(); i++) {
      String type = panels.get(i).path("type").asString("");
      if (!type.equals("row") && !PANEL_OPTIONS.containsKey(type)) {
        out.add(new SchemaViolation(name, title, "$.panels[" + i + "].type", "panel type '"
            + type + "' has no options schema in the " + RELEASE + " (covered: "
            + PANEL_OPTIONS.keySet() + ")", RELEASE));
      }
    }
    for (JsonSchemas.Finding f : JsonSchemas.validate(schema, dashboard)) {
      out.add(new SchemaViolation(name, title, f.path(), f.message(), RELEASE));
    }
    return out;
  }
}
