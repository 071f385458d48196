package io.memfleet.k8s.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates Kubernetes objects against the schemas a cluster would apply them with: the built-in
 * kinds against Kubernetes' API ({@link KubernetesApiSchema}), custom resources against the CRDs
 * of the operator releases memfleet installs ({@link CustomResourceSchemas}). An object whose
 * apiVersion/kind nothing serves is a violation too: a typo'd apiVersion, or an apiVersion the
 * installed operator no longer serves ({@code kafka.strimzi.io/v1beta2} on Strimzi 1.x).
 *
 * <pre>{@code
 * ManifestValidator validator = ManifestValidator.builder()
 *     .kubernetes(KubernetesApiSchema.v1_32())
 *     .operator(CustomResourceSchemas.load("Strimzi 1.2.0", files))
 *     .build();
 * List<SchemaViolation> problems = validator.validate(resource, "base/kafka/kafka.yaml");
 * }</pre>
 */
public final class ManifestValidator {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final KubernetesApiSchema kubernetes;
  private final List<CustomResourceSchemas> operators;

  private ManifestValidator(Builder b) {
    this.kubernetes = b.kubernetes;
    this.operators = List.copyOf(b.operators);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What this validator checks against, e.g. "Kubernetes 1.32, Strimzi 1.2.0, …". */
  public String describe() {
    List<String> names = new ArrayList<>(List.of("Kubernetes " + KubernetesApiSchema.VERSION));
    operators.forEach(o -> names.add(o.release()));
    return String.join(", ", names);
  }

  /**
   * Which schema {@code resource} is validated against: an operator release such as "Strimzi
   * 0.51.0", or "Kubernetes 1.32".
   *
   * @throws KubernetesApiSchema.UnknownKindException when nothing serves its apiVersion and kind
   */
  public String schemaOf(Map<String, Object> resource) {
    String apiVersion = String.valueOf(resource.get("apiVersion"));
    String kind = String.valueOf(resource.get("kind"));
    for (CustomResourceSchemas o : operators) {
      if (o.defines(apiVersion, kind)) {
        o.schema(apiVersion, kind);
        return o.release();
      }
    }
    kubernetes.kind(apiVersion, kind);
    return "Kubernetes " + KubernetesApiSchema.VERSION;
  }

  /**
   * Every violation of one object.
   *
   * @param resource the object, as parsed from YAML
   * @param file where it comes from, named in every violation
   */
  public List<SchemaViolation> validate(Map<String, Object> resource, String file) {
    String apiVersion = String.valueOf(resource.get("apiVersion"));
    String kind = String.valueOf(resource.get("kind"));
    Object meta = resource.get("metadata");
    Object name = meta instanceof Map<?, ?> m ? m.get("name") : null;
    String object = kind + " " + name + " (" + apiVersion + ")";

    String against;
    ObjectNode schema;
    try {
      CustomResourceSchemas operator = operators.stream()
          .filter(o -> o.defines(apiVersion, kind)).findFirst().orElse(null);
      if (operator != null) {
        against = operator.release();
        schema = operator.schema(apiVersion, kind);
      } else if (KubernetesApiSchema.isBuiltInGroup(apiVersion)) {
        against = "Kubernetes " + KubernetesApiSchema.VERSION;
        schema = kubernetes.kind(apiVersion, kind).schema();
      } else {
        return List.of(new SchemaViolation(file, object, "$.apiVersion", "no schema for "
            + apiVersion + " " + kind + ": not a Kubernetes API group, and no CRD of "
            + describe() + " defines it", describe()));
      }
    } catch (KubernetesApiSchema.UnknownKindException e) {
      return List.of(new SchemaViolation(file, object, "$.apiVersion", e.getMessage(),
          describe()));
    }
    JsonNode instance = JSON.valueToTree(resource);
    List<SchemaViolation> out = new ArrayList<>();
    for (JsonSchemas.Finding f : JsonSchemas.validate(schema, instance)) {
      out.add(new SchemaViolation(file, object, f.path(), f.message(), against));
    }
    return out;
  }

  /** Collects the schemas; {@link #build()} refuses a validator without the Kubernetes API. */
  public static final class Builder {
    private KubernetesApiSchema kubernetes;
    private final List<CustomResourceSchemas> operators = new ArrayList<>();

    private Builder() {}

    /** The schema of the built-in kinds. Required. */
    public Builder kubernetes(KubernetesApiSchema api) {
      this.kubernetes = api;
      return this;
    }

    /** The CRDs of one operator release; no two releases may define the same kind. */
    public Builder operator(CustomResourceSchemas crds) {
      for (CustomResourceSchemas o : operators) {
        for (String groupKind : crds.groupKinds()) {
          if (o.groupKinds().contains(groupKind)) {
            throw new IllegalArgumentException(groupKind + " is defined by both " + o.release()
                + " and " + crds.release());
          }
        }
      }
      operators.add(crds);
      return this;
    }

    public ManifestValidator build() {
      if (kubernetes == null) {
        throw new IllegalStateException("a ManifestValidator needs the Kubernetes API schema");
      }
      return new ManifestValidator(this);
    }
  }
}
