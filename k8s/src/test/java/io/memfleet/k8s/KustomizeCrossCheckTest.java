package io.memfleet.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.kustomize.Kustomizer;
import io.memfleet.k8s.kustomize.YamlDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Opt-in: compares the Kustomize-subset builder with the real {@code kubectl kustomize} on the
 * base, both overlays and the JFR agent component. It needs kubectl, which the test machines do
 * not install, so it runs only when asked:
 *
 * <pre>
 * MEMFLEET_KUSTOMIZE_CROSSCHECK=1 mvn -B -ntp -f k8s/pom.xml verify -Dtest=KustomizeCrossCheckTest
 * </pre>
 *
 * <p>The variable may also name another copy of the k8s/ tree to compare on.
 */
@EnabledIfEnvironmentVariable(named = "MEMFLEET_KUSTOMIZE_CROSSCHECK", matches = ".+")
class KustomizeCrossCheckTest {

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/dev", "overlays/prod", "src/test/resources/jvm-app"})
  void builderMatchesKubectlKustomize(String dir) throws Exception {
    String override = System.getenv("MEMFLEET_KUSTOMIZE_CROSSCHECK");
    Path root = Files.isDirectory(Path.of(override)) ? Path.of(override) : K8sTree.root();
    Path target = root.resolve(dir);
    if (!Files.isDirectory(target)) {
      target = K8sTree.root().resolve(dir);
    }
    Process p = new ProcessBuilder("kubectl", "kustomize", target.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("kubectl kustomize exit").isZero();

    Map<String, Object> ours = byId(new Kustomizer().build(target));
    Map<String, Object> theirs = byId(YamlDocs.parseAll(out, "kubectl kustomize"));
    assertThat(ours.keySet()).isEqualTo(theirs.keySet());
    for (String id : theirs.keySet()) {
      // sorted keys, so the comparison is of content; list order counts
      assertThat(YamlDocs.write(ours.get(id))).as(id).isEqualTo(YamlDocs.write(theirs.get(id)));
    }
  }

  private static Map<String, Object> byId(List<Map<String, Object>> res) {
    Map<String, Object> out = new TreeMap<>();
    for (Map<String, Object> r : res) {
      out.put(r.get("kind") + "/" + YamlDocs.at(r, "metadata", "namespace") + "/"
          + YamlDocs.at(r, "metadata", "name"), sorted(r));
    }
    return out;
  }

  private static Object sorted(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new TreeMap<>();
      m.forEach((k, v) -> out.put((String) k, sorted(v)));
      return out;
    }
    if (node instanceof List<?> l) {
      return l.stream().map(KustomizeCrossCheckTest::sorted).toList();
    }
    return node;
  }
}
