package io.memfleet.k8s.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.k8s.kustomize.YamlDocs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kubernetes 1.32's built-in kinds as read from client-java-api's generated model classes. */
class KubernetesApiSchemaTest {
  private static final KubernetesApiSchema K8S = KubernetesApiSchema.v1_32();
  private static final ManifestValidator VALIDATOR =
      ManifestValidator.builder().kubernetes(K8S).build();

  @Test
  void groupsServeTheirKindsWithTheirScope() {
    assertThat(K8S.kinds("apps/v1")).containsKeys("Deployment", "DaemonSet", "StatefulSet");
    assertThat(K8S.kind("apps/v1", "Deployment").namespaced()).isTrue();
    assertThat(K8S.kind("v1", "Namespace").namespaced()).isFalse();
    assertThat(K8S.kind("rbac.authorization.k8s.io/v1", "ClusterRole").namespaced()).isFalse();
    assertThat(K8S.kinds("policy/v1")).containsKey("PodDisruptionBudget");
    // subresources are no kinds of their own
    assertThat(K8S.kinds("v1")).doesNotContainKeys("PodBinding", "PodEviction");
  }

  @Test
  void theModelIsKubernetes132() {
    // ServiceCIDR and IPAddress went GA in 1.33; in 1.32 they are networking.k8s.io/v1beta1
    assertThat(K8S.kinds("networking.k8s.io/v1")).doesNotContainKey("ServiceCIDR");
    assertThat(K8S.kinds("networking.k8s.io/v1beta1")).containsKey("ServiceCIDR");
    // MutatingAdmissionPolicy came as alpha in 1.32
    assertThat(K8S.kinds("admissionregistration.k8s.io/v1alpha1"))
        .containsKey("MutatingAdmissionPolicy");
  }

  @Test
  void unknownGroupsVersionsAndKindsSayWhatIsServed() {
    assertThatThrownBy(() -> K8S.kind("apps/v1beta2", "Deployment"))
        .hasMessage("Kubernetes 1.32 serves no apiVersion apps/v1beta2");
    assertThatThrownBy(() -> K8S.kind("apps.k8s.io/v1", "Deployment"))
        .hasMessage("Kubernetes 1.32 serves no apiVersion apps.k8s.io/v1 (no API group"
            + " 'apps.k8s.io')");
    assertThatThrownBy(() -> K8S.kind("batch/v1", "Jobs"))
        .hasMessage("Kubernetes 1.32 has no kind Jobs in batch/v1 (it has [CronJob, Job])");
  }

  @Test
  void requiredFieldsTypesAndIntOrStringQuantitiesAreChecked() {
    Map<String, Object> ok = deployment("""
        strategy: {rollingUpdate: {maxUnavailable: 1, maxSurge: "25%"}}
        """, "resources: {limits: {cpu: 1, memory: 1Gi}, requests: {cpu: 500m}}");
    assertThat(VALIDATOR.validate(ok, "ok.yaml")).isEmpty();

    Map<String, Object> bad = deployment("replicas: two\n", "resources: {limits: {cpu: true}}");
    ((Map<String, Object>) ((List<?>) YamlDocs.at(bad, "spec", "template", "spec",
        "containers")).get(0)).remove("name");
    assertThat(VALIDATOR.validate(bad, "bad.yaml"))
        .extracting(v -> v.path() + " " + v.message().contains("required"))
        .containsExactlyInAnyOrder("$.spec.replicas false",
            "$.spec.template.spec.containers[0] true",
            "$.spec.template.spec.containers[0].resources.limits.cpu false");
  }

  private static Map<String, Object> deployment(String spec, String container) {
    return YamlDocs.parseAll("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: app, labels: {app: app}}
        spec:
          selector: {matchLabels: {app: app}}
          template:
            metadata: {labels: {app: app}}
            spec:
              containers:
                - name: app
                  image: app:1
                  %s
        """.formatted(container) + spec.indent(2), "deployment").get(0);
  }
}
