package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The node collector gets exactly the capabilities documented, with a reason each, in
 * k8s/README.md ("Collector capabilities"): docs and manifests cannot drift apart.
 */
class CollectorCapabilitiesTest {
  static final List<String> BUILDS = K8sTree.BUILDS;
  private static final Pattern ROW = Pattern.compile(
      "^\\|\\s*`([a-z0-9-]+)`\\s*\\|\\s*`([A-Z_]+)`\\s*\\|\\s*(.*?)\\s*\\|\\s*$");

  /** container → capabilities, from the README table. */
  static Map<String, Set<String>> documented() {
    String readme = K8sTree.read(K8sTree.root().resolve("README.md"));
    int start = readme.indexOf("## Collector capabilities");
    assertThat(start).as("README section 'Collector capabilities'").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    Map<String, Set<String>> out = new HashMap<>();
    for (String line : readme.substring(start, end < 0 ? readme.length() : end).split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        assertThat(m.group(3)).as("reason for " + m.group(2)).hasSizeGreaterThan(20);
        out.computeIfAbsent(m.group(1), c -> new TreeSet<>()).add(m.group(2));
      }
    }
    return out;
  }

  @Test
  void theReadmeTableIsReadable() {
    Map<String, Set<String>> doc = documented();
    assertThat(doc).containsOnlyKeys("node", "ebpf");
    assertThat(doc.get("ebpf")).contains("BPF", "PERFMON");
    assertThat(doc.get("ebpf")).doesNotContain("SYS_ADMIN");
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void daemonSetCapabilitiesEqualTheDocumentedList(String build) {
    Map<String, Object> ds = K8sTree.one(K8sTree.build(build), "DaemonSet", "memfleet-collector");
    Map<String, Object> pod = at(ds, "spec", "template", "spec");
    assertThat((Object) pod.get("hostPID")).isEqualTo(true);
    assertThat(pod.get("hostNetwork")).isNotEqualTo(true);

    Map<String, Set<String>> actual = new HashMap<>();
    for (Map<String, Object> c : K8sTree.containers(pod)) {
      String name = (String) c.get("name");
      Map<String, Object> sc = at(c, "securityContext");
      assertThat(sc).as(name).isNotNull();
      assertThat(sc.get("privileged")).as(name + " privileged").isNotEqualTo(true);
      assertThat((Object) sc.get("allowPrivilegeEscalation")).as(name).isEqualTo(false);
      assertThat((Object) sc.get("readOnlyRootFilesystem")).as(name).isEqualTo(true);
      assertThat((List<String>) at(sc, "capabilities", "drop")).as(name).containsExactly("ALL");
      List<String> add = at(sc, "capabilities", "add");
      actual.put(name, add == null ? Set.of() : new TreeSet<>(add));
    }
    assertThat(actual).isEqualTo(documented());
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void hostPathsAreTheDocumentedOnesAndOnlyTheSpoolIsWritable(String build) {
    Map<String, Object> ds = K8sTree.one(K8sTree.build(build), "DaemonSet", "memfleet-collector");
    Map<String, Object> pod = at(ds, "spec", "template", "spec");
    Map<String, String> hostPaths = new HashMap<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) pod.get("volumes")) {
      if (v.get("hostPath") != null) {
        hostPaths.put((String) v.get("name"), at(v, "hostPath", "path"));
      }
    }
    assertThat(hostPaths.values()).containsExactlyInAnyOrder("/proc", "/sys/fs/cgroup",
        "/sys/kernel/tracing", "/var/lib/memfleet/spool");
    for (Map<String, Object> c : K8sTree.containers(pod)) {
      for (Map<String, Object> mount : (List<Map<String, Object>>) c.get("volumeMounts")) {
        String host = hostPaths.get(mount.get("name"));
        if (host != null && !host.equals("/var/lib/memfleet/spool")) {
          assertThat((Object) mount.get("readOnly")).as(c.get("name") + " " + host)
              .isEqualTo(true);
        }
      }
    }
  }
}
