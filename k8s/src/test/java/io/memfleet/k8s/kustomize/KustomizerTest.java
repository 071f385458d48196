package io.memfleet.k8s.kustomize;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KustomizerTest {
  @TempDir Path dir;

  private void write(String file, String text) throws IOException {
    Path p = dir.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, labels: {tier: front}}
      spec:
        template:
          spec:
            containers:
              - name: web
                image: registry.local:5000/web:1.0
                env: [{name: A, value: "1"}, {name: B, value: "2"}]
              - name: side
                image: busybox
      """;

  @Test
  void namespaceLabelsAndImagesApplyWhereKustomizeAppliesThem() throws IOException {
    write("base/app.yaml", DEPLOYMENT + """
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        spec: {image: registry.local:5000/web:1.0}
        """);
    write("base/images.yaml", "images:\n  - path: spec/image\n    kind: Widget\n");
    write("base/kustomization.yaml", """
        namespace: shop
        labels: [{pairs: {team: mem}}]
        resources: [app.yaml]
        configurations: [images.yaml]
        images: [{name: registry.local:5000/web, newName: reg.example/web, newTag: "2.0"}]
        """);
    List<Map<String, Object>> out = new Kustomizer().build(dir.resolve("base"));

    Map<String, Object> d = out.get(0);
    assertThat((Object) at(d, "metadata", "namespace")).isEqualTo("shop");
    assertThat((Map<String, Object>) at(d, "metadata", "labels"))
        .containsEntry("team", "mem").containsEntry("tier", "front");
    assertThat((Object) at(d, "spec", "template", "metadata")).as("no template labels").isNull();
    List<Map<String, Object>> cs = at(d, "spec", "template", "spec", "containers");
    assertThat(cs.get(0).get("image")).isEqualTo("reg.example/web:2.0");
    assertThat(cs.get(1).get("image")).isEqualTo("busybox");
    assertThat((Object) at(out.get(1), "metadata", "namespace")).as("cluster-scoped").isNull();
    assertThat((Object) at(out.get(2), "spec", "image")).isEqualTo("reg.example/web:2.0");
  }

  @Test
  void strategicMergeMergesKeyedListsAndJsonMergeReplacesCustomResourceLists()
      throws IOException {
    write("base/app.yaml", DEPLOYMENT + """
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        spec: {items: [a, b], keep: yes, drop: me}
        """);
    write("base/kustomization.yaml", "resources: [app.yaml]\n");
    write("over/patch.yaml", """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              containers:
                - name: web
                  env: [{name: B, value: "3"}, {name: C, value: "4"}]
                - name: side
                  $patch: delete
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w}
        spec: {items: [c], drop: null}
        """);
    write("over/kustomization.yaml", "resources: [../base]\npatches: [{path: patch.yaml}]\n");
    List<Map<String, Object>> out = new Kustomizer().build(dir.resolve("over"));

    List<Map<String, Object>> cs = at(out.get(0), "spec", "template", "spec", "containers");
    assertThat(cs).extracting(c -> c.get("name")).containsExactly("web");
    assertThat((List<Map<String, Object>>) cs.get(0).get("env"))
        .extracting(e -> e.get("name") + "=" + e.get("value"))
        .containsExactly("B=3", "C=4", "A=1");
    assertThat((Map<String, Object>) out.get(1).get("spec"))
        .containsEntry("items", List.of("c")).containsEntry("keep", "yes")
        .doesNotContainKey("drop");
  }

  @Test
  void jsonPatchesApplyToTargetsByKindNameRegexAndLabels() throws IOException {
    write("base/app.yaml", DEPLOYMENT + """
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: w-one}
        spec: {n: 1, list: [x]}
        ---
        apiVersion: example.com/v1
        kind: Widget
        metadata: {name: other}
        spec: {n: 1, list: [x]}
        """);
    write("base/kustomization.yaml", """
        resources: [app.yaml]
        patches:
          - target: {kind: Widget, name: w-.*}
            patch: |-
              - {op: test, path: /spec/n, value: 1}
              - {op: replace, path: /spec/n, value: 2}
              - {op: add, path: /spec/list/-, value: y}
              - {op: add, path: /spec/a~1b, value: slash}
          - target: {labelSelector: tier=front}
            patch: |-
              - {op: remove, path: /spec/template/spec/containers/1}
        """);
    List<Map<String, Object>> out = new Kustomizer().build(dir.resolve("base"));
    assertThat((Map<String, Object>) out.get(1).get("spec")).containsEntry("n", 2)
        .containsEntry("list", List.of("x", "y")).containsEntry("a/b", "slash");
    assertThat((Object) at(out.get(2), "spec", "n")).isEqualTo(1);
    assertThat((List<?>) at(out.get(0), "spec", "template", "spec", "containers")).hasSize(1);
  }

  @Test
  void generatorsCreateAndMerge() throws IOException {
    write("base/app.env", "# comment\nA=1\nB=two words\n");
    write("base/dash.json", "{\"x\": 1}\n");
    write("base/kustomization.yaml", """
        generatorOptions: {disableNameSuffixHash: true}
        configMapGenerator:
          - {name: cfg, envs: [app.env], files: [dash.json, renamed.json=dash.json]}
        secretGenerator:
          - {name: creds, literals: [password=s3cr3t]}
        """);
    write("over/kustomization.yaml", """
        resources: [../base]
        generatorOptions: {disableNameSuffixHash: true}
        configMapGenerator:
          - {name: cfg, behavior: merge, literals: [B=3, C=4]}
        """);
    List<Map<String, Object>> out = new Kustomizer().build(dir.resolve("over"));
    assertThat((Map<String, Object>) out.get(0).get("data")).containsEntry("A", "1")
        .containsEntry("B", "3").containsEntry("C", "4")
        .containsEntry("dash.json", "{\"x\": 1}\n").containsKey("renamed.json");
    assertThat(new String(Base64.getDecoder().decode((String) at(out.get(1), "data",
        "password")))).isEqualTo("s3cr3t");
    assertThat(out.get(1).get("type")).isEqualTo("Opaque");
  }

  @Test
  void whatTheSubsetDoesNotSupportFailsInsteadOfBeingIgnored() throws IOException {
    write("a/kustomization.yaml", "namePrefix: x-\n");
    assertThatThrownBy(() -> new Kustomizer().build(dir.resolve("a")))
        .hasMessageContaining("'namePrefix' is not supported");
    write("b/kustomization.yaml", "configMapGenerator: [{name: c, literals: [a=b]}]\n");
    assertThatThrownBy(() -> new Kustomizer().build(dir.resolve("b")))
        .hasMessageContaining("disableNameSuffixHash");
    write("c/kustomization.yaml", "resources: [missing.yaml]\n");
    assertThatThrownBy(() -> new Kustomizer().build(dir.resolve("c")))
        .hasMessageContaining("does not exist");
    write("d/app.yaml", DEPLOYMENT);
    write("d/kustomization.yaml", """
        resources: [app.yaml]
        patches:
          - target: {kind: Deployment}
            patch: |-
              - {op: replace, path: /spec/replicas, value: 2}
        """);
    assertThatThrownBy(() -> new Kustomizer().build(dir.resolve("d")))
        .hasMessageContaining("path does not exist: /spec/replicas");
    write("e/app.yaml", DEPLOYMENT);
    write("e/p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nope}\n");
    write("e/kustomization.yaml", "resources: [app.yaml]\npatches: [{path: p.yaml}]\n");
    assertThatThrownBy(() -> new Kustomizer().build(dir.resolve("e")))
        .hasMessageContaining("matches nothing");
  }

  @Test
  void imageReferencesKeepRegistryPortsInTheName() {
    assertThat(ImageRef.parse("host:5000/a/b:1.2")).isEqualTo(new ImageRef("host:5000/a/b",
        "1.2", null));
    assertThat(ImageRef.parse("host:5000/a/b")).isEqualTo(new ImageRef("host:5000/a/b", null,
        null));
    assertThat(ImageRef.parse("a@sha256:00").digest()).isEqualTo("sha256:00");
  }
}
