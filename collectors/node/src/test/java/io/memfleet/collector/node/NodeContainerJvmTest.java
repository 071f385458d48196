package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeContainerJvmTest {
  private static final String SCRIPT = """
      #!/bin/sh
      # comment: exec java -Xmx1g is not the line
      exec java -XX:MaxRAMPercentage=60 ${MEMFLEET_JAVA_OPTS:-} -XX:+ExitOnOutOfMemoryError \\
        -cp '/opt/memfleet/lib/*' io.memfleet.launcher.Memfleet "$@"
      """;

  private static final String DAEMONSET = """
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: memfleet-collector
      ---
      apiVersion: apps/v1
      kind: DaemonSet
      metadata:
        name: memfleet-collector
      spec:
        template:
          spec:
            containers:
              - name: node
                env:
                  - name: OTHER
                    value: -Xmx1m
                  - name: MEMFLEET_JAVA_OPTS
                    value: -XX:TieredStopAtLevel=1  -Xss512k
                resources:
                  limits:
                    cpu: 500m
                    memory: 384Mi
              - name: ebpf
                resources:
                  limits:
                    cpu: "2"
      """;

  @Test
  void optionsInScriptOrderWithTheContainersJavaOpts() throws Exception {
    NodeContainerJvm jvm = NodeContainerJvm.parse(SCRIPT, DAEMONSET);

    assertThat(jvm.options()).containsExactly("-XX:MaxRAMPercentage=60",
        "-XX:TieredStopAtLevel=1", "-Xss512k", "-XX:+ExitOnOutOfMemoryError");
    assertThat(jvm.containerView()).containsExactly("-XX:ActiveProcessorCount=1",
        "-XX:MaxRAM=" + 384L * 1024 * 1024);
    assertThat(jvm.harnessOptions()).endsWith("-XX:ActiveProcessorCount=1",
        "-XX:MaxRAM=402653184").startsWith("-XX:MaxRAMPercentage=60");
  }

  @Test
  void withoutJavaOptsOrLimitsTheScriptAlone() throws Exception {
    String bare = """
        kind: DaemonSet
        metadata: {name: memfleet-collector}
        spec: {template: {spec: {containers: [{name: node}]}}}
        """;
    NodeContainerJvm jvm = NodeContainerJvm.parse(SCRIPT, bare);

    assertThat(jvm.options()).containsExactly("-XX:MaxRAMPercentage=60",
        "-XX:+ExitOnOutOfMemoryError");
    assertThat(jvm.containerView()).isEmpty();
  }

  @Test
  void refusesWhatItCannotKnow() {
    assertThatThrownBy(() -> NodeContainerJvm.launchOptions(
        "exec java $OTHER_OPTS -cp x Main", "")).hasMessageContaining("$OTHER_OPTS");
    assertThatThrownBy(() -> NodeContainerJvm.launchOptions("java -cp x Main", ""))
        .hasMessageContaining("exec java");
    assertThatThrownBy(() -> NodeContainerJvm.parse(SCRIPT, "kind: DaemonSet\n"))
        .hasMessageContaining("no container node");
    assertThatThrownBy(() -> NodeContainerJvm.quantity("1Xi"))
        .hasMessageContaining("unsupported quantity");
  }

  @Test
  void quantities() {
    assertThat(NodeContainerJvm.quantity("500m")).isEqualByComparingTo("0.5");
    assertThat(NodeContainerJvm.quantity("1.5")).isEqualByComparingTo("1.5");
    assertThat(NodeContainerJvm.quantity("384Mi")).isEqualByComparingTo(
        BigDecimal.valueOf(402653184L));
    assertThat(NodeContainerJvm.quantity("1G")).isEqualByComparingTo("1000000000");
    // a fraction of a core above one is rounded up, as HotSpot rounds a CFS quota
    assertThat(new NodeContainerJvm(List.of(), Optional.of(
        NodeContainerJvm.quantity("2500m")), OptionalLong.empty()).containerView())
        .containsExactly("-XX:ActiveProcessorCount=3");
  }

  @Test
  void theCheckoutsDaemonSetIsReadable() throws Exception {
    NodeContainerJvm jvm = NodeContainerJvm.fromRepository(NodeContainerJvm.repositoryRoot());

    assertThat(jvm.options()).isNotEmpty().allMatch(o -> o.startsWith("-"));
    // the DaemonSet bounds the node container: the harness must see what the pod sees
    assertThat(jvm.cpuLimit()).isPresent();
    assertThat(jvm.memoryLimitBytes()).isPresent();
    assertThat(jvm.containerView()).hasSize(2);
  }

  @Test
  void overlaysChangingTheNodeContainerAreRefused(@TempDir Path overlays) throws Exception {
    Path prod = Files.createDirectories(overlays.resolve("prod"));
    Files.writeString(prod.resolve("collector.yaml"), """
        kind: DaemonSet
        metadata: {name: memfleet-collector}
        spec: {template: {spec: {containers: [{name: ebpf, resources: {limits: {cpu: "2"}}}]}}}
        """);
    NodeContainerJvm.refuseOverlayChanges(overlays); // the eBPF container is not measured

    Files.writeString(prod.resolve("node.yaml"), """
        kind: DaemonSet
        metadata: {name: memfleet-collector}
        spec:
          template:
            spec:
              containers: [{name: node, env: [{name: MEMFLEET_JAVA_OPTS, value: -Xint}]}]
        """);
    assertThatThrownBy(() -> NodeContainerJvm.refuseOverlayChanges(overlays))
        .hasMessageContaining("node.yaml");

    Files.delete(prod.resolve("node.yaml"));
    Files.writeString(prod.resolve("kustomization.yaml"), """
        patches:
          - target: {kind: DaemonSet, name: memfleet-collector}
            patch: |-
              - op: replace
                path: /spec/template/spec/containers/0/resources/limits/cpu
                value: "4"
        """);
    assertThatThrownBy(() -> NodeContainerJvm.refuseOverlayChanges(overlays))
        .hasMessageContaining("inline");
  }
}
