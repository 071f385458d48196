package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The overlays change what they say they change, and only the namespace memfleet is used. */
class OverlaysTest {
  private static final List<Map<String, Object>> DEV = K8sTree.build("overlays/dev");
  private static final List<Map<String, Object>> BASE = K8sTree.build("base");
  private static final List<Map<String, Object>> PROD = K8sTree.build("overlays/prod");

  @Test
  void everyResourceLivesInTheMemfleetNamespaceAndIsLabelled() {
    for (var build : List.of(DEV, BASE, PROD)) {
      for (Map<String, Object> r : build) {
        String id = r.get("kind") + "/" + at(r, "metadata", "name");
        if (!"Namespace".equals(r.get("kind"))) {
          assertThat((Object) at(r, "metadata", "namespace")).as(id).isEqualTo("memfleet");
        }
        assertThat((Object) at(r, "metadata", "labels", "app.kubernetes.io/part-of")).as(id)
            .isEqualTo("memfleet");
      }
    }
  }

  @Test
  void flinkParallelismAndTaskManagersGrowFromDevToProd() {
    assertThat(parallelism(DEV)).isEqualTo(1).isLessThan(parallelism(BASE));
    assertThat(parallelism(PROD)).isGreaterThan(parallelism(BASE));
    assertThat(Quantities.parse(flinkMemory(DEV))).isLessThan(Quantities.parse(flinkMemory(PROD)));
    assertThat((Integer) at(flink(PROD), "spec", "jobManager", "replicas")).isEqualTo(2);
  }

  @Test
  void devKeepsFlinkStateOnAVolumeAndProdOnS3() {
    Map<String, Object> dev = flink(DEV);
    for (String key : List.of("execution.checkpointing.dir",
        "execution.checkpointing.savepoint-dir",
        "high-availability.storageDir")) {
      assertThat((String) at(dev, "spec", "flinkConfiguration", key)).as(key)
          .startsWith("file:///flink-data/");
      assertThat((String) at(flink(PROD), "spec", "flinkConfiguration", key)).as(key)
          .startsWith("s3://");
    }
    String claim = ((List<Map<String, Object>>) at(dev, "spec", "podTemplate", "spec", "volumes"))
        .stream().filter(v -> "flink-data".equals(v.get("name"))).findFirst().orElseThrow()
        .get("persistentVolumeClaim").toString();
    assertThat(claim).contains("memfleet-flink-data");
    K8sTree.one(DEV, "PersistentVolumeClaim", "memfleet-flink-data");
    assertThat(String.valueOf((Object) at(dev, "spec", "podTemplate", "spec", "containers")))
        .contains("mountPath=/flink-data");
  }

  @Test
  void kafkaAndClickHouseScaleDownInDevAndOutInProd() {
    assertThat(brokers(DEV)).isEqualTo(1);
    assertThat(brokers(PROD)).isGreaterThan(brokers(BASE));
    assertThat(K8sTree.ofKind(DEV, "KafkaTopic")).allSatisfy(t ->
        assertThat((Object) at(t, "spec", "replicas")).isEqualTo(1));
    assertThat(K8sTree.ofKind(PROD, "KafkaTopic")).allSatisfy(t ->
        assertThat((Object) at(t, "spec", "replicas")).isEqualTo(3));
    assertThat(partitions(PROD, "memfleet.events.ebpf"))
        .isGreaterThan(partitions(BASE, "memfleet.events.ebpf"))
        .isGreaterThan(partitions(DEV, "memfleet.events.ebpf"));
    assertThat(chReplicas(DEV)).isEqualTo(1);
    assertThat(chReplicas(PROD)).isGreaterThan(chReplicas(BASE));
    assertThat(String.valueOf((Object) at(K8sTree.one(DEV, "Kafka", "memfleet"),
        "spec", "kafka", "config", "default.replication.factor"))).isEqualTo("1");
  }

  @Test
  void eachOverlayNamesItsCluster() {
    assertThat((Object) at(K8sTree.one(DEV, "ConfigMap", "memfleet-config"), "data",
        "MEMFLEET_CLUSTER")).isEqualTo("dev");
    assertThat((Object) at(K8sTree.one(PROD, "ConfigMap", "memfleet-config"), "data",
        "MEMFLEET_CLUSTER")).isEqualTo("prod");
    // merged, not replaced: the rest of the configuration is still there
    assertThat((Map<String, Object>) at(K8sTree.one(PROD, "ConfigMap", "memfleet-config"), "data"))
        .containsKeys("MEMFLEET_KAFKA_BOOTSTRAP_SERVERS", "MEMFLEET_CLICKHOUSE_URL");
  }

  private static Map<String, Object> flink(List<Map<String, Object>> res) {
    return K8sTree.one(res, "FlinkDeployment", "memfleet-pipeline");
  }

  private static int parallelism(List<Map<String, Object>> res) {
    return at(flink(res), "spec", "job", "parallelism");
  }

  private static String flinkMemory(List<Map<String, Object>> res) {
    return ((String) at(flink(res), "spec", "taskManager", "resource", "memory"))
        .replace("m", "Mi");
  }

  private static int brokers(List<Map<String, Object>> res) {
    return at(K8sTree.one(res, "KafkaNodePool", "broker"), "spec", "replicas");
  }

  private static int partitions(List<Map<String, Object>> res, String topic) {
    return K8sTree.ofKind(res, "KafkaTopic").stream()
        .filter(t -> topic.equals(at(t, "spec", "topicName")))
        .map(t -> (Integer) at(t, "spec", "partitions")).findFirst().orElseThrow();
  }

  private static int chReplicas(List<Map<String, Object>> res) {
    return at(((List<Map<String, Object>>) at(K8sTree.one(res, "ClickHouseInstallation",
        "memfleet"), "spec", "configuration", "clusters")).get(0), "layout", "replicasCount");
  }
}
