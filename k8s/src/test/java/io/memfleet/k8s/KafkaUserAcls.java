package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs a Strimzi {@code KafkaUser} (kafka.strimzi.io/v1) stands for: what the user
 * operator creates for principal {@code User:<name>} from {@code spec.authorization.acls}. So the
 * manifests' users can be compared with {@code io.memfleet.schema.kafka.KafkaAccess} and granted on
 * a real broker in tests.
 *
 * <pre>{@code
 * Set<AclBinding> acls = KafkaUserAcls.of(K8sTree.one(res, "KafkaUser", "memfleet-pipeline"));
 * secureKafka.grant(acls);
 * }</pre>
 *
 * <p>Strimzi's defaults apply: {@code type} allow, {@code patternType} literal, {@code host}
 * {@code *}. Its ACL terms map one to one onto Kafka's: resource types {@code topic}, {@code
 * group}, {@code cluster}, {@code transactionalId}; pattern {@code prefix} is Kafka's {@code
 * PREFIXED}; operations in CamelCase ({@code IdempotentWrite} is {@code IDEMPOTENT_WRITE}).
 */
final class KafkaUserAcls {
  private KafkaUserAcls() {}

  /** The principal a SCRAM user logs in as. */
  static String principal(Map<String, Object> kafkaUser) {
    return "User:" + at(kafkaUser, "metadata", "name");
  }

  /** Every ACL binding of the user, one per operation. */
  @SuppressWarnings("unchecked")
  static Set<AclBinding> of(Map<String, Object> kafkaUser) {
    String principal = principal(kafkaUser);
    Set<AclBinding> out = new LinkedHashSet<>();
    List<Map<String, Object>> acls = at(kafkaUser, "spec", "authorization", "acls");
    for (Map<String, Object> acl : acls == null ? List.<Map<String, Object>>of() : acls) {
      Map<String, Object> resource = (Map<String, Object>) acl.get("resource");
      ResourceType type = switch ((String) resource.get("type")) {
        case "topic" -> ResourceType.TOPIC;
        case "group" -> ResourceType.GROUP;
        case "cluster" -> ResourceType.CLUSTER;
        case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
        default -> throw new IllegalArgumentException("resource type " + resource);
      };
      String name = type == ResourceType.CLUSTER ? "kafka-cluster" : (String) resource.get("name");
      PatternType pattern = "prefix".equals(resource.get("patternType")) ? PatternType.PREFIXED
          : PatternType.LITERAL;
      AclPermissionType permission = "deny".equals(acl.get("type")) ? AclPermissionType.DENY
          : AclPermissionType.ALLOW;
      String host = acl.get("host") == null ? "*" : (String) acl.get("host");
      for (String op : (List<String>) acl.get("operations")) {
        out.add(new AclBinding(new ResourcePattern(type, name, pattern),
            new AccessControlEntry(principal, host, operation(op), permission)));
      }
    }
    return out;
  }

  /** {@code IdempotentWrite} → {@link AclOperation#IDEMPOTENT_WRITE}. */
  static AclOperation operation(String strimzi) {
    String kafka = strimzi.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    return AclOperation.valueOf(kafka);
  }
}
