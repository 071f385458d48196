package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code components/malloc-escalation}: the collector DaemonSet's eBPF container gets a writable
 * {@code /sys/kernel/tracing} (perf probe writes {@code uprobe_events} there) and nothing else
 * changes — no capability, no other mount, no other container, no other resource. That it is
 * enough for the escalation to probe a leaking process with exactly the container's capabilities
 * is {@code EbpfContainerCommandIT}'s.
 */
class MallocEscalationComponentTest {
  private static final String BUILD = "src/test/resources/malloc-escalation-collector";

  @Test
  void onlyTheEbpfContainersTracefsMountBecomesWritable() {
    List<Map<String, Object>> base = K8sTree.build("base");
    List<Map<String, Object>> withComponent = K8sTree.build(BUILD);
    Map<String, Object> daemonSet =
        K8sTree.one(withComponent, "DaemonSet", "memfleet-collector");
    Map<String, Object> tracing = tracingMount(daemonSet);
    assertThat((Object) tracing.get("readOnly")).isEqualTo(false);
    assertThat((Object) tracingMount(K8sTree.one(base, "DaemonSet", "memfleet-collector"))
        .get("readOnly")).as("the base keeps it read-only").isEqualTo(true);

    // put the base's flag back: then everything built is the base's, field for field
    tracing.put("readOnly", true);
    assertThat(byId(withComponent)).isEqualTo(byId(base));
  }

  private static Map<String, Object> tracingMount(Map<String, Object> daemonSet) {
    Map<String, Object> ebpf = K8sTree.containers(at(daemonSet, "spec", "template", "spec"))
        .stream().filter(c -> "ebpf".equals(c.get("name"))).findFirst().orElseThrow();
    List<Map<String, Object>> mounts = at(ebpf, "volumeMounts");
    return mounts.stream().filter(m -> "/sys/kernel/tracing".equals(m.get("mountPath")))
        .findFirst().orElseThrow();
  }

  /** Resources by kind/namespace/name, containers and mounts by name: order set aside. */
  private static Map<String, String> byId(List<Map<String, Object>> res) {
    Map<String, String> out = new java.util.TreeMap<>();
    for (Map<String, Object> r : res) {
      out.put(r.get("kind") + "/" + at(r, "metadata", "namespace") + "/"
          + at(r, "metadata", "name"), canonical(r));
    }
    return out;
  }

  private static String canonical(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, String> sorted = new java.util.TreeMap<>();
      m.forEach((k, v) -> sorted.put(String.valueOf(k), canonical(v)));
      return sorted.toString();
    }
    if (node instanceof List<?> l) {
      return l.stream().map(MallocEscalationComponentTest::canonical).sorted().toList()
          .toString();
    }
    return String.valueOf(node);
  }
}
