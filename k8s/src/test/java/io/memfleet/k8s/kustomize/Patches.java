package io.memfleet.k8s.kustomize;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The three patch semantics Kustomize applies, on maps and lists parsed from YAML.
 *
 * <ul>
 *   <li>strategic merge for Kubernetes' own kinds: maps merge, {@code null} deletes a key, and
 *       the lists Kubernetes declares as keyed (containers, volumes, env, volume mounts, ports)
 *       merge element by element on their key — new elements first, as Kustomize orders them;
 *       {@code $patch: delete} in an element removes it; every other list is replaced;
 *   <li>JSON merge patch (RFC 7386) for custom resources, whose schema Kustomize does not know:
 *       maps merge, {@code null} deletes, lists are replaced whole;
 *   <li>JSON patch (RFC 6902): {@code add}, {@code remove}, {@code replace} and {@code test}.
 * </ul>
 *
 * <pre>{@code
 * Map<String, Object> patched = Patches.strategicMerge(deployment, patch, true);
 * Patches.jsonPatch(flinkDeployment, ops);
 * }</pre>
 */
public final class Patches {
  /** Kubernetes' keyed lists: field name → merge key. */
  private static final Map<String, String> MERGE_KEYS = Map.of(
      "containers", "name",
      "initContainers", "name",
      "ephemeralContainers", "name",
      "volumes", "name",
      "env", "name",
      "imagePullSecrets", "name",
      "volumeMounts", "mountPath",
      "volumeDevices", "devicePath");

  /** Kinds Kubernetes itself defines; every other kind gets JSON merge patch semantics. */
  public static final Set<String> BUILTIN_KINDS = Set.of(
      "Namespace", "ServiceAccount", "ConfigMap", "Secret", "Service", "PersistentVolumeClaim",
      "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
      "NetworkPolicy", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
      "PodDisruptionBudget", "Ingress", "HorizontalPodAutoscaler", "PriorityClass",
      "LimitRange", "ResourceQuota");

  private Patches() {}

  /** Returns {@code target} merged with {@code patch}; neither input is changed. */
  public static Map<String, Object> strategicMerge(
      Map<String, Object> target, Map<String, Object> patch, boolean builtinKind) {
    return mergeMaps(YamlDocs.copy(target), patch, builtinKind);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> mergeMaps(
      Map<String, Object> target, Map<String, Object> patch, boolean strategic) {
    for (Map.Entry<String, Object> e : patch.entrySet()) {
      String key = e.getKey();
      Object value = e.getValue();
      if (value == null) {
        target.remove(key);
      } else if (value instanceof Map<?, ?> pm && target.get(key) instanceof Map<?, ?> tm) {
        target.put(key, mergeMaps((Map<String, Object>) tm, (Map<String, Object>) pm, strategic));
      } else if (strategic && value instanceof List<?> pl && target.get(key) instanceof List<?> tl
          && mergeKey(key, pl) != null) {
        target.put(key, mergeLists((List<Object>) tl, (List<Object>) pl, mergeKey(key, pl)));
      } else {
        target.put(key, stripDirectives(YamlDocs.copy(value)));
      }
    }
    return target;
  }

  private static String mergeKey(String field, List<?> patchList) {
    if (field.equals("ports")) {
      // container ports are keyed by containerPort, Service ports by port
      return patchList.stream().allMatch(p -> p instanceof Map<?, ?> m
          && m.containsKey("containerPort")) ? "containerPort" : "port";
    }
    return MERGE_KEYS.get(field);
  }

  /**
   * Merges keyed lists the way Kustomize orders them: the patch's elements first, in patch order
   * (merged into their original when one has the same key), then the original elements the patch
   * does not mention.
   */
  @SuppressWarnings("unchecked")
  private static List<Object> mergeLists(List<Object> target, List<Object> patch, String key) {
    List<Object> out = new ArrayList<>();
    List<Object> rest = new ArrayList<>(target);
    for (Object p : patch) {
      if (!(p instanceof Map<?, ?> pm) || !pm.containsKey(key)) {
        throw new IllegalArgumentException("list element without merge key " + key + ": " + p);
      }
      Object original = null;
      for (Iterator<Object> it = rest.iterator(); it.hasNext(); ) {
        Object t = it.next();
        if (t instanceof Map<?, ?> tm && Objects.equals(tm.get(key), pm.get(key))) {
          original = t;
          it.remove();
          break;
        }
      }
      if ("delete".equals(pm.get("$patch"))) {
        continue;
      }
      out.add(original == null ? stripDirectives(YamlDocs.copy(p))
          : mergeMaps((Map<String, Object>) original, (Map<String, Object>) pm, true));
    }
    out.addAll(rest);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object stripDirectives(Object value) {
    if (value instanceof Map<?, ?> m) {
      ((Map<String, Object>) m).remove("$patch");
      m.values().forEach(Patches::stripDirectives);
    } else if (value instanceof List<?> l) {
      l.forEach(Patches::stripDirectives);
    }
    return value;
  }

  /** Applies RFC 6902 operations to {@code doc} in place. */
  @SuppressWarnings("unchecked")
  public static void jsonPatch(Map<String, Object> doc, List<?> operations) {
    for (Object o : operations) {
      Map<String, Object> op = (Map<String, Object>) o;
      String kind = (String) op.get("op");
      String path = (String) op.get("path");
      List<String> tokens = pointer(path);
      Object parent = doc;
      for (String t : tokens.subList(0, tokens.size() - 1)) {
        parent = child(parent, t, path);
      }
      String last = tokens.get(tokens.size() - 1);
      Object value = YamlDocs.copy(op.get("value"));
      switch (kind) {
        case "add" -> add(parent, last, value, path);
        case "replace" -> {
          child(parent, last, path);
          remove(parent, last);
          add(parent, last, value, path);
        }
        case "remove" -> {
          child(parent, last, path);
          remove(parent, last);
        }
        case "test" -> {
          if (!Objects.equals(child(parent, last, path), value)) {
            throw new IllegalArgumentException("JSON patch test failed at " + path);
          }
        }
        default -> throw new IllegalArgumentException("unsupported JSON patch op: " + kind);
      }
    }
  }

  private static List<String> pointer(String path) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("JSON pointer must start with /: " + path);
    }
    List<String> tokens = new ArrayList<>();
    for (String t : path.substring(1).split("/", -1)) {
      tokens.add(t.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }

  private static Object child(Object parent, String token, String path) {
    if (parent instanceof Map<?, ?> m) {
      if (!m.containsKey(token)) {
        throw new IllegalArgumentException("JSON patch path does not exist: " + path);
      }
      return m.get(token);
    }
    if (parent instanceof List<?> l) {
      int i = index(token, l.size() - 1, path);
      return l.get(i);
    }
    throw new IllegalArgumentException("JSON patch path does not exist: " + path);
  }

  @SuppressWarnings("unchecked")
  private static void add(Object parent, String token, Object value, String path) {
    if (parent instanceof Map<?, ?> m) {
      ((Map<String, Object>) m).put(token, value);
    } else if (parent instanceof List<?> l) {
      List<Object> list = (List<Object>) l;
      list.add(token.equals("-") ? list.size() : index(token, list.size(), path), value);
    } else {
      throw new IllegalArgumentException("JSON patch path does not exist: " + path);
    }
  }

  private static void remove(Object parent, String token) {
    if (parent instanceof Map<?, ?> m) {
      m.remove(token);
    } else {
      ((List<?>) parent).remove(Integer.parseInt(token));
    }
  }

  private static int index(String token, int max, String path) {
    try {
      int i = Integer.parseInt(token);
      if (i < 0 || i > max) {
        throw new IllegalArgumentException("JSON patch index out of range: " + path);
      }
      return i;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("JSON patch index is not a number: " + path, e);
    }
  }
}
