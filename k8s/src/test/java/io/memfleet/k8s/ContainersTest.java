package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.kustomize.Kustomizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every container memfleet runs has CPU and memory requests and limits, limits >= requests. */
class ContainersTest {
  static final List<String> BUILDS = K8sTree.BUILDS;

  @ParameterizedTest
  @FieldSource("BUILDS")
  void everyContainerHasRequestsAndLimits(String build) {
    checkAll(build, K8sTree.build(build));
  }

  @org.junit.jupiter.api.Test
  void theJfrAgentInitContainerHasRequestsAndLimits() {
    var res = new Kustomizer().build(K8sTree.root().resolve("src/test/resources/jvm-app"));
    checkAll("jvm-app", res);
    assertThat(K8sTree.containers(K8sTree.podSpecs(K8sTree.one(res, "Deployment", "shop")).get(0)))
        .extracting(c -> c.get("name")).contains("memfleet-jfr-agent");
  }

  private static void checkAll(String build, List<Map<String, Object>> res) {
    int checked = 0;
    for (Map<String, Object> r : res) {
      String kind = (String) r.get("kind");
      String id = build + " " + kind + "/" + at(r, "metadata", "name");
      for (Map<String, Object> pod : K8sTree.podSpecs(r)) {
        for (Map<String, Object> c : K8sTree.containers(pod)) {
          String cid = id + " container " + c.get("name");
          if (kind.equals("FlinkDeployment") && "flink-main-container".equals(c.get("name"))) {
            // the operator sizes Flink's container from jobManager/taskManager.resource
            for (String role : List.of("jobManager", "taskManager")) {
              assertThat((Map<String, Object>) at(r, "spec", role, "resource")).as(cid + " " + role)
                  .containsKeys("cpu", "memory");
            }
            checked++;
            continue;
          }
          checkResources(cid, at(c, "resources"));
          checked++;
        }
      }
      // Strimzi's pods take their resources from the node pools and the entity operator
      if (kind.equals("KafkaNodePool")) {
        checkResources(id, at(r, "spec", "resources"));
        checked++;
      }
      if (kind.equals("Kafka")) {
        for (String operator : List.of("topicOperator", "userOperator")) {
          checkResources(id + " " + operator,
              at(r, "spec", "entityOperator", operator, "resources"));
          checked++;
        }
      }
    }
    assertThat(checked).as("containers checked in " + build).isGreaterThanOrEqualTo(3);
  }

  static void checkResources(String id, Map<String, Object> resources) {
    assertThat(resources).as(id + " resources").isNotNull();
    for (String section : List.of("requests", "limits")) {
      assertThat((Map<String, Object>) resources.get(section)).as(id + " " + section)
          .isNotNull().containsKeys("cpu", "memory");
    }
    for (String what : List.of("cpu", "memory")) {
      double request = Quantities.parse(String.valueOf((Object) at(resources, "requests", what)));
      double limit = Quantities.parse(String.valueOf((Object) at(resources, "limits", what)));
      assertThat(limit).as(id + " " + what + " limit >= request").isGreaterThanOrEqualTo(request);
    }
  }
}
