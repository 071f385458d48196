package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.NetworkPolicies.Pod;
import io.memfleet.k8s.kustomize.Kustomizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The NetworkPolicies, evaluated for the pods the manifests define (and the labels the operators
 * put on theirs), allow memfleet's flows and nothing else that was tried.
 */
class NetworkPoliciesTest {
  static final List<String> BUILDS = K8sTree.BUILDS;

  @ParameterizedTest
  @FieldSource("BUILDS")
  void theDocumentedFlowsAreAllowedAndOthersDenied(String build) {
    var res = K8sTree.build(build);
    var policies = new NetworkPolicies(K8sTree.ofKind(res, "NetworkPolicy"));
    assertThat(K8sTree.one(res, "NetworkPolicy", "default-deny-ingress")).isNotNull();
    assertThat((Map<String, Object>) at(K8sTree.one(res, "NetworkPolicy", "default-deny-ingress"),
        "spec", "podSelector")).isEmpty();

    Pod collector = templatePod(K8sTree.one(res, "DaemonSet", "memfleet-collector"));
    Pod grafana = templatePod(K8sTree.one(res, "Deployment", "grafana"));
    Pod migrate = templatePod(K8sTree.one(res, "Job", "memfleet-migrate"));
    Map<String, Object> flinkLabels = new HashMap<>(at(K8sTree.one(res, "FlinkDeployment",
        "memfleet-pipeline"), "spec", "podTemplate", "metadata", "labels"));
    flinkLabels.put("app", "memfleet-pipeline"); // the Flink operator labels its pods so
    Pod jobManager = withLabel(new Pod("memfleet", flinkLabels), "component", "jobmanager");
    Pod taskManager = withLabel(new Pod("memfleet", flinkLabels), "component", "taskmanager");
    // labels the operators put on the pods they create
    Pod broker = new Pod("memfleet", Map.of("strimzi.io/cluster", "memfleet",
        "strimzi.io/broker-role", "true", "strimzi.io/kind", "Kafka"));
    Pod clickhouse = new Pod("memfleet", Map.of("clickhouse.altinity.com/chi", "memfleet"));
    Pod keeper = new Pod("memfleet", Map.of("clickhouse-keeper.altinity.com/chk",
        "memfleet-keeper"));
    Pod flinkOperator = new Pod("flink-operator", Map.of("app", "flink-kubernetes-operator"));
    Pod chOperator = new Pod("kube-system", Map.of("app", "clickhouse-operator"));
    Pod dns = new Pod("kube-system", Map.of("k8s-app", "kube-dns"));
    Pod intruder = new Pod("memfleet", Map.of("app", "intruder"));
    Pod jvmApp = templatePod(K8sTree.one(new Kustomizer().build(
        K8sTree.root().resolve("src/test/resources/jvm-app")), "Deployment", "shop"));
    jvmApp = new Pod("shop", jvmApp.labels());
    int kafka = KafkaClients.listenerPort(res);

    // allowed
    assertThat(policies.allows(collector, broker, kafka)).as("collector -> Kafka").isTrue();
    assertThat(policies.allows(collector, dns, 53)).as("collector -> DNS").isTrue();
    assertThat(policies.allows(jvmApp, broker, kafka)).as("JFR agent (other ns) -> Kafka")
        .isTrue();
    assertThat(policies.allows(taskManager, broker, kafka)).as("Flink -> Kafka").isTrue();
    assertThat(policies.allows(taskManager, clickhouse, 8123)).as("Flink -> ClickHouse").isTrue();
    assertThat(policies.allows(grafana, clickhouse, 8123)).as("Grafana -> ClickHouse").isTrue();
    assertThat(policies.allows(migrate, clickhouse, 8123)).as("migrations -> ClickHouse")
        .isTrue();
    assertThat(policies.allows(clickhouse, clickhouse, 9009)).as("replication").isTrue();
    assertThat(policies.allows(clickhouse, keeper, 2181)).as("ClickHouse -> Keeper").isTrue();
    assertThat(policies.allows(keeper, keeper, 9444)).as("Keeper Raft").isTrue();
    assertThat(policies.allows(chOperator, clickhouse, 8123)).as("operator -> ClickHouse")
        .isTrue();
    assertThat(policies.allows(taskManager, jobManager, 6123)).as("TM -> JM RPC").isTrue();
    assertThat(policies.allows(jobManager, taskManager, 6122)).as("JM -> TM RPC").isTrue();
    assertThat(policies.allows(flinkOperator, jobManager, 8081)).as("operator -> Flink REST")
        .isTrue();
    assertThat(policies.allows(intruder, grafana, 3000)).as("users -> Grafana").isTrue();
    assertThat(kafka).as("the TLS listener, not Kafka's plaintext default").isEqualTo(9093);

    // denied
    assertThat(policies.allows(intruder, clickhouse, 8123)).as("unlabelled -> ClickHouse")
        .isFalse();
    assertThat(policies.allows(intruder, broker, kafka)).as("unlabelled -> Kafka").isFalse();
    assertThat(policies.allows(intruder, jobManager, 8081)).as("unlabelled -> Flink").isFalse();
    assertThat(policies.allows(intruder, keeper, 2181)).as("unlabelled -> Keeper").isFalse();
    assertThat(policies.allows(grafana, broker, kafka)).as("Grafana -> Kafka").isFalse();
    assertThat(policies.allows(collector, clickhouse, 8123)).as("collector -> ClickHouse")
        .isFalse();
    assertThat(policies.allows(collector, grafana, 3000)).as("collector egress").isFalse();
    assertThat(policies.allows(migrate, broker, kafka)).as("migrations -> Kafka").isFalse();
    assertThat(policies.allows(intruder, collector, 8080)).as("-> collector").isFalse();
    assertThat(policies.allows(grafana, clickhouse, 9000)).as("Grafana -> native port")
        .isFalse();
    assertThat(policies.allows(collector, broker, 9092)).as("no plaintext port").isFalse();
    assertThat(policies.allows(taskManager, broker, 9092)).as("no plaintext port").isFalse();
  }

  private static Pod templatePod(Map<String, Object> workload) {
    return new Pod((String) at(workload, "metadata", "namespace"),
        at(workload, "spec", "template", "metadata", "labels"));
  }

  private static Pod withLabel(Pod pod, String key, String value) {
    Map<String, Object> labels = new HashMap<>(pod.labels());
    labels.put(key, value);
    return new Pod(pod.namespace(), labels);
  }
}
