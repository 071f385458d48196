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
      for (Map<String, Object> r : K8sTree.build(build)) {
        K8sTree.visit(r, m -> {
          if (m.get("secretKeyRef") instanceof Map<?, ?> ref) {
            referenced.add(ref.get("name") + "/" + ref.get("key"));
          }
        });
        if ("ClickHouseInstallation".equals(r.get("kind"))) {
          Map<String, Object> users = at(r, "spec", "configuration", "users");
          users.forEach((k, v) -> {
            if (k.contains("/k8s_secret_")) {
              referenced.add((String) v);
            }
          });
        }
      }
    }
    assertThat(referenced).hasSizeGreaterThanOrEqualTo(5);
    for (String ref : referenced) {
      String[] nameKey = ref.split("/");
      assertThat(made).as(ref).containsKey(nameKey[0]);
      assertThat(made.get(nameKey[0])).as(ref).contains(nameKey[1]);
    }
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
        "env DB_PASSWORD", "URL with credentials", "memfleet/password",
        "grafana/password_sha256_hex", "s3.secret-key", "s3.access-key");
    assertThat(findings).hasSize(8);
  }
}
