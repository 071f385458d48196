package io.memfleet.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.schema.SchemaViolation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The schema checks catch what they are for: each test plants one mistake in a copy of the k8s/
 * tree (or of a dashboard), builds and validates it as {@link ManifestSchemasTest} and {@link
 * GrafanaDashboardSchemaTest} do, and expects exactly that mistake reported with the file, the
 * object and the JSON path.
 */
class PlantedMistakesTest {
  @TempDir Path copy;

  @BeforeEach
  void copyTheTree() throws IOException {
    Path root = K8sTree.root();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path rel = root.relativize(f);
        if (rel.startsWith("target") || rel.startsWith("src")) {
          continue;
        }
        Files.createDirectories(copy.resolve(rel).getParent());
        Files.copy(f, copy.resolve(rel));
      }
    }
  }

  @Test
  void anUnknownFieldInACustomResourceIsReportedWithFileObjectAndPath() {
    plant("base/kafka/kafka.yaml", "        tls: true\n",
        "        tls: true\n        tlss: true\n");

    SchemaViolation v = only(ManifestSchemas.validateBuild(copy, "overlays/prod",
        ManifestSchemas.installed()));
    assertThat(v.file()).isEqualTo("overlays/prod → base/kafka/kafka.yaml");
    assertThat(v.object()).isEqualTo("Kafka memfleet (kafka.strimzi.io/v1)");
    assertThat(v.path()).isEqualTo("$.spec.kafka.listeners[0].tlss");
    assertThat(v.message()).contains("'tlss' is not defined in the schema");
    assertThat(v.schema()).isEqualTo(ManifestSchemas.STRIMZI);
    assertThat(v.toString()).startsWith("overlays/prod → base/kafka/kafka.yaml: Kafka memfleet"
        + " (kafka.strimzi.io/v1) at $.spec.kafka.listeners[0].tlss: ");
  }

  @Test
  void anUnknownFieldInABuiltInKindIsReported() {
    plant("base/collector/daemonset.yaml", "      hostPID: true\n",
        "      hostPID: true\n      hostPIDs: true\n");

    SchemaViolation v = only(ManifestSchemas.validateBuild(copy, "base",
        ManifestSchemas.installed()));
    assertThat(v.file()).isEqualTo("base → base/collector/daemonset.yaml");
    assertThat(v.object()).isEqualTo("DaemonSet memfleet-collector (apps/v1)");
    assertThat(v.path()).isEqualTo("$.spec.template.spec.hostPIDs");
    assertThat(v.schema()).isEqualTo("Kubernetes 1.32");
  }

  @Test
  void aValueOutsideACrdEnumIsReported() {
    plant("base/flink/flinkdeployment.yaml", "upgradeMode: last-state", "upgradeMode: last_state");

    SchemaViolation v = only(ManifestSchemas.validateBuild(copy, "overlays/dev",
        ManifestSchemas.installed()));
    assertThat(v.file()).isEqualTo("overlays/dev → base/flink/flinkdeployment.yaml");
    assertThat(v.object())
        .isEqualTo("FlinkDeployment memfleet-pipeline (flink.apache.org/v1beta1)");
    assertThat(v.path()).isEqualTo("$.spec.job.upgradeMode");
    assertThat(v.message()).contains("enum");
    assertThat(v.schema()).isEqualTo(ManifestSchemas.FLINK_OPERATOR);
  }

  @Test
  void anAclOperationKafkaUsersDoNotHaveIsReported() {
    // v1 KafkaUsers list operations; a made-up one would leave the user without the ACL
    plant("base/kafka/users.yaml", "        operations: [Write, Describe]\n",
        "        operations: [Write, Produce]\n");

    SchemaViolation v = only(ManifestSchemas.validateBuild(copy, "overlays/prod",
        ManifestSchemas.strimzi1()));
    assertThat(v.file()).isEqualTo("overlays/prod → base/kafka/users.yaml");
    assertThat(v.object()).isEqualTo("KafkaUser memfleet-node-collector (kafka.strimzi.io/v1)");
    assertThat(v.path()).isEqualTo("$.spec.authorization.acls[0].operations[1]");
    assertThat(v.message()).contains("enum");
    assertThat(v.schema()).isEqualTo(ManifestSchemas.STRIMZI_NEXT);
  }

  @Test
  void v1beta2IsRejectedByStrimzi1AndServedByTheInstalledStrimzi() {
    plant("base/kafka/topics.yaml", "apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic\n"
        + "metadata:\n  name: memfleet-events-jfr\n", "apiVersion: kafka.strimzi.io/v1beta2\n"
        + "kind: KafkaTopic\nmetadata:\n  name: memfleet-events-jfr\n");

    SchemaViolation v = only(ManifestSchemas.validateBuild(copy, "base",
        ManifestSchemas.strimzi1()));
    assertThat(v.file()).isEqualTo("base → base/kafka/topics.yaml");
    assertThat(v.object()).isEqualTo("KafkaTopic memfleet-events-jfr (kafka.strimzi.io/v1beta2)");
    assertThat(v.path()).isEqualTo("$.apiVersion");
    assertThat(v.message()).isEqualTo("kafka.strimzi.io/v1beta2 KafkaTopic is not served by "
        + "Strimzi 1.2.0 (CRD kafkatopics.kafka.strimzi.io serves [v1])");
    // Strimzi 0.51.0 serves both versions
    assertThat(ManifestSchemas.validateBuild(copy, "base", ManifestSchemas.installed())).isEmpty();
  }

  @Test
  void aTypoInABuiltInApiVersionOrKindIsReported() {
    plant("base/grafana/grafana.yaml", "apiVersion: apps/v1\nkind: Deployment",
        "apiVersion: apps/v1beta1\nkind: Deployment");
    plant("base/network/policies.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        + "metadata:\n  name: default-deny-ingress", "apiVersion: networking.k8s.io/v1\n"
        + "kind: NetworkPolicies\nmetadata:\n  name: default-deny-ingress");
    plant("base/collector/daemonset.yaml", "apiVersion: v1\nkind: ServiceAccount",
        "apiVersion: core/v1\nkind: ServiceAccount");

    List<SchemaViolation> all = ManifestSchemas.validateBuild(copy, "base",
        ManifestSchemas.installed());
    assertThat(all).extracting(SchemaViolation::path).containsOnly("$.apiVersion");
    assertThat(all).extracting(v -> v.file() + ": " + v.message()).containsExactlyInAnyOrder(
        "base → base/grafana/grafana.yaml: Kubernetes 1.32 serves no apiVersion apps/v1beta1",
        "base → base/network/policies.yaml: Kubernetes 1.32 has no kind NetworkPolicies in"
            + " networking.k8s.io/v1 (it has [Ingress, IngressClass, NetworkPolicy])",
        "base → base/collector/daemonset.yaml: no schema for core/v1 ServiceAccount: not a"
            + " Kubernetes API group, and no CRD of " + ManifestSchemas.installed().describe()
            + " defines it");
  }

  @Test
  void aDashboardWithAnUnknownFieldOrABadEnumValueIsReported() throws IOException {
    Path file = copy.resolve("base/grafana/dashboards/alerts.json");
    JsonMapper json = JsonMapper.builder().build();
    ObjectNode d = (ObjectNode) json.readTree(Files.readString(file));
    ((ObjectNode) d.get("panels").get(0)).put("titel", "typo of title");
    ((ObjectNode) d.get("panels").get(5).get("options").get("legend"))
        .put("displayMode", "tabel");
    Files.writeString(file, json.writeValueAsString(d));

    List<SchemaViolation> all = ManifestSchemas.grafana().validate(file, "alerts.json");
    assertThat(all).extracting(SchemaViolation::path).containsExactlyInAnyOrder(
        "$.panels[0].titel", "$.panels[5].options.legend.displayMode");
    assertThat(all).allSatisfy(v -> {
      assertThat(v.file()).isEqualTo("alerts.json");
      assertThat(v.object()).isEqualTo("dashboard 'memfleet · Alerts'");
    });
    assertThat(all).anySatisfy(v -> assertThat(v.message())
        .contains("'titel' is not defined in the schema"));
    assertThat(all).anySatisfy(v -> assertThat(v.message())
        .contains("enum").contains("table"));
  }

  @Test
  void aPanelWhoseOptionsTheSchemaDoesNotCoverIsReported() throws IOException {
    Path file = copy.resolve("base/grafana/dashboards/alerts.json");
    JsonMapper json = JsonMapper.builder().build();
    ObjectNode d = (ObjectNode) json.readTree(Files.readString(file));
    ((ObjectNode) d.get("panels").get(0)).put("type", "piechart");
    Files.writeString(file, json.writeValueAsString(d));

    SchemaViolation v = only(ManifestSchemas.grafana().validate(file, "alerts.json"));
    assertThat(v.path()).isEqualTo("$.panels[0].type");
    assertThat(v.message()).startsWith("panel type 'piechart' has no options schema");
  }

  private void plant(String file, String from, String to) {
    Path f = copy.resolve(file);
    try {
      String text = Files.readString(f);
      assertThat(text).as("%s holds the text to plant the mistake in", file).contains(from);
      Files.writeString(f, text.replaceFirst(java.util.regex.Pattern.quote(from),
          java.util.regex.Matcher.quoteReplacement(to)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SchemaViolation only(List<SchemaViolation> violations) {
    assertThat(violations).as(String.join("\n",
        violations.stream().map(SchemaViolation::toString).toList())).hasSize(1);
    return violations.get(0);
  }
}
