package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Source;
import io.memfleet.schema.Topics;
import io.memfleet.schema.kafka.KafkaAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Each KafkaUser may do what its component needs and nothing more. The pipeline's user grants
 * exactly {@link KafkaAccess#PIPELINE}, the role the pipeline's secured integration test runs
 * under. A collector's user grants {@link KafkaAccess#COLLECTOR} cut down to the topics of the
 * sources that collector publishes (and {@code memfleet.clock}); which sources those are is read
 * from the collector's own code, so a collector that starts publishing another source fails here
 * before it fails to write in production.
 */
class KafkaUsersTest {
  static final List<String> BUILDS = K8sTree.BUILDS;

  /** A collector's user, the sources it publishes, and the modules whose code it runs. */
  record Collector(String user, Set<Source> sources, List<String> modules) {}

  static final List<Collector> COLLECTORS = List.of(
      // memfleet collect: procfs/cgroups, Go runtimes, JVMs' JFR repositories (collectors/jfr)
      new Collector("memfleet-node-collector", EnumSet.of(Source.PROCFS, Source.CGROUP,
          Source.GO_EXPVAR, Source.GO_GCTRACE, Source.JFR),
          List.of("collectors/node", "collectors/jfr", "collectors/core")),
      // memfleet ebpf: bpftrace and perf
      new Collector("memfleet-ebpf-collector", EnumSet.of(Source.EBPF, Source.PERF),
          List.of("collectors/ebpf", "collectors/core")),
      // the JFR agent in an application's JVM
      new Collector("memfleet-jfr-agent", EnumSet.of(Source.JFR),
          List.of("collectors/jfr", "collectors/core")));

  private static final Pattern SOURCE = Pattern.compile("\\bSource\\.([A-Z][A-Z_]*)\\b");
  private static final Pattern COMMENT = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

  @ParameterizedTest
  @FieldSource("BUILDS")
  void everyUserLogsInWithAGeneratedScramPasswordAndIsAuthorizedByAcls(String build) {
    List<Map<String, Object>> users = K8sTree.ofKind(K8sTree.build(build), "KafkaUser");
    assertThat(users).extracting(u -> (String) at(u, "metadata", "name"))
        .containsExactlyInAnyOrder("memfleet-node-collector", "memfleet-ebpf-collector",
            "memfleet-jfr-agent", "memfleet-pipeline");
    assertThat(users).allSatisfy(u -> {
      String id = build + " KafkaUser " + at(u, "metadata", "name");
      assertThat((Object) at(u, "metadata", "labels", "strimzi.io/cluster")).as(id)
          .isEqualTo("memfleet");
      assertThat((Map<String, Object>) at(u, "spec", "authentication")).as(id)
          .containsExactly(Map.entry("type", "scram-sha-512"));
      assertThat((Object) at(u, "spec", "authorization", "type")).as(id).isEqualTo("simple");
    });
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void thePipelineMayDoExactlyWhatItsRoleAllows(String build) {
    Map<String, Object> user = K8sTree.one(K8sTree.build(build), "KafkaUser",
        "memfleet-pipeline");
    assertThat(KafkaUserAcls.of(user)).containsExactlyInAnyOrderElementsOf(
        KafkaAccess.PIPELINE.aclBindings(KafkaUserAcls.principal(user)));
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void eachCollectorMayOnlyWriteItsSourcesTopicsAndTheClock(String build) {
    var res = K8sTree.build(build);
    for (Collector c : COLLECTORS) {
      Map<String, Object> user = K8sTree.one(res, "KafkaUser", c.user());
      String principal = KafkaUserAcls.principal(user);
      Set<String> topics = new TreeSet<>();
      c.sources().forEach(s -> topics.add(Topics.forSource(s)));
      topics.add(Topics.CLOCK);
      Set<AclBinding> expected = new HashSet<>();
      for (String topic : topics) {
        for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
          expected.add(new AclBinding(
              new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
              new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
        }
      }
      Set<AclBinding> acls = KafkaUserAcls.of(user);
      assertThat(acls).as(c.user()).containsExactlyInAnyOrderElementsOf(expected);
      assertThat(KafkaAccess.COLLECTOR.aclBindings(principal)).as(c.user()
          + " is a collector: no more than KafkaAccess.COLLECTOR").containsAll(acls);
    }
  }

  @Test
  void eachCollectorsCodePublishesExactlyTheSourcesItsUserMayWrite() {
    for (Collector c : COLLECTORS) {
      Set<Source> named = EnumSet.noneOf(Source.class);
      for (String module : c.modules()) {
        named.addAll(sourcesNamedIn(K8sTree.repo().resolve(module).resolve("src/main/java")));
      }
      assertThat(named).as("sources the code of %s (%s) stamps on events", c.user(), c.modules())
          .isEqualTo(c.sources());
    }
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void noUserMayManageTopicsGroupsOrTheCluster(String build) {
    for (Map<String, Object> user : K8sTree.ofKind(K8sTree.build(build), "KafkaUser")) {
      assertThat(KafkaUserAcls.of(user)).as((String) at(user, "metadata", "name"))
          .allSatisfy(b -> {
            assertThat(b.pattern().resourceType()).isIn(ResourceType.TOPIC, ResourceType.GROUP);
            assertThat(b.entry().operation()).isIn(AclOperation.READ, AclOperation.WRITE,
                AclOperation.DESCRIBE);
            assertThat(b.entry().host()).isEqualTo("*");
            assertThat(b.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
          });
    }
  }

  @ParameterizedTest
  @FieldSource("BUILDS")
  void thePipelinesConsumerGroupIsTheOneItsUserMayRead(String build) {
    Map<String, Object> fd = K8sTree.one(K8sTree.build(build), "FlinkDeployment",
        "memfleet-pipeline");
    Set<String> groups = new LinkedHashSet<>();
    // memfleet.kafka.group-id's default, unless the deployment sets another
    groups.add("memfleet-pipeline");
    Object conf = at(fd, "spec", "flinkConfiguration", "memfleet.kafka.group-id");
    if (conf != null) {
      groups.add((String) conf);
    }
    KafkaClients.of(K8sTree.build(build)).stream()
        .filter(c -> c.id().startsWith("FlinkDeployment/"))
        .map(c -> c.env().get("MEMFLEET_KAFKA_GROUP_ID")).filter(g -> g != null)
        .forEach(groups::add);
    for (String group : groups) {
      assertThat(KafkaAccess.PIPELINE.grants()).as(group).anySatisfy(g -> {
        assertThat(g.type()).isEqualTo(ResourceType.GROUP);
        assertThat(g.pattern() == PatternType.PREFIXED ? group.startsWith(g.name())
            : group.equals(g.name())).isTrue();
      });
    }
  }

  @Test
  void theSourceScanSeesCodeAndNotComments() {
    String code = """
        /** Javadoc: headers.next(p, Source.PERF, …) */
        class X {
          // Source.GO_GCTRACE in a line comment
          EventHeader h = headers.next(p, Source.EBPF, domain, t); /* Source.JFR */
        }
        """;
    assertThat(sourcesNamed(code)).containsExactly(Source.EBPF);
  }

  private static Set<Source> sourcesNamedIn(Path dir) {
    Set<Source> out = EnumSet.noneOf(Source.class);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        out.addAll(sourcesNamed(Files.readString(f)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static Set<Source> sourcesNamed(String java) {
    Set<Source> out = EnumSet.noneOf(Source.class);
    Matcher m = SOURCE.matcher(COMMENT.matcher(java).replaceAll(" "));
    while (m.find()) {
      for (Source s : Source.values()) {
        if (s.name().equals(m.group(1))) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
