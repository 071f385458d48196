package io.memfleet.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.memfleet.k8s.kustomize.YamlDocs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every YAML file parses; every built resource is a kind we know and binds to its model. */
class ManifestsParseTest {
  /** Custom resources of the operators memfleet runs on (checked in CustomResourcesTest). */
  static final Set<String> CUSTOM_KINDS = Set.of("FlinkDeployment", "Kafka", "KafkaNodePool",
      "KafkaTopic", "KafkaUser", "ClickHouseInstallation", "ClickHouseKeeperInstallation");

  static final List<String> BUILDS = K8sTree.BUILDS;

  @Test
  void everyYamlFileInTheTreeParses() {
    List<Path> files = K8sTree.yamlFiles();
    assertThat(files).hasSizeGreaterThan(15);
    for (Path f : files) {
      Object first = YamlDocs.firstValue(K8sTree.read(f));
      assertThat(first).as(f.toString()).isNotNull();
      if (first instanceof Map<?, ?>) {
        for (Map<String, Object> doc : YamlDocs.readAll(f)) {
          if (doc.containsKey("kind")) {
            assertThat(doc).as(f + ": apiVersion").containsKey("apiVersion");
          }
        }
      }
    }
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void everyResourceIsAKnownKindAndCoreKindsBindToTheirModelWithoutUnknownFields(String build) {
    List<Map<String, Object>> resources = K8sTree.build(build);
    assertThat(resources).hasSizeGreaterThan(30);
    for (Map<String, Object> r : resources) {
      String kind = (String) r.get("kind");
      String id = build + ": " + kind + "/" + YamlDocs.at(r, "metadata", "name");
      assertThat(YamlDocs.<String>at(r, "metadata", "name")).as(id).isNotBlank();
      if (CUSTOM_KINDS.contains(kind)) {
        continue;
      }
      assertThat(CoreKinds.MODEL).as(id + " is a kind these tests know").containsKey(kind);
      var model = CoreKinds.MODEL.get(kind);
      assertThat(r.get("apiVersion")).as(id).isEqualTo(model.getKey());
      Object bound = CoreKinds.bind(r, model.getValue());
      assertThat(((HasMetadata) bound).getMetadata().getName()).as(id)
          .isEqualTo(YamlDocs.at(r, "metadata", "name"));
      assertThat(CoreKinds.unknownFields(bound)).as(id + " fields unknown to the model")
          .isEmpty();
    }
  }

  @Test
  void aMisspeltFieldIsReported() {
    Map<String, Object> d = YamlDocs.copy(K8sTree.one(K8sTree.build("base"), "Deployment",
        "grafana"));
    Map<String, Object> container = K8sTree.containers(K8sTree.podSpecs(d).get(0)).get(0);
    container.put("resurces", container.remove("resources"));

    assertThat(CoreKinds.unknownFields(CoreKinds.bind(d, Deployment.class)))
        .containsExactly("spec.template.spec.containers[0].resurces");
  }
}
