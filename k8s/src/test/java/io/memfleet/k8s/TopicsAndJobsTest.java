package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.schema.Topics;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The manifests agree with the code: topics memfleet uses, the migrate command's options. */
class TopicsAndJobsTest {
  static final List<String> BUILDS = K8sTree.BUILDS;

  @ParameterizedTest
  @FieldSource("BUILDS")
  void everyMemfleetTopicIsAKafkaTopic(String build) {
    List<String> declared = K8sTree.ofKind(K8sTree.build(build), "KafkaTopic").stream()
        .map(t -> (String) at(t, "spec", "topicName")).toList();
    assertThat(declared).containsExactlyInAnyOrderElementsOf(Topics.all());
  }

  @Test
  void theCollectorContainersRunMemfleetCommandsThatExist() throws java.io.IOException {
    Map<String, Object> ds = K8sTree.one(K8sTree.build("base"), "DaemonSet", "memfleet-collector");
    StringBuilder sources = new StringBuilder();
    for (String module : List.of("collectors", "launcher")) {
      try (var files = java.nio.file.Files.walk(K8sTree.repo().resolve(module))) {
        files.filter(f -> f.toString().endsWith("Command.java"))
            .filter(f -> f.toString().contains("/src/main/java/"))
            .forEach(f -> sources.append(K8sTree.read(f)));
      }
    }
    for (Map<String, Object> c : K8sTree.containers(at(ds, "spec", "template", "spec"))) {
      String command = ((List<String>) c.get("args")).get(0);
      assertThat(sources.toString()).as(c.get("name") + " runs `memfleet " + command + "`")
          .contains("@Command(name = \"" + command + "\"");
    }
  }

  @Test
  void theMigrationsJobRunsMigrateOnTheReplicatedClusterWithOptionsTheCommandHas() {
    var res = K8sTree.build("base");
    Map<String, Object> job = K8sTree.one(res, "Job", "memfleet-migrate");
    Map<String, Object> c = K8sTree.containers(at(job, "spec", "template", "spec")).get(0);
    List<String> args = (List<String>) c.get("args");
    assertThat(args.get(0)).isEqualTo("migrate");
    assertThat(args).contains("--replicated-cluster=$(MEMFLEET_CLICKHOUSE_CLUSTER)");

    // every option passed exists on the command (launcher's MigrateCommand and the ClickHouse
    // connection options it mixes in)
    String command = K8sTree.read(K8sTree.repo().resolve(
        "launcher/src/main/java/io/memfleet/launcher/MigrateCommand.java"));
    assertThat(command).contains("@Command(name = \"migrate\"")
        .contains("@Mixin ClickHouseOptions");
    String source = command + K8sTree.read(K8sTree.repo().resolve(
        "sql/src/main/java/io/memfleet/sql/ClickHouseOptions.java"));
    for (String arg : args.subList(1, args.size())) {
      String option = arg.substring(0, arg.indexOf('='));
      assertThat(source).as(option).contains("names = \"" + option + "\"");
    }

    // every $(VAR) the arguments use is set in the container's environment
    Map<String, Object> config = at(K8sTree.one(res, "ConfigMap", "memfleet-config"), "data");
    Matcher m = Pattern.compile("\\$\\(([A-Z_]+)\\)").matcher(String.join(" ", args));
    while (m.find()) {
      assertThat(config).as(m.group(1)).containsKey(m.group(1));
    }
    assertThat(((List<Map<String, Object>>) c.get("envFrom")).get(0).toString())
        .contains("memfleet-config");
    // the password comes from the variable the command reads by default
    assertThat(source).contains("\"MEMFLEET_CLICKHOUSE_PASSWORD\"");
    assertThat(((List<Map<String, Object>>) c.get("env")).stream()
        .map(e -> (String) e.get("name")).collect(Collectors.toList()))
        .contains("MEMFLEET_CLICKHOUSE_PASSWORD");
  }
}
