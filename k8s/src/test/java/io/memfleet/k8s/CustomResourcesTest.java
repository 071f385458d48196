package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The operators' custom resources carry the fields their CRDs require, and the settings memfleet
 * relies on (HA, RocksDB, durable checkpoints, KRaft, replication). Field names follow the
 * operators' documentation: Flink Kubernetes Operator (flink.apache.org/v1beta1), Strimzi
 * (kafka.strimzi.io/v1), Altinity (clickhouse.altinity.com/v1,
 * clickhouse-keeper.altinity.com/v1).
 */
class CustomResourcesTest {
  static final List<String> BUILDS = K8sTree.BUILDS;

  @ParameterizedTest
  @FieldSource("BUILDS")
  void flinkDeploymentIsAnHaApplicationClusterWithDurableRocksDbState(String build) {
    var res = K8sTree.build(build);
    Map<String, Object> fd = K8sTree.one(res, "FlinkDeployment", "memfleet-pipeline");
    assertThat(fd.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
    String[] flink = System.getProperty("memfleet.flink.version").split("\\.");
    assertThat((Object) at(fd, "spec", "flinkVersion")).isEqualTo("v" + flink[0] + "_" + flink[1]);
    assertThat((Object) at(fd, "spec", "mode")).isEqualTo("native");
    assertThat((String) at(fd, "spec", "image")).isNotBlank();
    String sa = at(fd, "spec", "serviceAccount");
    K8sTree.one(res, "ServiceAccount", sa);

    // application mode: a job, started, upgraded without losing state
    assertThat((String) at(fd, "spec", "job", "jarURI")).startsWith("local:///");
    assertThat((Integer) at(fd, "spec", "job", "parallelism")).isPositive();
    assertThat((String) at(fd, "spec", "job", "upgradeMode")).isIn("last-state", "savepoint");
    assertThat((String) at(fd, "spec", "job", "state")).isEqualTo("running");
    for (String role : List.of("jobManager", "taskManager")) {
      assertThat((Map<String, Object>) at(fd, "spec", role, "resource"))
          .as(role).containsKeys("memory", "cpu");
    }

    Map<String, Object> conf = at(fd, "spec", "flinkConfiguration");
    assertThat(conf).containsEntry("high-availability.type", "kubernetes")
        .containsEntry("state.backend.type", "rocksdb")
        .containsKeys("high-availability.storageDir", "execution.checkpointing.dir",
            "execution.checkpointing.savepoint-dir", "execution.checkpointing.interval");
    // Flink 2 removed these 1.x keys: they would be silently ignored
    assertThat(conf).doesNotContainKeys("state.checkpoints.dir", "state.savepoints.dir",
        "state.backend", "high-availability", "state.backend.incremental");
    // taskmanager slots x parallelism must fit: at least one slot per TaskManager
    assertThat(Integer.parseInt((String) conf.get("taskmanager.numberOfTaskSlots"))).isPositive();

    // HA keeps leader and checkpoint pointers in ConfigMaps: the account must be allowed to
    Map<String, Object> role = K8sTree.one(res, "Role", sa);
    assertThat(String.valueOf(role.get("rules"))).contains("configmaps", "pods");
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void kafkaRunsInKraftModeWithControllerAndBrokerPools(String build) {
    var res = K8sTree.build(build);
    Map<String, Object> kafka = K8sTree.one(res, "Kafka", "memfleet");
    // v1: served by Strimzi 0.49 and later, the only version from 1.0 on (v1beta2 was removed)
    assertThat(kafka.get("apiVersion")).isEqualTo("kafka.strimzi.io/v1");
    assertThat((Map<String, Object>) at(kafka, "metadata", "annotations"))
        .containsEntry("strimzi.io/kraft", "enabled")
        .containsEntry("strimzi.io/node-pools", "enabled");
    assertThat((Map<String, Object>) kafka.get("spec")).doesNotContainKey("zookeeper");
    // the brokers run the Kafka version memfleet's clients are built and tested with
    assertThat((Object) at(kafka, "spec", "kafka", "version"))
        .isEqualTo(System.getProperty("memfleet.kafka.version"));
    // …and the Strimzi release the README installs runs that version
    assertThat((String) at(kafka, "spec", "kafka", "version"))
        .as("Kafka versions %s supports", ManifestSchemas.STRIMZI)
        .isIn(ManifestSchemas.STRIMZI_KAFKA_VERSIONS);
    List<Map<String, Object>> listeners = at(kafka, "spec", "kafka", "listeners");
    assertThat(listeners).isNotEmpty().allSatisfy(l ->
        assertThat(l).containsKeys("name", "port", "type", "tls"));
    assertThat((Map<String, Object>) at(kafka, "spec", "entityOperator", "topicOperator"))
        .as("KafkaTopic resources need the topic operator").isNotNull();
    assertThat((Map<String, Object>) at(kafka, "spec", "kafka", "config"))
        .containsEntry("auto.create.topics.enable", false);

    var pools = K8sTree.ofKind(res, "KafkaNodePool");
    assertThat(pools).allSatisfy(p -> {
      assertThat((Object) at(p, "metadata", "labels", "strimzi.io/cluster")).isEqualTo("memfleet");
      assertThat((Integer) at(p, "spec", "replicas")).isPositive();
      assertThat((List<String>) at(p, "spec", "roles")).isNotEmpty()
          .isSubsetOf("controller", "broker");
      assertThat((String) at(p, "spec", "storage", "type")).isIn("jbod", "ephemeral",
          "persistent-claim");
    });
    assertThat(pools).anySatisfy(p ->
        assertThat((List<String>) at(p, "spec", "roles")).contains("controller"));
    assertThat(pools).anySatisfy(p ->
        assertThat((List<String>) at(p, "spec", "roles")).contains("broker"));

    int brokers = pools.stream()
        .filter(p -> ((List<?>) at(p, "spec", "roles")).contains("broker"))
        .mapToInt(p -> (Integer) at(p, "spec", "replicas")).sum();
    for (Map<String, Object> t : K8sTree.ofKind(res, "KafkaTopic")) {
      String id = build + " " + at(t, "spec", "topicName");
      assertThat((Object) at(t, "metadata", "labels", "strimzi.io/cluster")).as(id)
          .isEqualTo("memfleet");
      int replicas = at(t, "spec", "replicas");
      assertThat(replicas).as(id + " replicas").isBetween(1, brokers);
      assertThat((Integer) at(t, "spec", "partitions")).as(id).isPositive();
      int topicIsr = Integer.parseInt((String) at(t, "spec", "config", "min.insync.replicas"));
      // acks=all producers need min.insync.replicas copies, and one replica may be down
      assertThat(topicIsr).as(id + " min.insync.replicas")
          .isEqualTo(replicas == 1 ? 1 : replicas - 1);
      assertThat(Long.parseLong((String) at(t, "spec", "config", "retention.ms"))).as(id)
          .isGreaterThanOrEqualTo(3_600_000L);
    }
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void clickHouseIsReplicatedThroughKeeperAndMigratedOnItsCluster(String build) {
    var res = K8sTree.build(build);
    Map<String, Object> chi = K8sTree.one(res, "ClickHouseInstallation", "memfleet");
    assertThat(chi.get("apiVersion")).isEqualTo("clickhouse.altinity.com/v1");
    List<Map<String, Object>> clusters = at(chi, "spec", "configuration", "clusters");
    assertThat(clusters).hasSize(1);
    assertThat((Map<String, Object>) clusters.get(0).get("layout"))
        .containsKeys("shardsCount", "replicasCount");

    // ON CLUSTER DDL from the migrations Job names this cluster
    Map<String, Object> config = at(K8sTree.one(res, "ConfigMap", "memfleet-config"), "data");
    assertThat(config.get("MEMFLEET_CLICKHOUSE_CLUSTER")).isEqualTo(clusters.get(0).get("name"));
    assertThat((String) config.get("MEMFLEET_CLICKHOUSE_URL"))
        .contains("clickhouse-" + at(chi, "metadata", "name") + ":8123");

    // replicated tables need Keeper: the operator's client Service is keeper-<name>
    Map<String, Object> chk = K8sTree.ofKind(res, "ClickHouseKeeperInstallation").get(0);
    assertThat(chk.get("apiVersion")).isEqualTo("clickhouse-keeper.altinity.com/v1");
    List<Map<String, Object>> nodes = at(chi, "spec", "configuration", "zookeeper", "nodes");
    assertThat(nodes).extracting(n -> n.get("host"))
        .containsExactly("keeper-" + at(chk, "metadata", "name"));
    int keepers = at(((List<Map<String, Object>>) at(chk, "spec", "configuration", "clusters"))
        .get(0), "layout", "replicasCount");
    assertThat(keepers % 2).as("Keeper replicas form a quorum: an odd number").isOne();

    // every template the defaults name exists
    for (Map<String, Object> ci : List.of(chi, chk)) {
      Set<String> pods = names(at(ci, "spec", "templates", "podTemplates"));
      Set<String> volumes = names(at(ci, "spec", "templates", "volumeClaimTemplates"));
      assertThat(pods).contains((String) at(ci, "spec", "defaults", "templates", "podTemplate"));
      assertThat(volumes).contains(
          (String) at(ci, "spec", "defaults", "templates", "dataVolumeClaimTemplate"));
    }
  }

  private static Set<String> names(List<Map<String, Object>> items) {
    return items.stream().map(i -> (String) i.get("name"))
        .collect(java.util.stream.Collectors.toSet());
  }
}
