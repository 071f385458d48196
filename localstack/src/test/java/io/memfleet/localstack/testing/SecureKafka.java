package io.memfleet.localstack.testing;

import io.memfleet.localstack.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;

/**
 * A real KRaft broker secured as production is — SASL_SSL with SCRAM-SHA-512 for clients, ACLs
 * enforced by {@code StandardAuthorizer} — with a throw-away CA, for tests of memfleet's clients.
 * Users get random passwords, created through the admin API and written to files (owner-only) the
 * clients read, as a mounted Kubernetes Secret would be.
 *
 * <pre>{@code
 * try (SecureKafka kafka = SecureKafka.start(dir)) {
 *   Path password = kafka.createUser("collector");
 *   kafka.grant(aclBindings);
 *   // client: SASL_SSL to kafka.bootstrapServers(), CA kafka.caFile(), user collector
 * }
 * }</pre>
 */
public final class SecureKafka implements AutoCloseable {
  private final Path dir;
  private final TestCertificates certificates;
  private final KafkaBroker broker;

  private SecureKafka(Path dir, TestCertificates certificates, KafkaBroker broker) {
    this.dir = dir;
    this.certificates = certificates;
    this.broker = broker;
  }

  /** Makes the certificates and starts the broker under {@code dir} (free ports). */
  public static SecureKafka start(Path dir) throws Exception {
    TestCertificates certificates = TestCertificates.create(dir.resolve("tls"));
    KafkaBroker broker = KafkaBroker.builder(dir.resolve("kafka-secure")).heap("384m")
        .jvmOptions(TestServers.KAFKA_JVM_OPTIONS).saslSsl(certificates.kafkaTls()).build();
    try {
      broker.start();
    } catch (Exception | Error e) {
      broker.close();
      throw e;
    }
    return new SecureKafka(dir, certificates, broker);
  }

  /** The SASL_SSL listener. */
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** The PEM file of the CA clients must trust. */
  public Path caFile() {
    return certificates.caFile();
  }

  public TestCertificates certificates() {
    return certificates;
  }

  public KafkaBroker broker() {
    return broker;
  }

  /**
   * Creates a SCRAM-SHA-512 user with a random password and returns the file holding it
   * (owner-only, no trailing line break, as Kubernetes mounts a Secret key).
   */
  public Path createUser(String name) throws Exception {
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    try (Admin admin = broker.admin(Duration.ofSeconds(30))) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(name,
          new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)))
          .all().get(30, TimeUnit.SECONDS);
    }
    Path secrets = Files.createDirectories(dir.resolve("secrets").resolve(name));
    Path file = secrets.resolve("password");
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, password, StandardCharsets.UTF_8);
    return file;
  }

  /** Creates ACLs, as the super user. */
  public void grant(Collection<AclBinding> acls) throws Exception {
    try (Admin admin = broker.admin(Duration.ofSeconds(30))) {
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** Creates topics, as the super user. */
  public void createTopics(Collection<NewTopic> topics) throws Exception {
    broker.createTopics(topics);
  }

  @Override
  public void close() {
    broker.close();
  }
}
