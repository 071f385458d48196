package io.memfleet.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.schema.GrafanaDashboardSchema;
import io.memfleet.k8s.schema.SchemaViolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every dashboard Grafana is provisioned with validates against Grafana 11.6.3's dashboard
 * schema, panel options included (the SQL of every panel runs in the sql module's DashboardsIT).
 */
class GrafanaDashboardSchemaTest {

  @Test
  void everyDashboardIsValidForGrafana11() throws IOException {
    GrafanaDashboardSchema grafana = ManifestSchemas.grafana();
    Path dir = K8sTree.root().resolve("base/grafana/dashboards");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSize(5);
    List<SchemaViolation> violations = new ArrayList<>();
    for (Path f : files) {
      violations.addAll(grafana.validate(f, K8sTree.root().relativize(f).toString()));
    }
    assertThat(violations).as(String.join("\n",
        violations.stream().map(SchemaViolation::toString).toList())).isEmpty();
  }
}
