package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.kustomize.Kustomizer;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Nothing reaches Kafka in the clear or without logging in: the brokers' only listener is TLS with
 * SCRAM-SHA-512 and ACLs apply to every request; every memfleet Kafka client the manifests run —
 * the DaemonSet's two containers, the Flink job, the JFR agent in an application's pod — is
 * configured, through memfleet's own {@code MEMFLEET_KAFKA_*} settings, for SASL_SSL as its own
 * KafkaUser, with the password file from that user's Secret and the CA file from the cluster CA's
 * Secret, at the TLS listener's port under a name its certificate carries.
 */
class KafkaClientsTest {
  static final List<String> BUILDS = K8sTree.BUILDS;
  static final String CLUSTER_CA = "memfleet-cluster-ca-cert";

  /** Who logs in as whom. A new Kafka client in the manifests must be added here. */
  static final Map<String, String> USERS = Map.of(
      "DaemonSet/memfleet-collector node", "memfleet-node-collector",
      "DaemonSet/memfleet-collector ebpf", "memfleet-ebpf-collector",
      "FlinkDeployment/memfleet-pipeline flink-main-container", "memfleet-pipeline",
      "Deployment/shop app", "memfleet-jfr-agent");

  /** Names the listener's certificate is issued for (Strimzi: the bootstrap Service's names). */
  private static final Set<String> BOOTSTRAP_HOSTS = Set.of("memfleet-kafka-bootstrap",
      "memfleet-kafka-bootstrap.memfleet", "memfleet-kafka-bootstrap.memfleet.svc",
      "memfleet-kafka-bootstrap.memfleet.svc.cluster.local");
  private static final Pattern AGENT_BOOTSTRAP = Pattern.compile("[=,]bootstrap=([^,\\s]+)");

  @ParameterizedTest
  @FieldSource("BUILDS")
  void theBrokersAcceptOnlyTlsWithScramAndAuthorizeEveryRequest(String build) {
    Map<String, Object> kafka = K8sTree.one(K8sTree.build(build), "Kafka", "memfleet");
    List<Map<String, Object>> listeners = at(kafka, "spec", "kafka", "listeners");
    assertThat(listeners).isNotEmpty().allSatisfy(l -> {
      assertThat(l).as("listener %s", l.get("name")).containsEntry("tls", true);
      assertThat((Object) at(l, "authentication", "type")).as("listener %s", l.get("name"))
          .isEqualTo("scram-sha-512");
    });
    assertThat((Map<String, Object>) at(kafka, "spec", "kafka", "authorization"))
        .as("ACLs apply to everyone but Strimzi's own components")
        .containsEntry("type", "simple").doesNotContainKey("superUsers");
    assertThat((Map<String, Object>) at(kafka, "spec", "entityOperator", "userOperator"))
        .as("KafkaUsers need the user operator").isNotNull();
    // a client configuration that says otherwise cannot slip through a broker-side setting
    assertThat((Map<String, Object>) at(kafka, "spec", "kafka", "config"))
        .doesNotContainKeys("allow.everyone.if.no.acl.found", "super.users");
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void everyKafkaClientUsesSaslSslAsItsOwnUserWithStrimzisSecrets(String build) {
    var res = K8sTree.build(build);
    List<KafkaClients.Client> clients = KafkaClients.of(res);
    assertThat(clients).extracting(KafkaClients.Client::id).containsExactlyInAnyOrder(
        "DaemonSet/memfleet-collector node", "DaemonSet/memfleet-collector ebpf",
        "FlinkDeployment/memfleet-pipeline flink-main-container");
    assertThat(problems(res, res)).isEmpty();
  }

  @Test
  void theJfrAgentUsesSaslSslAsItsOwnUserFromAnyNamespace() {
    var app = new Kustomizer().build(K8sTree.root().resolve("src/test/resources/jvm-app"));
    assertThat(KafkaClients.of(app)).extracting(KafkaClients.Client::id)
        .containsExactly("Deployment/shop app");
    assertThat(problems(app, K8sTree.build("base"))).isEmpty();
  }

  @Test
  void aClientLeftInTheClearIsFound() {
    var res = K8sTree.build("base");
    ((Map<String, Object>) at(K8sTree.one(res, "ConfigMap", "memfleet-config"), "data"))
        .remove(KafkaSecurity.ENV_PROTOCOL);

    // the user and files stay: memfleet refuses to start rather than connect in the clear
    List<String> problems = problems(res, K8sTree.build("base"));
    assertThat(problems).hasSize(3).allSatisfy(p -> assertThat(p)
        .contains(": a Kafka user name or password file is set but the security protocol is"
            + " PLAINTEXT"));
  }

  @Test
  void aClientWithAnotherUsersPasswordOrThePlaintextPortIsFound() {
    var res = K8sTree.build("base");
    volumeSecret(res, "kafka-ebpf", 0).put("name", "memfleet-node-collector");
    ((Map<String, Object>) at(K8sTree.one(res, "ConfigMap", "memfleet-config"), "data"))
        .put("MEMFLEET_KAFKA_BOOTSTRAP_SERVERS", "memfleet-kafka-bootstrap:9092");

    assertThat(problems(res, K8sTree.build("base"))).containsExactlyInAnyOrder(
        "DaemonSet/memfleet-collector ebpf: password file /etc/memfleet/kafka/password is"
            + " SecretKey[secret=memfleet-node-collector, key=password], expected"
            + " SecretKey[secret=memfleet-ebpf-collector, key=password]",
        "DaemonSet/memfleet-collector node: bootstrap memfleet-kafka-bootstrap:9092 is not the"
            + " TLS listener (port 9093, a name in its certificate)",
        "DaemonSet/memfleet-collector ebpf: bootstrap memfleet-kafka-bootstrap:9092 is not the"
            + " TLS listener (port 9093, a name in its certificate)",
        "FlinkDeployment/memfleet-pipeline flink-main-container: bootstrap"
            + " memfleet-kafka-bootstrap:9092 is not the TLS listener (port 9093, a name in its"
            + " certificate)");
  }

  /**
   * What is wrong with the Kafka clients of {@code res}; {@code kafka} is the build holding the
   * Kafka cluster and its users ({@code res} itself, or the base for an application's pods).
   */
  static List<String> problems(List<Map<String, Object>> res, List<Map<String, Object>> kafka) {
    List<String> out = new ArrayList<>();
    int port = KafkaClients.listenerPort(kafka);
    for (KafkaClients.Client c : KafkaClients.of(res)) {
      String id = c.id();
      KafkaSecurity s;
      try {
        s = c.security();
      } catch (IllegalArgumentException e) {
        out.add(id + ": " + e.getMessage());
        continue;
      }
      if (s.protocol() != KafkaSecurity.Protocol.SASL_SSL) {
        out.add(id + ": security protocol " + s.protocol());
      }
      if (!"SCRAM-SHA-512".equals(s.mechanism())) {
        out.add(id + ": SASL mechanism " + s.mechanism());
      }
      String user = USERS.get(id);
      if (user == null || !user.equals(s.username())) {
        out.add(id + ": logs in as " + s.username() + ", expected " + user);
      } else if (K8sTree.ofKind(kafka, "KafkaUser").stream()
          .noneMatch(u -> user.equals(at(u, "metadata", "name")))) {
        out.add(id + ": no KafkaUser " + user);
      }
      check(out, c, "password file", s.passwordFile(),
          new KafkaClients.SecretKey(s.username(), "password"));
      check(out, c, "CA file", s.caFile(), new KafkaClients.SecretKey(CLUSTER_CA, "ca.crt"));
      List<String> bootstrap = bootstrapAddresses(c);
      if (bootstrap.isEmpty()) {
        out.add(id + ": no Kafka bootstrap address");
      }
      for (String address : bootstrap) {
        String host = address.substring(0, address.lastIndexOf(':'));
        boolean otherNamespace = !"memfleet".equals(namespaceOf(res, id));
        if (!address.endsWith(":" + port) || !BOOTSTRAP_HOSTS.contains(host)
            || (otherNamespace && !host.contains(".memfleet."))) {
          out.add(id + ": bootstrap " + address + " is not the TLS listener (port " + port
              + ", a name in its certificate" + (otherNamespace ? " with the namespace" : "")
              + ")");
        }
      }
    }
    return out;
  }

  private static void check(List<String> out, KafkaClients.Client c, String what, String file,
      KafkaClients.SecretKey expected) {
    if (file == null) {
      out.add(c.id() + ": no " + what);
      return;
    }
    KafkaClients.SecretKey actual = c.files().get(file);
    if (!expected.equals(actual)) {
      out.add(c.id() + ": " + what + " " + file + " is " + actual + ", expected " + expected);
    }
  }

  /** Every Kafka address the client is given: collectors', the pipeline's, the agent's option. */
  private static List<String> bootstrapAddresses(KafkaClients.Client c) {
    List<String> out = new ArrayList<>();
    for (String key : List.of("MEMFLEET_KAFKA_BOOTSTRAP", "MEMFLEET_KAFKA_BOOTSTRAP_SERVERS")) {
      if (c.env().get(key) != null) {
        out.addAll(List.of(c.env().get(key).split(",")));
      }
    }
    Matcher agent = AGENT_BOOTSTRAP.matcher(c.env().getOrDefault("JAVA_TOOL_OPTIONS", ""));
    while (agent.find()) {
      out.addAll(List.of(agent.group(1).split(";")));
    }
    return out;
  }

  private static String namespaceOf(List<Map<String, Object>> res, String clientId) {
    String[] kindName = clientId.substring(0, clientId.indexOf(' ')).split("/");
    Object ns = at(K8sTree.one(res, kindName[0], kindName[1]), "metadata", "namespace");
    return ns == null ? "" : (String) ns;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> volumeSecret(List<Map<String, Object>> res, String name,
      int source) {
    Map<String, Object> pod = at(K8sTree.one(res, "DaemonSet", "memfleet-collector"), "spec",
        "template", "spec");
    Map<String, Object> v = ((List<Map<String, Object>>) pod.get("volumes")).stream()
        .filter(x -> name.equals(x.get("name"))).findFirst().orElseThrow();
    return (Map<String, Object>) ((List<Map<String, Object>>) at(v, "projected", "sources"))
        .get(source).get("secret");
  }
}
