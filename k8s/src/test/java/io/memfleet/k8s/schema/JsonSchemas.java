package io.memfleet.k8s.schema;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * JSON Schema validation (networknt json-schema-validator) with errors as {@code path: message}
 * pairs, the path naming the offending field itself: an unknown property is reported at
 * {@code $.spec.tlss}, not at its parent.
 *
 * <pre>{@code
 * for (JsonSchemas.Finding f : JsonSchemas.validate(schema, instance)) { … f.path() … }
 * }</pre>
 */
final class JsonSchemas {
  /** One error: where in the instance, and what. */
  record Finding(String path, String message) {}

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b
          .schemaRegistryConfig(SchemaRegistryConfig.builder().pathType(PathType.JSON_PATH)
              .build()));
  // compiled once per schema document, by identity: callers keep their documents, and hashing a
  // CRD's schema on every lookup would cost more than the validation
  private static final Map<JsonNode, Schema> COMPILED =
      Collections.synchronizedMap(new IdentityHashMap<>());

  private JsonSchemas() {}

  static List<Finding> validate(JsonNode schema, JsonNode instance) {
    Schema compiled = COMPILED.computeIfAbsent(schema, REGISTRY::getSchema);
    List<Finding> out = new ArrayList<>();
    for (Error e : compiled.validate(instance)) {
      String path = e.getInstanceLocation().toString();
      if (("additionalProperties".equals(e.getKeyword())
          || "unevaluatedProperties".equals(e.getKeyword())) && e.getProperty() != null) {
        String p = e.getProperty();
        path += p.matches("[A-Za-z_$][A-Za-z0-9_$]*") ? "." + p : "['" + p + "']";
      }
      out.add(new Finding(path, e.getMessage()));
    }
    return out;
  }
}
