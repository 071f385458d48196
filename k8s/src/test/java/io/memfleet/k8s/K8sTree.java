package io.memfleet.k8s;

import io.memfleet.k8s.kustomize.Kustomizer;
import io.memfleet.k8s.kustomize.YamlDocs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The k8s/ tree under test: where it is, the project version the Maven build passes in, and the
 * built base and overlays (built once per test run).
 *
 * <pre>{@code
 * List<Map<String, Object>> prod = K8sTree.build("overlays/prod");
 * Map<String, Object> flink = K8sTree.one(prod, "FlinkDeployment", "memfleet-pipeline");
 * }</pre>
 */
public final class K8sTree {
  /** The kustomizations a user deploys (k8s/secrets is built separately, from its examples). */
  public static final List<String> BUILDS = List.of("base", "overlays/dev", "overlays/prod");

  private static final Map<String, List<Map<String, Object>>> BUILT = new ConcurrentHashMap<>();

  private K8sTree() {}

  /** k8s/ (the Maven module directory). */
  public static Path root() {
    return Path.of(System.getProperty("memfleet.k8s.dir", ".")).toAbsolutePath().normalize();
  }

  /** The repository root, parent of k8s/. */
  public static Path repo() {
    return root().getParent();
  }

  /** The project version of the Maven build: the tag of every memfleet image. */
  public static String version() {
    return System.getProperty("memfleet.version");
  }

  /** A built kustomization (a fresh copy the caller may change). */
  public static List<Map<String, Object>> build(String dir) {
    return YamlDocs.copy(
        BUILT.computeIfAbsent(dir, d -> new Kustomizer().build(root().resolve(d))));
  }

  /** Every resource of a kind. */
  public static List<Map<String, Object>> ofKind(List<Map<String, Object>> res, String kind) {
    return res.stream().filter(r -> kind.equals(r.get("kind"))).toList();
  }

  /** The one resource of a kind and name; fails when absent. */
  public static Map<String, Object> one(List<Map<String, Object>> res, String kind, String name) {
    return res.stream()
        .filter(r -> kind.equals(r.get("kind")) && name.equals(YamlDocs.at(r, "metadata", "name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  /** Every YAML file in the tree that a user applies or builds (not target/). */
  public static List<Path> yamlFiles() {
    try (Stream<Path> s = Files.walk(root())) {
      return s.filter(p -> !p.startsWith(root().resolve("target")))
          .filter(p -> !p.startsWith(root().resolve("src")))
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file of the repository as text. */
  public static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every pod spec in a resource, wherever it sits: a workload's template, a custom resource's
   * pod templates (ClickHouse, Keeper, Flink). A pod spec is a map with a {@code containers}
   * list.
   */
  public static List<Map<String, Object>> podSpecs(Object node) {
    List<Map<String, Object>> out = new ArrayList<>();
    visit(node, m -> {
      if (m.get("containers") instanceof List<?>) {
        out.add(m);
      }
    });
    return out;
  }

  /** Containers and init containers of a pod spec. */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> containers(Map<String, Object> podSpec) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String key : List.of("initContainers", "containers")) {
      if (podSpec.get(key) instanceof List<?> l) {
        l.forEach(c -> out.add((Map<String, Object>) c));
      }
    }
    return out;
  }

  /** Calls {@code f} on every map in a tree of maps and lists. */
  @SuppressWarnings("unchecked")
  public static void visit(Object node, Consumer<Map<String, Object>> f) {
    if (node instanceof Map<?, ?> m) {
      f.accept((Map<String, Object>) m);
      m.values().forEach(v -> visit(v, f));
    } else if (node instanceof List<?> l) {
      l.forEach(v -> visit(v, f));
    }
  }
}
