package io.memfleet.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kubernetes' own kinds bound to the fabric8 model classes, with a check that no field of the
 * manifest was unknown to the model (a misspelt {@code resurces:} would otherwise be carried
 * along silently in the model's additional properties and ignored by the API server).
 *
 * <pre>{@code
 * Deployment d = CoreKinds.bind(resource, Deployment.class);
 * List<String> unknown = CoreKinds.unknownFields(d); // e.g. "spec.template.spec.resurces"
 * }</pre>
 */
final class CoreKinds {
  /** kind → (apiVersion, model class) for every core kind memfleet's manifests use. */
  static final Map<String, Map.Entry<String, Class<?>>> MODEL = Map.ofEntries(
      Map.entry("Namespace", Map.entry("v1", Namespace.class)),
      Map.entry("ServiceAccount", Map.entry("v1", ServiceAccount.class)),
      Map.entry("ConfigMap", Map.entry("v1", ConfigMap.class)),
      Map.entry("Secret", Map.entry("v1", Secret.class)),
      Map.entry("Service", Map.entry("v1", Service.class)),
      Map.entry("PersistentVolumeClaim", Map.entry("v1", PersistentVolumeClaim.class)),
      Map.entry("Deployment", Map.entry("apps/v1", Deployment.class)),
      Map.entry("StatefulSet", Map.entry("apps/v1", StatefulSet.class)),
      Map.entry("DaemonSet", Map.entry("apps/v1", DaemonSet.class)),
      Map.entry("Job", Map.entry("batch/v1", Job.class)),
      Map.entry("NetworkPolicy", Map.entry("networking.k8s.io/v1", NetworkPolicy.class)),
      Map.entry("Role", Map.entry("rbac.authorization.k8s.io/v1", Role.class)),
      Map.entry("RoleBinding", Map.entry("rbac.authorization.k8s.io/v1", RoleBinding.class)));

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private CoreKinds() {}

  static <T> T bind(Map<String, Object> resource, Class<T> type) {
    return JSON.convertValue(resource, type);
  }

  /** Dotted paths of every field the model did not know, anywhere in the object. */
  static List<String> unknownFields(Object model) {
    List<String> out = new ArrayList<>();
    walk(model, "", out, 0);
    return out;
  }

  private static void walk(Object o, String path, List<String> out, int depth) {
    if (o == null || depth > 40) {
      return;
    }
    if (o instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        walk(l.get(i), path + "[" + i + "]", out, depth + 1);
      }
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> walk(v, path + "." + k, out, depth + 1));
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method g : o.getClass().getMethods()) {
      if (g.getParameterCount() != 0 || Modifier.isStatic(g.getModifiers())
          || !g.getName().startsWith("get") || g.getDeclaringClass() == Object.class) {
        continue;
      }
      Object v;
      try {
        v = g.invoke(o);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(g.toString(), e);
      }
      if (g.getName().equals("getAdditionalProperties")) {
        if (v instanceof Map<?, ?> extra) {
          extra.keySet().forEach(k -> out.add(path.isEmpty() ? k.toString() : path + "." + k));
        }
        continue;
      }
      String field = Character.toLowerCase(g.getName().charAt(3)) + g.getName().substring(4);
      walk(v, path.isEmpty() ? field : path + "." + field, out, depth + 1);
    }
  }
}
