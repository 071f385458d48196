package io.memfleet.k8s.schema;

import io.memfleet.k8s.kustomize.YamlDocs;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The custom resource definitions of one operator release (e.g. "Strimzi 1.2.0"), read from the
 * CRD files vendored under {@code src/test/resources/schemas}: which kinds it defines, which
 * versions of each it serves, and each served version's schema as a JSON Schema ({@link
 * StructuralSchema}).
 *
 * <pre>{@code
 * CustomResourceSchemas strimzi = CustomResourceSchemas.load("Strimzi 1.2.0",
 *     dir.resolve("strimzi-1.2.0-kafka.yaml"), dir.resolve("strimzi-1.2.0-kafkatopic.yaml"));
 * ObjectNode kafka = strimzi.schema("kafka.strimzi.io/v1", "Kafka"); // or throws, saying why
 * }</pre>
 */
public final class CustomResourceSchemas {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One CRD: its name, group, kind and the served versions' raw schemas. */
  private record Definition(String name, String group, String kind,
      Map<String, JsonNode> servedVersions) {}

  private final String release;
  private final Map<String, Definition> byGroupKind;
  private final Map<String, ObjectNode> converted = new java.util.concurrent.ConcurrentHashMap<>();

  private CustomResourceSchemas(String release, Map<String, Definition> byGroupKind) {
    this.release = release;
    this.byGroupKind = byGroupKind;
  }

  /** Reads every CustomResourceDefinition in {@code files}; {@code release} names them. */
  public static CustomResourceSchemas load(String release, Path... files) {
    Map<String, Definition> defs = new TreeMap<>();
    for (Path file : files) {
      for (Map<String, Object> doc : YamlDocs.readAll(file)) {
        if (!"CustomResourceDefinition".equals(doc.get("kind"))) {
          continue;
        }
        JsonNode crd = JSON.valueToTree(doc);
        JsonNode spec = crd.path("spec");
        Map<String, JsonNode> served = new LinkedHashMap<>();
        for (JsonNode v : spec.path("versions")) {
          if (v.path("served").asBoolean(false)) {
            served.put(v.path("name").asString(), v.path("schema").path("openAPIV3Schema"));
          }
        }
        Definition d = new Definition(crd.path("metadata").path("name").asString(),
            spec.path("group").asString(), spec.path("names").path("kind").asString(), served);
        if (defs.put(d.group() + "/" + d.kind(), d) != null) {
          throw new IllegalArgumentException(release + ": " + d.name() + " defined twice");
        }
      }
    }
    if (defs.isEmpty()) {
      throw new IllegalArgumentException(release + ": no CustomResourceDefinition in "
          + List.of(files));
    }
    return new CustomResourceSchemas(release, Map.copyOf(defs));
  }

  /** The release these CRDs come from, e.g. "Strimzi 1.2.0". */
  public String release() {
    return release;
  }

  /** The kinds these CRDs define, as {@code group/Kind}. */
  public java.util.Set<String> groupKinds() {
    return byGroupKind.keySet();
  }

  /** Whether one of these CRDs defines {@code kind} in the group of {@code apiVersion}. */
  public boolean defines(String apiVersion, String kind) {
    return byGroupKind.containsKey(group(apiVersion) + "/" + kind);
  }

  /**
   * The JSON Schema of {@code kind} at {@code apiVersion}.
   *
   * @throws KubernetesApiSchema.UnknownKindException when the CRD does not serve that version
   */
  public ObjectNode schema(String apiVersion, String kind) {
    Definition d = byGroupKind.get(group(apiVersion) + "/" + kind);
    if (d == null) {
      throw new KubernetesApiSchema.UnknownKindException(release + " defines no kind " + kind
          + " in group " + group(apiVersion));
    }
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    JsonNode raw = d.servedVersions().get(version);
    if (raw == null) {
      throw new KubernetesApiSchema.UnknownKindException(apiVersion + " " + kind
          + " is not served by " + release + " (CRD " + d.name() + " serves "
          + d.servedVersions().keySet() + ")");
    }
    return converted.computeIfAbsent(apiVersion + " " + kind,
        k -> StructuralSchema.toJsonSchema(raw));
  }

  private static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }
}
