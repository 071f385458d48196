package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.schema.kafka.KafkaSecurity;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class CollectorOptionsTest {

  @Command(name = "t")
  static final class Cmd implements Runnable {
    @Mixin CollectorOptions common;

    @Override
    public void run() {}
  }

  @Test
  void environmentSuppliesDefaults() {
    Map<String, String> env = Map.of("MEMFLEET_KAFKA_BOOTSTRAP", "k:1", "MEMFLEET_CLUSTER", "c1",
        "MEMFLEET_LABELS", "a=b", "MEMFLEET_SPOOL_MAX_BYTES", "4096");
    CollectorOptions o = new CollectorOptions(env::get);
    assertThat(o.kafkaBootstrap()).isEqualTo("k:1");
    assertThat(o.cluster()).isEqualTo("c1");
    assertThat(o.labels()).containsEntry("a", "b");
    assertThat(o.spoolMaxBytes()).isEqualTo(4096);
    CollectorOptions empty = new CollectorOptions(k -> null);
    assertThat(empty.kafkaBootstrap()).isEqualTo("127.0.0.1:19092");
    assertThat(empty.cluster()).isEqualTo("local");
    assertThat(empty.spoolDir("jfr")).isEqualTo(
        Path.of(System.getProperty("user.home"), ".memfleet", "spool", "jfr"));
    assertThat(empty.node()).isNotBlank();
  }

  @Test
  void agentKeysOverride() {
    CollectorOptions o = new CollectorOptions(k -> null);
    assertThat(o.set("bootstrap", "b:2")).isTrue();
    assertThat(o.set("spoolMaxBytes", "8m")).isTrue();
    assertThat(o.set("labels", "x=1;y=2")).isTrue();
    assertThat(o.set("spoolDir", "/tmp/s")).isTrue();
    assertThat(o.set("throttle", "100/s")).isFalse();
    assertThat(o.kafkaBootstrap()).isEqualTo("b:2");
    assertThat(o.spoolMaxBytes()).isEqualTo(8L * 1024 * 1024);
    assertThat(o.labels()).containsEntry("x", "1").containsEntry("y", "2");
    assertThat(o.spoolDir("jfr")).isEqualTo(Path.of("/tmp/s"));
    assertThatThrownBy(() -> o.set("spoolMaxBytes", "lots"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void picocliMixin() {
    Cmd cmd = new Cmd();
    new CommandLine(cmd).parseArgs("--kafka-bootstrap", "h:9", "--cluster", "prod",
        "--spool-dir", "/var/spool/m", "--labels", "team=a", "--service", "svc");
    assertThat(cmd.common.kafkaBootstrap()).isEqualTo("h:9");
    assertThat(cmd.common.cluster()).isEqualTo("prod");
    assertThat(cmd.common.spoolDir("x")).isEqualTo(Path.of("/var/spool/m"));
    assertThat(cmd.common.labels()).containsEntry("team", "a");
    assertThat(cmd.common.service()).isEqualTo("svc");
  }

  @Test
  void kafkaSecurityFromEnvironmentAgentKeysAndFlags() {
    Map<String, String> env = Map.of("MEMFLEET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "MEMFLEET_KAFKA_USERNAME", "collector",
        "MEMFLEET_KAFKA_PASSWORD_FILE", "/etc/memfleet/kafka/password",
        "MEMFLEET_KAFKA_CA_FILE", "/etc/memfleet/kafka/ca.crt");
    KafkaSecurity fromEnv = new CollectorOptions(env::get).kafkaSecurity();
    assertThat(fromEnv.protocol()).isEqualTo(KafkaSecurity.Protocol.SASL_SSL);
    assertThat(fromEnv.username()).isEqualTo("collector");
    assertThat(fromEnv.passwordFile()).isEqualTo("/etc/memfleet/kafka/password");
    assertThat(fromEnv.caFile()).isEqualTo("/etc/memfleet/kafka/ca.crt");
    assertThat(new CollectorOptions(k -> null).kafkaSecurity())
        .isEqualTo(KafkaSecurity.plaintext());

    // the JFR agent's option string
    CollectorOptions agent = new CollectorOptions(k -> null);
    assertThat(agent.set("kafkaSecurityProtocol", "SASL_SSL")).isTrue();
    assertThat(agent.set("kafkaUsername", "jvm")).isTrue();
    assertThat(agent.set("kafkaPasswordEnv", "KAFKA_PW")).isTrue();
    assertThat(agent.kafkaSecurity().passwordEnv()).isEqualTo("KAFKA_PW");
    assertThat(agent.kafkaSecurity().username()).isEqualTo("jvm");
    // an agent's options are on the JVM's command line: no password there
    assertThatThrownBy(() -> agent.set("kafkaPassword", "s3cret"))
        .hasMessageContaining("never an option").hasMessageNotContaining("s3cret");

    Cmd cmd = new Cmd();
    new CommandLine(cmd).parseArgs("--kafka-security-protocol", "sasl_ssl",
        "--kafka-username", "node", "--kafka-password-file", "/run/secrets/pw",
        "--kafka-ca-file", "/run/ca.pem");
    KafkaSecurity flags = cmd.common.kafkaSecurity();
    assertThat(flags.describe()).isEqualTo("SASL_SSL (SCRAM-SHA-512 as node, password from file"
        + " /run/secrets/pw, CA /run/ca.pem)");
    assertThat(new CommandLine(new Cmd()).getCommandSpec().optionsMap())
        .containsKey("--kafka-password-file").doesNotContainKey("--kafka-password");
  }

  @Test
  void kafkaSecurityThatWouldConnectInTheClearIsRefused() {
    CollectorOptions o = new CollectorOptions(
        Map.of("MEMFLEET_KAFKA_USERNAME", "collector")::get);
    assertThatThrownBy(o::kafkaSecurity).hasMessageContaining("SASL_SSL");
    assertThatThrownBy(() -> o.sinkBuilder("node", "node/h"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
