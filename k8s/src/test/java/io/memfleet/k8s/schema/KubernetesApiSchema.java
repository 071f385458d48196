package io.memfleet.k8s.schema;

import com.google.gson.annotations.SerializedName;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The built-in kinds of Kubernetes 1.32 as JSON Schemas, read from the model classes that
 * {@code io.kubernetes:client-java-api} 23.0.0 generates from the OpenAPI spec of Kubernetes 1.32.
 * Each generated class lists exactly the fields of its OpenAPI definition ({@code @SerializedName})
 * and which are required ({@code openapiRequiredFields}), so a class becomes an object schema with
 * {@code additionalProperties: false}: a misspelt or invented field fails, as it does against the
 * API server's strict field validation ({@code kubectl apply}'s default since 1.27).
 *
 * <p>Which kinds an {@code apiVersion} serves comes from the generated API classes: {@code
 * apps/v1} is {@code AppsV1Api}, and its {@code createNamespacedDeployment(…, V1Deployment)} says
 * that {@code Deployment} is a namespaced kind of {@code apps/v1} with the schema of {@code
 * V1Deployment}.
 *
 * <p>Not covered, because the generated classes do not carry them: enum values, patterns and
 * formats of string fields (the API server checks those itself on apply).
 *
 * <pre>{@code
 * KubernetesApiSchema k8s = KubernetesApiSchema.v1_32();
 * KubernetesApiSchema.Kind deployment = k8s.kind("apps/v1", "Deployment"); // or throws, saying why
 * JsonNode schema = deployment.schema();
 * }</pre>
 */
public final class KubernetesApiSchema {
  /** The Kubernetes minor version the model classes were generated from (kubectl's here too). */
  public static final String VERSION = "1.32";

  /** A built-in kind: its JSON Schema (draft 2020-12) and whether it lives in a namespace. */
  public record Kind(String apiVersion, String kind, boolean namespaced, ObjectNode schema) {}

  private static final String MODELS = "io.kubernetes.client.openapi.models.";
  private static final String APIS = "io.kubernetes.client.openapi.apis.";
  // groups from before the .k8s.io suffix convention; every other group ends in .k8s.io
  private static final Set<String> UNSUFFIXED_GROUPS = Set.of("", "apps", "batch", "autoscaling",
      "policy");
  // V1Deployment, V1beta1CSIStorageCapacity, CoreV1Event, AuthenticationV1TokenRequest
  private static final Pattern VERSION_PREFIX =
      Pattern.compile("^([A-Z][a-z]+)*V\\d+((alpha|beta)\\d+)?(?=[A-Z])");
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final KubernetesApiSchema V1_32 = new KubernetesApiSchema();

  private final Map<String, Map<String, Kind>> kindsByApiVersion = new ConcurrentHashMap<>();

  private KubernetesApiSchema() {}

  /** The schema of Kubernetes 1.32 (client-java-api 23.0.0). */
  public static KubernetesApiSchema v1_32() {
    return V1_32;
  }

  /** True when {@code apiVersion}'s group is one of Kubernetes' own (core, apps, *.k8s.io…). */
  public static boolean isBuiltInGroup(String apiVersion) {
    String group = group(apiVersion);
    return UNSUFFIXED_GROUPS.contains(group) || group.endsWith(".k8s.io");
  }

  /**
   * The kind {@code kind} of {@code apiVersion}.
   *
   * @throws UnknownKindException when Kubernetes 1.32 serves no such apiVersion or kind, with
   *     the kinds or versions it does serve
   */
  public Kind kind(String apiVersion, String kind) {
    Map<String, Kind> kinds = kinds(apiVersion);
    Kind k = kinds.get(kind);
    if (k == null) {
      throw new UnknownKindException("Kubernetes " + VERSION + " has no kind " + kind + " in "
          + apiVersion + " (it has " + new TreeSet<>(kinds.keySet()) + ")");
    }
    return k;
  }

  /** The kinds an apiVersion serves, by name. */
  public Map<String, Kind> kinds(String apiVersion) {
    return kindsByApiVersion.computeIfAbsent(apiVersion, KubernetesApiSchema::load);
  }

  /**
   * The schema of {@code metadata} ({@code ObjectMeta}) as {@code $defs} entries, for custom
   * resources whose CRD leaves metadata to the API server.
   */
  static Map<String, ObjectNode> objectMetaDefinitions() {
    Map<String, ObjectNode> defs = new TreeMap<>();
    define(V1ObjectMeta.class, defs);
    return defs;
  }

  /** The name under which {@code ObjectMeta} is defined in {@link #objectMetaDefinitions()}. */
  static String objectMetaRef() {
    return "#/$defs/" + V1ObjectMeta.class.getSimpleName();
  }

  private static Map<String, Kind> load(String apiVersion) {
    Class<?> api = apiClass(apiVersion);
    Map<String, Kind> kinds = new TreeMap<>();
    for (Method m : api.getMethods()) {
      if (!m.getName().startsWith("create")) {
        continue;
      }
      boolean namespaced = m.getName().startsWith("createNamespaced");
      Class<?> body = Arrays.stream(m.getParameterTypes())
          .filter(p -> p.getName().startsWith(MODELS)).findFirst().orElse(null);
      if (body == null) {
        continue;
      }
      String kind = VERSION_PREFIX.matcher(body.getSimpleName()).replaceFirst("");
      // subresources (createNamespacedPodBinding with a V1Binding body) name no kind of their own
      if (!m.getName().equals("create" + (namespaced ? "Namespaced" : "") + kind)) {
        continue;
      }
      kinds.put(kind, new Kind(apiVersion, kind, namespaced, schemaOf(body)));
    }
    return Map.copyOf(kinds);
  }

  /** AppsV1Api for apps/v1, CoreV1Api for v1, RbacAuthorizationV1Api for rbac.authorization… */
  private static Class<?> apiClass(String apiVersion) {
    String group = group(apiVersion);
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    String name = group.endsWith(".k8s.io") ? group.substring(0, group.length() - 7) : group;
    boolean known = group.endsWith(".k8s.io") ? !UNSUFFIXED_GROUPS.contains(name)
        : UNSUFFIXED_GROUPS.contains(group);
    if (known && !version.isEmpty() && apiVersion.chars().filter(c -> c == '/').count() <= 1) {
      StringBuilder cls = new StringBuilder(APIS);
      for (String part : (group.isEmpty() ? "core" : name).split("[.-]")) {
        cls.append(capitalize(part));
      }
      cls.append(capitalize(version)).append("Api");
      try {
        return Class.forName(cls.toString());
      } catch (ClassNotFoundException e) {
        // not served: reported below
      }
    }
    throw new UnknownKindException("Kubernetes " + VERSION + " serves no apiVersion "
        + apiVersion + (group.isEmpty() || known ? "" : " (no API group '" + group + "')"));
  }

  private static ObjectNode schemaOf(Class<?> model) {
    Map<String, ObjectNode> defs = new TreeMap<>();
    define(model, defs);
    ObjectNode root = JSON.createObjectNode();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$ref", "#/$defs/" + model.getSimpleName());
    root.set("$defs", JSON.valueToTree(defs));
    return root;
  }

  private static void define(Class<?> model, Map<String, ObjectNode> defs) {
    String name = model.getSimpleName();
    if (defs.containsKey(name)) {
      return;
    }
    ObjectNode def = JSON.createObjectNode();
    defs.put(name, def); // before the fields: definitions refer to themselves (JSONSchemaProps)
    def.put("type", "object");
    ObjectNode properties = def.putObject("properties");
    for (Field f : model.getDeclaredFields()) {
      SerializedName json = f.getAnnotation(SerializedName.class);
      if (json != null && !Modifier.isStatic(f.getModifiers())) {
        properties.set(json.value(), typeSchema(f.getGenericType(), defs, model + "." + f));
      }
    }
    Set<String> openapiFields = staticSet(model, "openapiFields");
    if (!openapiFields.equals(Set.copyOf(properties.propertyNames()))) {
      throw new IllegalStateException(name + ": fields " + properties.propertyNames()
          + " differ from its OpenAPI fields " + openapiFields);
    }
    def.put("additionalProperties", false);
    Set<String> required = new TreeSet<>(staticSet(model, "openapiRequiredFields"));
    if (!required.isEmpty()) {
      required.forEach(def.putArray("required")::add);
    }
  }

  private static JsonNode typeSchema(Type t, Map<String, ObjectNode> defs, String where) {
    ObjectNode s = JSON.createObjectNode();
    if (t instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        s.put("type", "array");
        s.set("items", typeSchema(args[0], defs, where));
        return s;
      }
      if (Map.class.isAssignableFrom(raw)) {
        s.put("type", "object");
        s.set("additionalProperties", typeSchema(args[1], defs, where));
        return s;
      }
    } else if (t instanceof Class<?> c) {
      if (c == String.class || c == OffsetDateTime.class || c == byte[].class) {
        return s.put("type", "string");
      }
      if (c == Integer.class || c == Long.class) {
        return s.put("type", "integer");
      }
      if (c == Double.class || c == Float.class || c == BigDecimal.class) {
        return s.put("type", "number");
      }
      if (c == Boolean.class) {
        return s.put("type", "boolean");
      }
      if (c == Object.class) {
        return s; // RawExtension and JSON: any value
      }
      if (c == IntOrString.class) {
        s.putArray("type").add("integer").add("string");
        return s;
      }
      if (c == Quantity.class) {
        s.putArray("type").add("string").add("number"); // cpu: 1 and cpu: "500m"
        return s;
      }
      if (c.getName().startsWith(MODELS)) {
        define(c, defs);
        return s.put("$ref", "#/$defs/" + c.getSimpleName());
      }
    }
    throw new IllegalStateException(where + ": no JSON Schema for the Java type " + t);
  }

  @SuppressWarnings("unchecked")
  private static Set<String> staticSet(Class<?> model, String field) {
    try {
      return Set.copyOf((Collection<String>) model.getField(field).get(null));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(model + " has no generated " + field, e);
    }
  }

  private static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** No schema for an apiVersion/kind; the message says what is served instead. */
  public static final class UnknownKindException extends IllegalArgumentException {
    UnknownKindException(String message) {
      super(message);
    }
  }
}
