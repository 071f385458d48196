package io.memfleet.schema.kafka;

import io.memfleet.schema.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * What each memfleet component may do on a secured Kafka, least privilege: collectors only write
 * events and clock samples; the pipeline reads those (as its consumer group) and writes alerts, OOM
 * snapshots and dead letters; the launcher's tools ({@code watch}, {@code record}) only read, in
 * consumer groups of their own or none. Tests grant exactly these on a secured broker. The
 * Kubernetes manifests' Strimzi {@code KafkaUser}s ({@code k8s/base/kafka/users.yaml}) grant
 * {@link #PIPELINE} exactly and, to each collector, {@link #COLLECTOR} cut to the topics of the
 * sources that collector publishes; {@code KafkaUsersTest} in the k8s module holds them to that.
 *
 * <pre>{@code
 * admin.createAcls(KafkaAccess.COLLECTOR.aclBindings("User:collector"));
 * }</pre>
 */
public enum KafkaAccess {
  /** Every collector: the JFR agent, {@code jfr-remote}, {@code collect}, {@code ebpf}. */
  COLLECTOR(all(
      topics(collectorTopics(), AclOperation.WRITE, AclOperation.DESCRIBE))),
  /** The Flink job: sources, sinks and their admin clients. */
  PIPELINE(all(
      topics(collectorTopics(), AclOperation.READ, AclOperation.DESCRIBE),
      topics(List.of(Topics.ALERTS, Topics.OOM_SNAPSHOTS, Topics.DEADLETTER), AclOperation.WRITE,
          AclOperation.DESCRIBE),
      List.of(new Grant(ResourceType.GROUP, "memfleet-pipeline", PatternType.PREFIXED,
          Set.of(AclOperation.READ))))),
  /** The launcher's Kafka tools: {@code watch}, {@code record}, the alert listener. */
  LAUNCHER(all(
      topics(readableByTools(), AclOperation.READ, AclOperation.DESCRIBE),
      List.of(new Grant(ResourceType.GROUP, "memfleet-watch-", PatternType.PREFIXED,
          Set.of(AclOperation.READ)),
      new Grant(ResourceType.GROUP, "memfleet-listener-", PatternType.PREFIXED,
          Set.of(AclOperation.READ)))));

  /** Operations on one resource (a literal name or a prefix). */
  public record Grant(ResourceType type, String name, PatternType pattern,
      Set<AclOperation> operations) {}

  private final List<Grant> grants;

  KafkaAccess(List<Grant> grants) {
    this.grants = List.copyOf(grants);
  }

  public List<Grant> grants() {
    return grants;
  }

  /** The ALLOW bindings of this role for {@code principal} (e.g. {@code User:collector}). */
  public List<AclBinding> aclBindings(String principal) {
    List<AclBinding> bindings = new ArrayList<>();
    for (Grant g : grants) {
      for (AclOperation op : g.operations()) {
        bindings.add(new AclBinding(new ResourcePattern(g.type(), g.name(), g.pattern()),
            new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
      }
    }
    return bindings;
  }

  private static List<String> collectorTopics() {
    List<String> t = new ArrayList<>(Topics.eventTopics());
    t.add(Topics.CLOCK);
    return t;
  }

  private static List<String> readableByTools() {
    List<String> t = collectorTopics();
    t.addAll(List.of(Topics.ALERTS, Topics.OOM_SNAPSHOTS));
    return t;
  }

  /** The same operations on each of the topics, by literal name. */
  private static List<Grant> topics(List<String> names, AclOperation... operations) {
    return names.stream().map(n -> new Grant(ResourceType.TOPIC, n, PatternType.LITERAL,
        Set.of(operations))).toList();
  }

  @SafeVarargs
  private static List<Grant> all(List<Grant>... parts) {
    List<Grant> all = new ArrayList<>();
    for (List<Grant> part : parts) {
      all.addAll(part);
    }
    return all;
  }
}
