package io.memfleet.k8s.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.k8s.kustomize.YamlDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CRD's structural schema means for a manifest what it means to the API server. */
class StructuralSchemaTest {
  private static final String CRD = """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata: {name: widgets.example.com}
      spec:
        group: example.com
        names: {kind: Widget, plural: widgets}
        scope: Namespaced
        versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [size]
                    properties:
                      size:
                        x-kubernetes-int-or-string: true
                        anyOf: [{type: integer}, {type: string}]
                      port: {type: integer, minimum: 0, exclusiveMinimum: true}
                      mode: {type: string, enum: [fast, safe], nullable: true}
                      config: {type: object, x-kubernetes-preserve-unknown-fields: true}
                      labels: {type: object, additionalProperties: {type: string}}
                      empty: {type: object}
                    x-kubernetes-validations:
                      - rule: self.size != 0
          - name: v1alpha1
            served: false
            storage: false
            schema: {openAPIV3Schema: {type: object}}
      """;

  @TempDir Path dir;

  @Test
  void unknownFieldsFailUnlessPreservedAndIntOrStringNullableAndBoundsHold() throws Exception {
    ManifestValidator validator = validator(CRD);
    assertThat(validate(validator, """
        spec: {size: "10%", port: 1, mode: null, config: {any: {thing: 1}}, labels: {a: b},
               empty: {}}
        """)).isEmpty();
    assertThat(validate(validator, """
        spec: {size: 1.5, port: 0, mode: slow, labels: {a: 1}, empty: {x: 1}, extra: true}
        status: {}
        """).stream().map(SchemaViolation::path).distinct()).containsExactlyInAnyOrder(
            "$.spec.size", "$.spec.port", "$.spec.mode", "$.spec.labels.a", "$.spec.empty.x",
            "$.spec.extra", "$.status");
    assertThat(validate(validator, "metadata: {name: w, labelz: {}}\nspec: {size: 1}\n"))
        .extracting(SchemaViolation::path).containsExactly("$.metadata.labelz");
  }

  @Test
  void onlyServedVersionsValidate() throws Exception {
    List<SchemaViolation> v = validator(CRD).validate(YamlDocs.parseAll(
        "apiVersion: example.com/v1alpha1\nkind: Widget\nmetadata: {name: w}\n", "w").get(0),
        "w.yaml");
    assertThat(v).extracting(SchemaViolation::message).containsExactly("example.com/v1alpha1"
        + " Widget is not served by Widgets 1.0 (CRD widgets.example.com serves [v1])");
  }

  @Test
  void aKeywordTheConversionDoesNotKnowFailsRatherThanBeingIgnored() throws Exception {
    ManifestValidator validator = validator(CRD.replace("minimum: 0,", "minimum: 0, $ref: x,"));
    assertThatThrownBy(() -> validate(validator, "spec: {size: 1}\n"))
        .hasMessageContaining("CRD schema keyword '$ref' at .spec.port");
  }

  private ManifestValidator validator(String crd) throws Exception {
    Path file = Files.writeString(dir.resolve("crd-" + crd.hashCode() + ".yaml"), crd);
    return ManifestValidator.builder().kubernetes(KubernetesApiSchema.v1_32())
        .operator(CustomResourceSchemas.load("Widgets 1.0", file)).build();
  }

  private static List<SchemaViolation> validate(ManifestValidator validator, String body) {
    String doc = "apiVersion: example.com/v1\nkind: Widget\n"
        + (body.startsWith("metadata") ? "" : "metadata: {name: w}\n") + body;
    return validator.validate(YamlDocs.parseAll(doc, "widget").get(0), "widget.yaml");
  }
}
