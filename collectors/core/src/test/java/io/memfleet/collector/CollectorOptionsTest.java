package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
