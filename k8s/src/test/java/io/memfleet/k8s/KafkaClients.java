package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;

import io.memfleet.schema.kafka.KafkaSecurity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kafka clients a build runs, as Kubernetes would start them: every memfleet container of a
 * pod labelled {@code memfleet.io/kafka-client: "true"} (the label the brokers' NetworkPolicy
 * admits), with the environment it gets and the Secret keys its files come from. What the tests of
 * memfleet's Kafka security read the manifests through.
 *
 * <pre>{@code
 * for (KafkaClients.Client c : KafkaClients.of(K8sTree.build("base"))) {
 *   KafkaSecurity s = c.security();                  // from MEMFLEET_KAFKA_*, validated
 *   SecretKey password = c.secretKeyOf(s.passwordFile());
 * }
 * }</pre>
 */
final class KafkaClients {
  static final String CLIENT_LABEL = "memfleet.io/kafka-client";

  /** A key of a Secret, as a volume projects it into a file. */
  record SecretKey(String secret, String key) {}

  /**
   * One client container.
   *
   * @param id {@code Kind/name container}, for messages
   * @param env its environment: the ConfigMaps of {@code envFrom}, then literal {@code env}
   *     values (values from the downward API or Secrets are left out)
   * @param files each file a read-only Secret volume puts into the container, by its path
   */
  record Client(String id, Map<String, String> env, Map<String, SecretKey> files) {
    /** The security settings memfleet builds from this environment (validated, as at start). */
    KafkaSecurity security() {
      return KafkaSecurity.fromEnvironment(env);
    }

    /** The Secret key behind a file; fails when no Secret volume provides that file. */
    SecretKey secretKeyOf(String file) {
      SecretKey k = files.get(file);
      if (k == null) {
        throw new AssertionError(id + ": no Secret volume provides " + file + " (it has "
            + files.keySet() + ")");
      }
      return k;
    }
  }

  private KafkaClients() {}

  /**
   * Every Kafka client container of {@code resources}: in a labelled pod, not an init container,
   * and running memfleet — a memfleet image, the Flink operator's main container, or a JVM that
   * loads memfleet's agent ({@code JAVA_TOOL_OPTIONS}).
   */
  @SuppressWarnings("unchecked")
  static List<Client> of(List<Map<String, Object>> resources) {
    List<Client> out = new ArrayList<>();
    for (Map<String, Object> r : resources) {
      Map<String, Object> template = podTemplate(r);
      if (template == null
          || !"true".equals(at(template, "metadata", "labels", CLIENT_LABEL))) {
        continue;
      }
      Map<String, Object> pod = (Map<String, Object>) template.get("spec");
      for (Map<String, Object> c : (List<Map<String, Object>>) pod.get("containers")) {
        Map<String, String> env = environment(resources, c);
        boolean memfleet = String.valueOf(c.get("image")).startsWith("memfleet/")
            || ("FlinkDeployment".equals(r.get("kind"))
                && "flink-main-container".equals(c.get("name")))
            || env.getOrDefault("JAVA_TOOL_OPTIONS", "").contains("memfleet-jfr-agent.jar");
        if (memfleet) {
          out.add(new Client(r.get("kind") + "/" + at(r, "metadata", "name") + " "
              + c.get("name"), env, secretFiles(pod, c)));
        }
      }
    }
    return out;
  }

  /** The port of the Kafka cluster's one listener (memfleet's brokers have no other). */
  static int listenerPort(List<Map<String, Object>> resources) {
    List<Map<String, Object>> listeners = at(K8sTree.one(resources, "Kafka", "memfleet"),
        "spec", "kafka", "listeners");
    if (listeners.size() != 1) {
      throw new AssertionError("expected one Kafka listener, found " + listeners);
    }
    return (Integer) listeners.get(0).get("port");
  }

  /** The pod template of a workload or a FlinkDeployment; null for other kinds. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> podTemplate(Map<String, Object> r) {
    Map<String, Object> spec = (Map<String, Object>) r.get("spec");
    if (spec == null) {
      return null;
    }
    Object t = "FlinkDeployment".equals(r.get("kind")) ? spec.get("podTemplate")
        : spec.get("template");
    return t instanceof Map<?, ?> m && m.get("spec") instanceof Map<?, ?> ? (Map<String, Object>) m
        : null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> environment(List<Map<String, Object>> resources,
      Map<String, Object> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> from : (List<Map<String, Object>>) container.getOrDefault("envFrom",
        List.of())) {
      String name = at(from, "configMapRef", "name");
      Map<String, Object> data = at(K8sTree.one(resources, "ConfigMap", name), "data");
      data.forEach((k, v) -> env.put(k, String.valueOf(v)));
    }
    for (Map<String, Object> e : (List<Map<String, Object>>) container.getOrDefault("env",
        List.of())) {
      if (e.get("value") != null) {
        env.put((String) e.get("name"), String.valueOf(e.get("value")));
      } else {
        env.remove((String) e.get("name"));
      }
    }
    return env;
  }

  /**
   * Files that read-only mounts of Secret volumes (plain or projected) put into a container: each
   * path with the Secret key it holds. Only volumes that list their {@code items} count: a whole
   * Secret mounted would give the container keys it does not need.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, SecretKey> secretFiles(Map<String, Object> pod,
      Map<String, Object> container) {
    Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) pod.getOrDefault("volumes",
        List.of())) {
      volumes.put((String) v.get("name"), v);
    }
    Map<String, SecretKey> files = new LinkedHashMap<>();
    for (Map<String, Object> m : (List<Map<String, Object>>) container.getOrDefault(
        "volumeMounts", List.of())) {
      Map<String, Object> volume = volumes.get((String) m.get("name"));
      if (volume == null || !Boolean.TRUE.equals(m.get("readOnly")) || m.get("subPath") != null) {
        continue;
      }
      List<Map<String, Object>> secrets = new ArrayList<>();
      if (volume.get("secret") instanceof Map<?, ?> s) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) s);
        copy.put("name", copy.get("secretName"));
        secrets.add(copy);
      }
      if (volume.get("projected") instanceof Map<?, ?> p) {
        for (Map<String, Object> source : (List<Map<String, Object>>) ((Map<String, Object>) p)
            .get("sources")) {
          if (source.get("secret") instanceof Map<?, ?> s) {
            secrets.add((Map<String, Object>) s);
          }
        }
      }
      for (Map<String, Object> s : secrets) {
        for (Map<String, Object> item : (List<Map<String, Object>>) s.getOrDefault("items",
            List.of())) {
          String path = Path.of((String) m.get("mountPath"), (String) item.get("path"))
              .toString();
          files.put(path, new SecretKey((String) s.get("name"), (String) item.get("key")));
        }
      }
    }
    return files;
  }
}
