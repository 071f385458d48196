package io.memfleet.k8s.kustomize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a Kustomize directory into its resources: the subset of {@code kubectl kustomize} that
 * memfleet's manifests use, so the tests can build base and overlays on a machine without
 * kubectl. A field outside the subset fails the build rather than being ignored, so the
 * manifests cannot silently depend on something this builder does not do.
 *
 * <p>Supported kustomization fields, applied in Kustomize's order (resources, components,
 * generators, then patches, namespace, labels, images):
 *
 * <ul>
 *   <li>{@code resources} (files and directories) and {@code components} ({@code kind:
 *       Component} directories, which transform what the including kustomization has so far);
 *   <li>{@code configMapGenerator} / {@code secretGenerator} with {@code files}, {@code envs},
 *       {@code literals} and {@code behavior: create|merge|replace}; name suffix hashes are not
 *       supported, so {@code generatorOptions.disableNameSuffixHash: true} is required;
 *   <li>{@code patches} from {@code path} or inline {@code patch}, strategic merge or JSON 6902,
 *       optionally with a {@code target} (kind, name as a regex, namespace, labelSelector of
 *       {@code k=v} pairs);
 *   <li>{@code namespace} (not on cluster-scoped kinds), {@code labels} (metadata only: neither
 *       selectors nor templates), {@code images} (newName, newTag, digest), and
 *       {@code configurations} files declaring further {@code images} field paths by kind.
 * </ul>
 *
 * <pre>{@code
 * List<Map<String, Object>> resources = new Kustomizer().build(Path.of("k8s/overlays/prod"));
 * }</pre>
 */
public final class Kustomizer {
  private static final Set<String> FIELDS = Set.of("apiVersion", "kind", "resources",
      "components", "namespace", "labels", "images", "configurations", "generatorOptions",
      "configMapGenerator", "secretGenerator", "patches");
  private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole",
      "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume", "StorageClass",
      "PriorityClass");

  /** Builds the kustomization in {@code dir}. */
  public List<Map<String, Object>> build(Path dir) {
    return build(dir, new ArrayList<>(), false);
  }

  private List<Map<String, Object>> build(Path dir, List<Map<String, Object>> input,
      boolean component) {
    Map<String, Object> k = load(dir);
    String kind = (String) k.getOrDefault("kind", "Kustomization");
    if (component != kind.equals("Component")) {
      throw new IllegalArgumentException(dir + ": expected a " + (component ? "Component"
          : "Kustomization") + " but found " + kind);
    }
    for (String field : k.keySet()) {
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException(dir + ": kustomization field '" + field
            + "' is not supported by memfleet's Kustomize-subset builder (see k8s/README.md)");
      }
    }
    List<Map<String, Object>> res = input;
    for (String r : this.<String>list(k, "resources")) {
      Path p = dir.resolve(r).normalize();
      if (Files.isDirectory(p)) {
        res.addAll(build(p));
      } else {
        res.addAll(YamlDocs.readAll(existing(p, dir)));
      }
    }
    for (String c : this.<String>list(k, "components")) {
      res = build(dir.resolve(c).normalize(), res, true);
    }
    Map<String, Object> options = mapOrEmpty(k.get("generatorOptions"));
    for (Map<String, Object> g : this.<Map<String, Object>>list(k, "configMapGenerator")) {
      generate(dir, res, g, false, options);
    }
    for (Map<String, Object> g : this.<Map<String, Object>>list(k, "secretGenerator")) {
      generate(dir, res, g, true, options);
    }
    for (Map<String, Object> patch : this.<Map<String, Object>>list(k, "patches")) {
      res = applyPatch(dir, res, patch);
    }
    if (k.get("namespace") instanceof String ns) {
      for (Map<String, Object> r : res) {
        if (!CLUSTER_SCOPED.contains((String) r.get("kind"))) {
          meta(r).put("namespace", ns);
        }
      }
    }
    for (Map<String, Object> l : this.<Map<String, Object>>list(k, "labels")) {
      if (Boolean.TRUE.equals(l.get("includeSelectors"))
          || Boolean.TRUE.equals(l.get("includeTemplates"))) {
        throw new IllegalArgumentException(dir + ": labels with includeSelectors/includeTemplates"
            + " are not supported");
      }
      Map<String, Object> pairs = mapOrEmpty(l.get("pairs"));
      for (Map<String, Object> r : res) {
        Map<String, Object> labels = mapOrEmpty(meta(r).get("labels"));
        labels.putAll(pairs);
        meta(r).put("labels", labels);
      }
    }
    List<ImageFieldSpec> specs = new ArrayList<>();
    for (String c : this.<String>list(k, "configurations")) {
      for (Map<String, Object> doc : YamlDocs.readAll(existing(dir.resolve(c), dir))) {
        for (Map<String, Object> s : this.<Map<String, Object>>list(doc, "images")) {
          specs.add(new ImageFieldSpec((String) s.get("kind"),
              List.of(((String) s.get("path")).split("/"))));
        }
      }
    }
    for (Map<String, Object> image : this.<Map<String, Object>>list(k, "images")) {
      Images.apply(res, image, specs);
    }
    return res;
  }

  private void generate(Path dir, List<Map<String, Object>> res, Map<String, Object> g,
      boolean secret, Map<String, Object> options) {
    if (!Boolean.TRUE.equals(options.get("disableNameSuffixHash"))
        && !Boolean.TRUE.equals(mapOrEmpty(g.get("options")).get("disableNameSuffixHash"))) {
      throw new IllegalArgumentException(dir + ": generator " + g.get("name") + " needs"
          + " disableNameSuffixHash: true (name hashes are not supported by this builder)");
    }
    Map<String, String> data = new LinkedHashMap<>();
    for (String f : this.<String>list(g, "files")) {
      String key = f;
      String file = f;
      int eq = f.indexOf('=');
      if (eq > 0) {
        key = f.substring(0, eq);
        file = f.substring(eq + 1);
      } else {
        key = Path.of(f).getFileName().toString();
      }
      data.put(key, read(existing(dir.resolve(file), dir)));
    }
    for (String f : this.<String>list(g, "envs")) {
      data.putAll(envPairs(read(existing(dir.resolve(f), dir)), f));
    }
    for (String literal : this.<String>list(g, "literals")) {
      data.putAll(envPairs(literal, "literals"));
    }
    String name = (String) g.get("name");
    String kind = secret ? "Secret" : "ConfigMap";
    String behavior = (String) g.getOrDefault("behavior", "create");
    Map<String, Object> existing = res.stream()
        .filter(r -> kind.equals(r.get("kind")) && name.equals(meta(r).get("name")))
        .findFirst().orElse(null);
    Map<String, Object> encoded = new LinkedHashMap<>();
    data.forEach((key, v) -> encoded.put(key, secret
        ? Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)) : v));
    switch (behavior) {
      case "create" -> {
        if (existing != null) {
          throw new IllegalArgumentException(dir + ": " + kind + " " + name + " already exists");
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("apiVersion", "v1");
        r.put("kind", kind);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", name);
        r.put("metadata", meta);
        if (secret) {
          r.put("type", g.getOrDefault("type", "Opaque"));
        }
        r.put("data", encoded);
        res.add(r);
      }
      case "merge", "replace" -> {
        if (existing == null) {
          throw new IllegalArgumentException(dir + ": no " + kind + " " + name + " to " + behavior);
        }
        Map<String, Object> d = behavior.equals("merge") ? mapOrEmpty(existing.get("data"))
            : new LinkedHashMap<>();
        d.putAll(encoded);
        existing.put("data", d);
      }
      default -> throw new IllegalArgumentException(dir + ": unknown behavior " + behavior);
    }
  }

  /** KEY=VALUE lines; blank lines and # comments skipped, as Kustomize reads env files. */
  static Map<String, String> envPairs(String text, String where) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(where + ": not KEY=VALUE: " + l);
      }
      out.put(l.substring(0, eq), l.substring(eq + 1));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> applyPatch(Path dir, List<Map<String, Object>> res,
      Map<String, Object> spec) {
    String text = spec.get("path") instanceof String p ? read(existing(dir.resolve(p), dir))
        : (String) spec.get("patch");
    if (text == null) {
      throw new IllegalArgumentException(dir + ": a patch needs path or patch");
    }
    Map<String, Object> target = (Map<String, Object>) spec.get("target");
    Object parsed = YamlDocs.firstValue(text);
    if (parsed instanceof List<?> ops) {
      if (target == null) {
        throw new IllegalArgumentException(dir + ": a JSON 6902 patch needs a target");
      }
      // as in Kustomize, a target that matches nothing is no error (a component may target
      // kinds an application does not have)
      matching(res, target).forEach(r -> Patches.jsonPatch(r, ops));
      return res;
    }
    List<Map<String, Object>> out = res;
    for (Map<String, Object> patch : YamlDocs.parseAll(text, dir.toString())) {
      Map<String, Object> sel = target;
      if (sel == null) {
        sel = new LinkedHashMap<>();
        sel.put("kind", patch.get("kind"));
        sel.put("name", java.util.regex.Pattern.quote((String) meta(patch).get("name")));
      }
      Set<Map<String, Object>> hits = Collections.newSetFromMap(new IdentityHashMap<>());
      hits.addAll(matching(out, sel));
      if (target == null) {
        requireHit(dir, hits, sel);
      }
      List<Map<String, Object>> next = new ArrayList<>();
      for (Map<String, Object> r : out) {
        if (hits.contains(r)) {
          Map<String, Object> body = YamlDocs.copy(patch);
          // a targeted patch applies to each target whatever name and kind it was written with
          body.remove("apiVersion");
          body.remove("kind");
          Map<String, Object> m = mapOrEmpty(body.get("metadata"));
          m.remove("name");
          m.remove("namespace");
          if (m.isEmpty()) {
            body.remove("metadata");
          }
          next.add(Patches.strategicMerge(r, body,
              Patches.BUILTIN_KINDS.contains((String) r.get("kind"))));
        } else {
          next.add(r);
        }
      }
      out = next;
    }
    return out;
  }

  private static void requireHit(Path dir, java.util.Collection<?> hits,
      Map<String, Object> target) {
    if (hits.isEmpty()) {
      throw new IllegalArgumentException(dir + ": patch target matches nothing: " + target);
    }
  }

  private static List<Map<String, Object>> matching(List<Map<String, Object>> res,
      Map<String, Object> t) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> r : res) {
      Map<String, Object> meta = meta(r);
      if (t.get("kind") != null && !t.get("kind").equals(r.get("kind"))) {
        continue;
      }
      if (t.get("name") instanceof String n && !((String) meta.get("name")).matches(n)) {
        continue;
      }
      if (t.get("namespace") != null && !t.get("namespace").equals(meta.get("namespace"))) {
        continue;
      }
      if (t.get("labelSelector") instanceof String sel && !labelsMatch(meta, sel)) {
        continue;
      }
      out.add(r);
    }
    return out;
  }

  private static boolean labelsMatch(Map<String, Object> meta, String selector) {
    Map<String, Object> labels = mapOrEmpty(meta.get("labels"));
    for (String term : selector.split(",")) {
      String[] kv = term.strip().split("=", 2);
      if (kv.length != 2 || !kv[1].equals(String.valueOf(labels.get(kv[0])))) {
        return false;
      }
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> meta(Map<String, Object> resource) {
    return (Map<String, Object>) resource.computeIfAbsent("metadata", x -> new LinkedHashMap<>());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> mapOrEmpty(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
  }

  @SuppressWarnings("unchecked")
  private <T> List<T> list(Map<String, Object> k, String field) {
    Object v = k.get(field);
    return v == null ? List.of() : (List<T>) v;
  }

  private static Map<String, Object> load(Path dir) {
    Path file = dir.resolve("kustomization.yaml");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no kustomization.yaml in " + dir);
    }
    List<Map<String, Object>> docs = YamlDocs.readAll(file);
    return docs.isEmpty() ? new LinkedHashMap<>() : docs.get(0);
  }

  private static Path existing(Path file, Path dir) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(dir + ": referenced file does not exist: " + file);
    }
    return file;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A field path (map keys) holding an image, on resources of one kind. */
  record ImageFieldSpec(String kind, List<String> path) {}
}
