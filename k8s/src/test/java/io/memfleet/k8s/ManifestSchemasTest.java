package io.memfleet.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.schema.ManifestValidator;
import io.memfleet.k8s.schema.SchemaViolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every object of every build validates against the real schemas: Kubernetes 1.32's API for the
 * built-in kinds, and the CRDs of the operator releases the README installs (Flink Kubernetes
 * Operator 1.13.0, Strimzi 0.51.0, Altinity 0.25.6) — and against Strimzi 1.2.0's CRDs too.
 * Unknown fields, wrong types, values outside an enum, missing required fields and apiVersions
 * nobody serves all fail, naming the file, the object and the JSON path.
 */
class ManifestSchemasTest {
  /** What a user deploys, and a JVM app built with the JFR agent component. */
  static final List<String> BUILDS = List.of("base", "overlays/dev", "overlays/prod",
      "src/test/resources/jvm-app");

  @ParameterizedTest
  @FieldSource("BUILDS")
  void everyObjectIsValidForKubernetesAndTheInstalledOperators(String build) {
    assertValid(build, ManifestSchemas.installed());
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void everyObjectIsValidWithStrimzi1(String build) {
    assertValid(build, ManifestSchemas.strimzi1());
  }

  @Test
  void everyKindIsCheckedAgainstTheSchemaOfWhatServesIt() {
    Set<String> used = new TreeSet<>();
    for (String build : K8sTree.BUILDS) {
      K8sTree.build(build).forEach(r -> used.add(ManifestSchemas.installed().schemaOf(r)));
    }
    assertThat(used).containsExactlyInAnyOrder("Kubernetes 1.32", ManifestSchemas.FLINK_OPERATOR,
        ManifestSchemas.STRIMZI, ManifestSchemas.ALTINITY);
  }

  @Test
  void theSecretsAUserGeneratesFromTheExamplesAreValid(@TempDir Path tmp) throws IOException {
    Path copy = Files.createDirectories(tmp.resolve("secrets"));
    try (Stream<Path> s = Files.list(K8sTree.root().resolve("secrets"))) {
      for (Path p : s.toList()) {
        Files.copy(p, copy.resolve(p.getFileName().toString().replace(".env.example", ".env")));
      }
    }
    assertThat(ManifestSchemas.validateBuild(tmp, "secrets", ManifestSchemas.installed()))
        .isEmpty();
  }

  private static void assertValid(String build, ManifestValidator validator) {
    List<SchemaViolation> violations =
        ManifestSchemas.validateBuild(K8sTree.root(), build, validator);
    assertThat(violations).as("%s against %s:%n%s", build, validator.describe(),
        String.join("\n", violations.stream().map(SchemaViolation::toString).toList()))
        .isEmpty();
  }
}
