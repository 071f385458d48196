package io.memfleet.k8s.kustomize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which file each object of a kustomization comes from: the resource file that declares it, or
 * the kustomization whose generator makes it. Lets a check on a built object name the file to
 * fix, as Kustomize's {@code originAnnotations} would.
 *
 * <pre>{@code
 * Map<String, String> origins = Origins.of(k8s, k8s.resolve("overlays/prod"));
 * origins.get("Kafka/memfleet"); // "base/kafka/kafka.yaml"
 * }</pre>
 */
public final class Origins {
  private Origins() {}

  /**
   * {@code Kind/name} → file relative to {@code root}, for every object {@code dir}'s
   * kustomization declares through its resources (recursively) and generators.
   */
  public static Map<String, String> of(Path root, Path dir) {
    Map<String, String> out = new LinkedHashMap<>();
    collect(root, dir.normalize(), out);
    return out;
  }

  /** {@code Kind/name} of an object, the key of {@link #of}. */
  public static String key(Map<String, Object> resource) {
    return resource.get("kind") + "/" + YamlDocs.at(resource, "metadata", "name");
  }

  private static void collect(Path root, Path dir, Map<String, String> out) {
    Path file = Files.exists(dir.resolve("kustomization.yaml")) ? dir.resolve("kustomization.yaml")
        : dir.resolve("kustomization.yml");
    Map<String, Object> k = YamlDocs.readAll(file).get(0);
    for (String r : strings(k.get("resources"))) {
      Path p = dir.resolve(r).normalize();
      if (Files.isDirectory(p)) {
        collect(root, p, out);
      } else {
        for (Map<String, Object> doc : YamlDocs.readAll(p)) {
          out.putIfAbsent(key(doc), relative(root, p));
        }
      }
    }
    for (String generator : List.of("configMapGenerator", "secretGenerator")) {
      if (k.get(generator) instanceof List<?> gens) {
        String kind = generator.startsWith("configMap") ? "ConfigMap" : "Secret";
        for (Object g : gens) {
          Object name = ((Map<?, ?>) g).get("name");
          out.putIfAbsent(kind + "/" + name, relative(root, file) + " (" + generator + ")");
        }
      }
    }
  }

  private static List<String> strings(Object list) {
    return list instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
  }

  private static String relative(Path root, Path p) {
    Path abs = p.toAbsolutePath().normalize();
    Path r = root.toAbsolutePath().normalize();
    return abs.startsWith(r) ? r.relativize(abs).toString() : abs.toString();
  }
}
