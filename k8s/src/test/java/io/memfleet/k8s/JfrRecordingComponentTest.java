package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.kustomize.Kustomizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code components/jfr-recording}: a labelled JVM workload gets memfleet's recording (flags in
 * {@code JAVA_TOOL_OPTIONS}, the settings file from a ConfigMap, an emptyDir for the repository)
 * and nothing else — no hostPath, no agent, no other container touched, resources unchanged. The
 * settings file and flags equal collectors/jfr's ({@code JfrSettingsTest} checks that side).
 */
class JfrRecordingComponentTest {
  private static final List<Map<String, Object>> RES = new Kustomizer()
      .build(K8sTree.root().resolve("src/test/resources/jvm-recording-app"));

  @Test
  void labelledJvmGetsMemfleetsRecordingReadFromOutside() {
    Map<String, Object> pod = K8sTree.podSpecs(K8sTree.one(RES, "Deployment", "shop")).get(0);
    Map<String, Object> app = container(pod, "app");
    Map<String, String> env = env(app);
    assertThat(env).containsEntry("SHOP_MODE", "demo").containsEntry("MEMFLEET_SERVICE", "shop");
    String options = env.get("JAVA_TOOL_OPTIONS");
    assertThat(options).doesNotContain("-javaagent");

    Map<String, String> mounts = new HashMap<>();
    for (Map<String, Object> m : (List<Map<String, Object>>) app.get("volumeMounts")) {
      mounts.put((String) m.get("name"), (String) m.get("mountPath"));
    }
    Map<String, Map<String, Object>> volumes = new HashMap<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) pod.get("volumes")) {
      volumes.put((String) v.get("name"), v);
    }
    // the flags name the mounted settings file and the repository volume
    assertThat(options).isEqualTo("-XX:StartFlightRecording=name=memfleet,settings="
        + mounts.get("memfleet-jfc") + "/memfleet.jfc,disk=true,maxsize=32m,maxage=15m"
        + " -XX:StartFlightRecording=name=memfleet-old-object-stacks,settings="
        + mounts.get("memfleet-jfc") + "/memfleet-old-object-stacks.jfc,disk=false"
        + " -XX:FlightRecorderOptions=repository=" + mounts.get("memfleet-jfr"));
    assertThat((Object) at(volumes.get("memfleet-jfc"), "configMap", "name"))
        .isEqualTo("memfleet-jfc");
    assertThat((Object) at(volumes.get("memfleet-jfr"), "emptyDir", "sizeLimit")).isNotNull();
    assertThat(volumes.values()).noneMatch(v -> v.containsKey("hostPath"));

    Map<String, Object> jfc = K8sTree.one(RES, "ConfigMap", "memfleet-jfc");
    assertThat((Object) at(jfc, "metadata", "namespace")).isEqualTo("shop");
    assertThat((String) at(jfc, "data", "memfleet.jfc"))
        .isEqualTo(K8sTree.read(K8sTree.root().resolve("components/jfr-recording/memfleet.jfc")))
        .contains("jdk.ObjectAllocationSample", "jdk.GarbageCollection");
    assertThat((String) at(jfc, "data", "memfleet-old-object-stacks.jfc"))
        .isEqualTo(K8sTree.read(
            K8sTree.root().resolve("components/jfr-recording/memfleet-old-object-stacks.jfc")))
        .contains("jdk.OldObjectSample").doesNotContain("jdk.GarbageCollection");

    // the other container, and the unlabelled workload, are left alone
    assertThat(container(pod, "log-shipper")).doesNotContainKeys("env", "volumeMounts");
    Map<String, Object> cart = K8sTree.podSpecs(K8sTree.one(RES, "Deployment", "cart")).get(0);
    assertThat(container(cart, "app")).doesNotContainKeys("env", "volumeMounts");
    assertThat(cart).doesNotContainKey("volumes");
    ContainersTest.checkResources("shop app", at(app, "resources"));
    // compared as maps: Map.of's iteration order differs from one JVM to the next
    assertThat((Map<String, Object>) at(app, "resources")).isEqualTo(Map.of(
        "requests", Map.of("cpu", "100m", "memory", "256Mi"),
        "limits", Map.of("cpu", "1", "memory", "512Mi")));
  }

  private static Map<String, Object> container(Map<String, Object> pod, String name) {
    return K8sTree.containers(pod).stream().filter(c -> name.equals(c.get("name"))).findFirst()
        .orElseThrow();
  }

  private static Map<String, String> env(Map<String, Object> container) {
    Map<String, String> env = new HashMap<>();
    for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
      env.put((String) e.get("name"), (String) e.get("value"));
    }
    return env;
  }
}
