package io.memfleet.schema.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.schema.Topics;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

class KafkaAccessTest {

  @Test
  void collectorsOnlyWriteEventTopicsAndClock() {
    List<AclBinding> acls = KafkaAccess.COLLECTOR.aclBindings("User:collector");
    assertThat(topics(acls, AclOperation.WRITE)).containsExactlyInAnyOrderElementsOf(
        concat(Topics.eventTopics(), List.of(Topics.CLOCK)));
    assertThat(topics(acls, AclOperation.READ)).isEmpty();
    assertThat(acls).allSatisfy(b -> {
      assertThat(b.entry().principal()).isEqualTo("User:collector");
      assertThat(b.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
      assertThat(b.pattern().resourceType()).isEqualTo(ResourceType.TOPIC);
    });
  }

  @Test
  void thePipelineReadsEventsAndWritesOutputsOnly() {
    List<AclBinding> acls = KafkaAccess.PIPELINE.aclBindings("User:pipeline");
    assertThat(topics(acls, AclOperation.READ)).containsExactlyInAnyOrderElementsOf(
        concat(Topics.eventTopics(), List.of(Topics.CLOCK)));
    assertThat(topics(acls, AclOperation.WRITE)).containsExactlyInAnyOrder(Topics.ALERTS,
        Topics.OOM_SNAPSHOTS, Topics.DEADLETTER);
    assertThat(acls).filteredOn(b -> b.pattern().resourceType() == ResourceType.GROUP)
        .singleElement().satisfies(b -> {
          assertThat(b.pattern().name()).isEqualTo("memfleet-pipeline");
          assertThat(b.pattern().patternType()).isEqualTo(PatternType.PREFIXED);
        });
  }

  @Test
  void launcherToolsOnlyRead() {
    List<AclBinding> acls = KafkaAccess.LAUNCHER.aclBindings("User:launcher");
    assertThat(topics(acls, AclOperation.WRITE)).isEmpty();
    assertThat(topics(acls, AclOperation.READ)).contains(Topics.ALERTS, Topics.OOM_SNAPSHOTS)
        .doesNotContain(Topics.DEADLETTER);
  }

  private static Set<String> topics(List<AclBinding> acls, AclOperation op) {
    return acls.stream().filter(b -> b.pattern().resourceType() == ResourceType.TOPIC)
        .filter(b -> b.entry().operation() == op).map(b -> b.pattern().name())
        .collect(Collectors.toSet());
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
