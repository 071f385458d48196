package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.kustomize.Kustomizer;
import io.memfleet.k8s.kustomize.YamlDocs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No credential in plain text anywhere; every Secret referenced is one k8s/secrets makes. */
class SecretsTest {

  @Test
  void noFileAndNoBuiltResourceHoldsACredentialInPlainText() {
    List<String> findings = new ArrayList<>();
    for (Path f : K8sTree.yamlFiles()) {
      Object first = YamlDocs.firstValue(K8sTree.read(f));
      if (first instanceof Map<?, ?>) {
        YamlDocs.readAll(f).forEach(d -> findings.addAll(PlaintextSecrets.scan(d, f.toString())));
      } else {
        findings.addAll(PlaintextSecrets.scan(first, f.toString()));
      }
    }
    for (String build : K8sTree.BUILDS) {
      K8sTree.build(build).forEach(r -> findings.addAll(PlaintextSecrets.scan(r,
          build + " " + r.get("kind") + "/" + at(r, "metadata", "name"))));
    }
    assertThat(findings).isEmpty();
  }

  @Test
  void theExampleEnvFilesHoldNoValuesAndRealOnesAreIgnoredByGit() throws IOException {
    Path dir = K8sTree.root().resolve("secrets");
    assertThat(K8sTree.read(dir.resolve(".gitignore")).lines()).contains("*.env");
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> examples = s.filter(p -> p.toString().endsWith(".env.example")).toList();
      assertThat(examples).hasSize(3);
      for (Path p : examples) {
        for (String line : K8sTree.read(p).lines().toList()) {
          if (line.isBlank() || line.startsWith("#")) {
            continue;
          }
          String value = line.substring(line.indexOf('=') + 1);
          // user names are no secret; every credential is left for the operator to fill in
          if (PlaintextSecretsNames.isCredential(line.substring(0, line.indexOf('=')))) {
            assertThat(value).as(p + ": " + line).isEmpty();
          }
        }
      }
    }
  }

  @Test
  void everySecretReferenceIsMadeByTheSecretsKustomization(@TempDir Path tmp) throws IOException {
    // build k8s/secrets as a user would after filling in the examples
    Path copy = tmp.resolve("secrets");
    Files.createDirectories(copy);
    try (Stream<Path> s = Files.list(K8sTree.root().resolve("secrets"))) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString().replace(".env.example", ".env");
        Files.copy(p, copy.resolve(name));
      }
    }
    Map<String, Set<String>> made = new HashMap<>();
    for (Map<String, Object> r : new Kustomizer().build(copy)) {
      assertThat(r.get("kind")).isEqualTo("Secret");
      assertThat((Object) at(r, "metadata", "namespace")).isEqualTo("memfleet");
      made.put(at(r, "metadata", "name"), ((Map<String, Object>) r.get("data")).keySet());
    }

    Set<String> referenced = new HashSet<>();
    for (String build : K8sTree.BUILDS) {
      var res = K8sTree.build(build);
      // what Strimzi makes in the namespace: a Secret per SCRAM KafkaUser (its generated
      // password, and a JAAS line with it) and the cluster CA's certificate per Kafka cluster
      Map<String, Set<String>> byStrimzi = new HashMap<>();
      for (Map<String, Object> u : K8sTree.ofKind(res, "KafkaUser")) {
        if ("scram-sha-512".equals(at(u, "spec", "authentication", "type"))) {
          byStrimzi.put(at(u, "metadata", "name"), Set.of("password", "sasl.jaas.config"));
        }
      }
      for (Map<String, Object> k : K8sTree.ofKind(res, "Kafka")) {
        byStrimzi.put(at(k, "metadata", "name") + "-cluster-ca-cert",
            Set.of("ca.crt", "ca.p12", "ca.password"));
      }
      Set<String> inBuild = new HashSet<>();
      for (Map<String, Object> r : res) {
        inBuild.addAll(secretReferences(r));
        if ("ClickHouseInstallation".equals(r.get("kind"))) {
          Map<String, Object> users = at(r, "spec", "configuration", "users");
          users.forEach((k, v) -> {
            if (k.contains("/k8s_secret_")) {
              inBuild.add((String) v);
            }
          });
        }
      }
      for (String ref : inBuild) {
        String[] nameKey = ref.split("/");
        Set<String> keys = made.containsKey(nameKey[0]) ? made.get(nameKey[0])
            : byStrimzi.get(nameKey[0]);
        assertThat(keys).as(build + ": " + ref + " is made by k8s/secrets or Strimzi")
            .isNotNull().contains(nameKey[1]);
      }
      referenced.addAll(inBuild);
    }
    assertThat(referenced).hasSizeGreaterThanOrEqualTo(10).contains(
        "memfleet-cluster-ca-cert/ca.crt", "memfleet-pipeline/password",
        "memfleet-node-collector/password", "memfleet-ebpf-collector/password");
  }

  /**
   * Every Secret key a resource refers to, as {@code name/key}: {@code secretKeyRef}s, and the
   * {@code items} of Secret volumes and of projected volumes' Secret sources. A whole Secret
   * mounted without {@code items} is a failure: the pod would get keys it does not need.
   */
  @SuppressWarnings("unchecked")
  static Set<String> secretReferences(Map<String, Object> resource) {
    Set<String> out = new HashSet<>();
    K8sTree.visit(resource, m -> {
      if (m.get("secretKeyRef") instanceof Map<?, ?> ref) {
        out.add(ref.get("name") + "/" + ref.get("key"));
      }
      if (m.get("secret") instanceof Map<?, ?> secret) {
        Object name = secret.get("secretName") != null ? secret.get("secretName")
            : secret.get("name");
        List<Map<String, Object>> items = (List<Map<String, Object>>) secret.get("items");
        assertThat(items).as("Secret %s mounted with its items listed", name).isNotEmpty();
        items.forEach(i -> out.add(name + "/" + i.get("key")));
      }
    });
    return out;
  }

  @Test
  void theScannerFindsPlantedCredentials() {
    String planted = """
        apiVersion: v1
        kind: Secret
        metadata: {name: oops}
        stringData: {password: hunter2}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          template:
            spec:
              containers:
                - name: c
                  env:
                    - {name: DB_PASSWORD, value: hunter2}
                    - {name: KAFKA_URL, value: "https://svc:hunter2@kafka:9092"}
                    - {name: KAFKA_PASSWORD_FILE, value: hunter2}
                    - {name: KAFKA_PASSWORD_FILE, value: /etc/memfleet/kafka/password}
        ---
        apiVersion: clickhouse.altinity.com/v1
        kind: ClickHouseInstallation
        metadata: {name: c}
        spec:
          configuration:
            users:
              memfleet/password: hunter2
              grafana/password_sha256_hex: 2bb80d537b1da3e38bd30361aa855686bde0eacd71
        ---
        apiVersion: flink.apache.org/v1beta1
        kind: FlinkDeployment
        metadata: {name: f}
        spec:
          flinkConfiguration:
            s3.secret-key: hunter2
            s3.access-key: AKIAEXAMPLE
        """;
    List<String> findings = new ArrayList<>();
    YamlDocs.parseAll(planted, "planted")
        .forEach(d -> findings.addAll(PlaintextSecrets.scan(d, "planted")));
    assertThat(String.join("\n", findings)).contains("a Secret with its values",
        "env DB_PASSWORD", "URL with credentials", "env[2] env KAFKA_PASSWORD_FILE",
        "memfleet/password",
        "grafana/password_sha256_hex", "s3.secret-key", "s3.access-key");
    // a *_FILE setting naming an absolute path says where the password is: not a finding
    assertThat(findings).hasSize(9).noneMatch(f -> f.contains("env[3]"));
  }
}
