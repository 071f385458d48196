package io.memfleet.k8s;

import io.memfleet.k8s.kustomize.Kustomizer;
import io.memfleet.k8s.kustomize.Origins;
import io.memfleet.k8s.schema.CustomResourceSchemas;
import io.memfleet.k8s.schema.GrafanaDashboardSchema;
import io.memfleet.k8s.schema.KubernetesApiSchema;
import io.memfleet.k8s.schema.ManifestValidator;
import io.memfleet.k8s.schema.SchemaViolation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The schemas memfleet's manifests are checked against, and the check of a whole build. The
 * versions here are the ones {@code k8s/README.md} installs: keep them in step.
 *
 * <ul>
 *   <li>{@link #installed()}: Kubernetes 1.32, Flink Kubernetes Operator 1.13.0, Strimzi 0.51.0,
 *       Altinity ClickHouse operator 0.25.6 — what the README's install steps deploy;
 *   <li>{@link #strimzi1()}: the same with Strimzi 1.2.0, which serves only {@code
 *       kafka.strimzi.io/v1}: the Strimzi objects must already be valid there, so moving to 1.x
 *       is an operator upgrade, not a rewrite.
 * </ul>
 *
 * <pre>{@code
 * List<SchemaViolation> problems =
 *     ManifestSchemas.validateBuild(K8sTree.root(), "overlays/prod", ManifestSchemas.installed());
 * }</pre>
 */
public final class ManifestSchemas {
  public static final String FLINK_OPERATOR = "Flink Kubernetes Operator 1.13.0";
  public static final String STRIMZI = "Strimzi 0.51.0";
  public static final String STRIMZI_NEXT = "Strimzi 1.2.0";
  /**
   * The Kafka versions Strimzi 0.51.0 runs: the entries with {@code supported: true} in its
   * {@code kafka-versions.yaml} (tag 0.51.0). Strimzi 1.2.0 runs only 4.2.0, 4.2.1, 4.3.0 and
   * 4.3.1, so it cannot run the brokers at memfleet's Kafka version (4.1.1) — why the README
   * installs 0.51.0.
   */
  public static final Set<String> STRIMZI_KAFKA_VERSIONS = Set.of("4.1.0", "4.1.1", "4.2.0");
  public static final String ALTINITY = "Altinity ClickHouse operator 0.25.6";

  private static final ManifestValidator INSTALLED = validator(STRIMZI, "strimzi-0.51.0");
  private static final ManifestValidator STRIMZI_1 = validator(STRIMZI_NEXT, "strimzi-1.2.0");

  private ManifestSchemas() {}

  /** The vendored schemas (src/test/resources/schemas, provenance in its README). */
  public static Path dir() {
    return K8sTree.root().resolve("src/test/resources/schemas");
  }

  /** The operator releases the README installs. */
  public static ManifestValidator installed() {
    return INSTALLED;
  }

  /** The same with Strimzi 1.2.0. */
  public static ManifestValidator strimzi1() {
    return STRIMZI_1;
  }

  /** Grafana 11.6.3's dashboard schema. */
  public static GrafanaDashboardSchema grafana() {
    return GrafanaDashboardSchema.load(dir().resolve("grafana-11.6.3-dashboard-schema.json"));
  }

  /**
   * Builds {@code build} (a kustomization directory under {@code root}) and validates every
   * object; each violation names the build and the file the object comes from.
   */
  public static List<SchemaViolation> validateBuild(Path root, String build,
      ManifestValidator validator) {
    Path dir = root.resolve(build);
    Map<String, String> origins = Origins.of(root, dir);
    List<SchemaViolation> out = new ArrayList<>();
    for (Map<String, Object> r : new Kustomizer().build(dir)) {
      String file = build + " → " + origins.getOrDefault(Origins.key(r), "?");
      out.addAll(validator.validate(r, file));
    }
    return out;
  }

  private static ManifestValidator validator(String strimzi, String strimziFiles) {
    Path d = dir();
    return ManifestValidator.builder()
        .kubernetes(KubernetesApiSchema.v1_32())
        .operator(CustomResourceSchemas.load(FLINK_OPERATOR,
            d.resolve("flink-1.13.0-flinkdeployments.yaml")))
        .operator(CustomResourceSchemas.load(strimzi,
            d.resolve(strimziFiles + "-kafka.yaml"),
            d.resolve(strimziFiles + "-kafkanodepool.yaml"),
            d.resolve(strimziFiles + "-kafkatopic.yaml"),
            d.resolve(strimziFiles + "-kafkauser.yaml")))
        .operator(CustomResourceSchemas.load(ALTINITY, d.resolve("altinity-0.25.6-crds.yaml")))
        .build();
  }
}
