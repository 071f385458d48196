package io.memfleet.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.kustomize.Kustomizer;
import io.memfleet.k8s.kustomize.YamlDocs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares the Kustomize-subset builder the other tests use with the real {@code kubectl
 * kustomize} on the base, both overlays and the JFR agent component: same objects, same content.
 *
 * <p>Needs {@code kubectl} on the PATH (the machine image has kubectl 1.32 with Kustomize 5.5.0).
 * Without it the tests skip and say why, except under {@code CI=true}, where they fail: CI must
 * not pass on a machine that silently lost the cross-check. This is the rule of the localstack
 * test-jar's {@code Capabilities}, written out here so that this module does not pull in the
 * local Kafka broker and its test suite for one check.
 *
 * <p>{@code MEMFLEET_KUSTOMIZE_CROSSCHECK} may name another copy of the k8s/ tree to compare on.
 */
class KustomizeCrossCheckTest {

  private static final boolean KUBECTL = kubectlAnswers();

  @BeforeEach
  void needsKubectl() {
    if (!KUBECTL) {
      String message = "missing capability: kubectl on the PATH (for kubectl kustomize)";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        Assertions.fail(message + " (CI=true, so this fails instead of skipping)");
      }
      Assumptions.abort(message + " (skipped outside CI)");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/dev", "overlays/prod", "src/test/resources/jvm-app",
      "src/test/resources/malloc-escalation-collector"})
  void builderMatchesKubectlKustomize(String dir) throws Exception {
    String override = System.getenv("MEMFLEET_KUSTOMIZE_CROSSCHECK");
    Path root = override != null && Files.isDirectory(Path.of(override)) ? Path.of(override)
        : K8sTree.root();
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

  private static boolean kubectlAnswers() {
    try {
      Process p = new ProcessBuilder("kubectl", "version", "--client")
          .redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
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
