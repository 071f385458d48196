package io.memfleet.k8s.schema;

import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A CRD's {@code openAPIV3Schema} (a Kubernetes structural schema) as a JSON Schema (draft
 * 2020-12) with the meaning the API server gives it:
 *
 * <ul>
 *   <li>an object schema without {@code additionalProperties} and without {@code
 *       x-kubernetes-preserve-unknown-fields: true} admits only its {@code properties}: the API
 *       server prunes other fields, and strict field validation ({@code kubectl apply}'s
 *       default) rejects them, so here they fail;
 *   <li>{@code x-kubernetes-int-or-string} admits an integer or a string; {@code nullable} adds
 *       {@code null};
 *   <li>OpenAPI 3.0's boolean {@code exclusiveMinimum}/{@code exclusiveMaximum} become the
 *       numeric form;
 *   <li>at the root, {@code apiVersion} and {@code kind} are strings and {@code metadata} is
 *       Kubernetes' {@code ObjectMeta} (the API server validates it, whatever the CRD says).
 * </ul>
 *
 * <p>CEL rules ({@code x-kubernetes-validations}) are not evaluated; list and map types, formats,
 * defaults and descriptions do not constrain what a manifest may contain. Any other keyword fails
 * the conversion, so a CRD that starts using one is noticed rather than half-checked.
 *
 * <pre>{@code
 * ObjectNode schema =
 *     StructuralSchema.toJsonSchema(crdVersion.path("schema").path("openAPIV3Schema"));
 * }</pre>
 */
final class StructuralSchema {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> COPIED = Set.of("type", "required", "enum", "pattern",
      "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
      "minProperties", "maxProperties", "multipleOf");
  private static final Set<String> NOT_CONSTRAINING = Set.of("description", "default", "example",
      "format", "title", "externalDocs", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
      "x-kubernetes-map-type", "x-kubernetes-validations");
  private static final Set<String> HANDLED = Set.of("properties", "items", "additionalProperties",
      "oneOf", "anyOf", "allOf", "not", "nullable", "exclusiveMinimum", "exclusiveMaximum",
      "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
      "x-kubernetes-embedded-resource");

  private StructuralSchema() {}

  /** The JSON Schema of a whole custom resource, {@code metadata} included. */
  static ObjectNode toJsonSchema(JsonNode openApiV3Schema) {
    ObjectNode root = convert(openApiV3Schema, "");
    ObjectNode properties = root.has("properties") ? (ObjectNode) root.get("properties")
        : root.putObject("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.putObject("metadata").put("$ref", KubernetesApiSchema.objectMetaRef());
    root.put("type", "object");
    root.put("additionalProperties", false);
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    ObjectNode defs = root.putObject("$defs");
    for (Map.Entry<String, ObjectNode> d : KubernetesApiSchema.objectMetaDefinitions().entrySet()) {
      defs.set(d.getKey(), d.getValue());
    }
    return root;
  }

  private static ObjectNode convert(JsonNode s, String where) {
    ObjectNode out = JSON.createObjectNode();
    for (String key : s.propertyNames()) {
      JsonNode v = s.get(key);
      if (COPIED.contains(key)) {
        out.set(key, v.deepCopy());
      } else if (key.equals("properties")) {
        ObjectNode props = out.putObject("properties");
        for (String p : v.propertyNames()) {
          props.set(p, convert(v.get(p), where + "." + p));
        }
      } else if (key.equals("items") || key.equals("not")) {
        out.set(key, convert(v, where + "." + key));
      } else if (key.equals("additionalProperties")) {
        out.set(key, v.isBoolean() ? v.deepCopy() : convert(v, where + ".*"));
      } else if (key.equals("oneOf") || key.equals("anyOf") || key.equals("allOf")) {
        ArrayNode list = out.putArray(key);
        v.forEach(branch -> list.add(convert(branch, where)));
      } else if (!HANDLED.contains(key) && !NOT_CONSTRAINING.contains(key)) {
        throw new IllegalArgumentException("CRD schema keyword '" + key + "' at " + where
            + " is not understood by memfleet's structural schema conversion");
      }
    }
    exclusiveBound(s, out, "Minimum");
    exclusiveBound(s, out, "Maximum");
    if (s.path("x-kubernetes-int-or-string").asBoolean(false) && !out.has("anyOf")) {
      out.remove("type");
      out.putArray("anyOf").add(JSON.createObjectNode().put("type", "integer"))
          .add(JSON.createObjectNode().put("type", "string"));
    }
    boolean object = "object".equals(s.path("type").asString(""));
    if (object && !s.has("additionalProperties")
        && !s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      out.put("additionalProperties", false);
    }
    if (s.path("x-kubernetes-embedded-resource").asBoolean(false)) {
      ObjectNode props = out.has("properties") ? (ObjectNode) out.get("properties")
          : out.putObject("properties");
      props.putObject("apiVersion").put("type", "string");
      props.putObject("kind").put("type", "string");
      if (!props.has("metadata")) {
        props.putObject("metadata").put("type", "object");
      }
    }
    if (s.path("nullable").asBoolean(false)) {
      if (out.has("type")) {
        out.putArray("type").add(s.get("type").asString()).add("null");
      }
      if (out.get("enum") instanceof ArrayNode e) {
        e.addNull();
      }
    }
    return out;
  }

  private static void exclusiveBound(JsonNode s, ObjectNode out, String bound) {
    String bare = bound.toLowerCase(java.util.Locale.ROOT);
    if (s.path("exclusive" + bound).asBoolean(false) && s.has(bare)) {
      out.set("exclusive" + bound, s.get(bare).deepCopy());
      out.remove(bare);
    }
  }
}
