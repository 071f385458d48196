package io.memfleet.collector;

import io.memfleet.schema.kafka.KafkaSecurity;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The Kafka security settings of {@link KafkaSecurity} as options: a picocli mixin of every
 * collector command (through {@link CollectorOptions}) and of the launcher's Kafka commands, and
 * the JFR agent's option keys. Each option defaults to its {@code MEMFLEET_KAFKA_*} variable. There
 * is no password option: the password comes from the file {@code --kafka-password-file} names or
 * from the variable {@code --kafka-password-env} names, read at login, so it is never on a command
 * line.
 *
 * <pre>{@code
 * @Mixin KafkaSecurityOptions kafkaSecurity;
 * props.putAll(kafkaSecurity.security().clientProperties());
 * }</pre>
 */
public final class KafkaSecurityOptions {
  @Option(names = "--kafka-security-protocol", paramLabel = "PROTOCOL",
      defaultValue = "${env:MEMFLEET_KAFKA_SECURITY_PROTOCOL:-PLAINTEXT}",
      description = "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (MEMFLEET_KAFKA_SECURITY_PROTOCOL;"
          + " default: ${DEFAULT-VALUE}).")
  String protocol;

  @Option(names = "--kafka-sasl-mechanism", paramLabel = "MECHANISM",
      defaultValue = "${env:MEMFLEET_KAFKA_SASL_MECHANISM:-SCRAM-SHA-512}",
      description = "SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN (MEMFLEET_KAFKA_SASL_MECHANISM;"
          + " default: ${DEFAULT-VALUE}).")
  String mechanism;

  @Option(names = "--kafka-username", paramLabel = "USER",
      defaultValue = "${env:MEMFLEET_KAFKA_USERNAME}",
      description = "SASL user (MEMFLEET_KAFKA_USERNAME).")
  String username;

  @Option(names = "--kafka-password-file", paramLabel = "FILE",
      defaultValue = "${env:MEMFLEET_KAFKA_PASSWORD_FILE}",
      description = "File holding the SASL password, e.g. a mounted Secret, read at every login"
          + " (MEMFLEET_KAFKA_PASSWORD_FILE).")
  String passwordFile;

  @Option(names = "--kafka-password-env", paramLabel = "VARIABLE",
      defaultValue = "${env:MEMFLEET_KAFKA_PASSWORD_ENV:-MEMFLEET_KAFKA_PASSWORD}",
      description = "Environment variable holding the SASL password when there is no file"
          + " (MEMFLEET_KAFKA_PASSWORD_ENV; default: ${DEFAULT-VALUE}).")
  String passwordEnv;

  @Option(names = "--kafka-ca-file", paramLabel = "PEM",
      defaultValue = "${env:MEMFLEET_KAFKA_CA_FILE}",
      description = "PEM file of the CA certificates the broker's certificate must chain to"
          + " (MEMFLEET_KAFKA_CA_FILE; default: the JVM's trusted CAs).")
  String caFile;

  /** Defaults from the environment (picocli fills the same fields when used as a mixin). */
  public KafkaSecurityOptions() {
    this(System.getenv()::get);
  }

  /** Plaintext whatever the environment says: for clients of the local stack. */
  public static KafkaSecurityOptions plaintext() {
    return new KafkaSecurityOptions(name -> null);
  }

  KafkaSecurityOptions(Function<String, String> env) {
    protocol = env.apply(KafkaSecurity.ENV_PROTOCOL);
    mechanism = env.apply(KafkaSecurity.ENV_MECHANISM);
    username = env.apply(KafkaSecurity.ENV_USERNAME);
    passwordFile = env.apply(KafkaSecurity.ENV_PASSWORD_FILE);
    passwordEnv = env.apply(KafkaSecurity.ENV_PASSWORD_ENV);
    caFile = env.apply(KafkaSecurity.ENV_CA_FILE);
  }

  /**
   * Sets one setting by its JFR agent key: {@code kafkaSecurityProtocol}, {@code
   * kafkaSaslMechanism}, {@code kafkaUsername}, {@code kafkaPasswordFile}, {@code
   * kafkaPasswordEnv}, {@code kafkaCaFile}.
   *
   * @return false when {@code key} is none of them
   * @throws IllegalArgumentException for {@code kafkaPassword}: an agent's options are on the
   *     JVM's command line
   */
  public boolean set(String key, String value) {
    switch (key) {
      case "kafkaSecurityProtocol" -> protocol = value;
      case "kafkaSaslMechanism" -> mechanism = value;
      case "kafkaUsername" -> username = value;
      case "kafkaPasswordFile" -> passwordFile = value;
      case "kafkaPasswordEnv" -> passwordEnv = value;
      case "kafkaCaFile" -> caFile = value;
      case "kafkaPassword", "password" -> throw new IllegalArgumentException("a password is never"
          + " an option (it would be on the command line): put it in a file named by"
          + " kafkaPasswordFile or in MEMFLEET_KAFKA_PASSWORD");
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * The settings, validated.
   *
   * @throws IllegalArgumentException when they do not fit together
   */
  public KafkaSecurity security() {
    KafkaSecurity.Builder b = KafkaSecurity.builder();
    if (protocol != null && !protocol.isBlank()) {
      b.protocol(protocol);
    }
    if (mechanism != null && !mechanism.isBlank()) {
      b.mechanism(mechanism);
    }
    if (passwordEnv != null && !passwordEnv.isBlank()) {
      b.passwordEnv(passwordEnv);
    }
    return b.username(username).passwordFile(passwordFile).caFile(caFile).build();
  }
}
