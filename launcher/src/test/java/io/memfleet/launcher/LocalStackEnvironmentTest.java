package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.clickhouse.ClickHouseOptions;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The local stack's children never take the production security settings of the shell. */
class LocalStackEnvironmentTest {

  @Test
  void aShellSetUpForProductionKafkaAndClickHouseDoesNotReachTheLocalStack() {
    UpCommand up = new UpCommand();
    new CommandLine(up).parseArgs("--kafka-port", "29092");
    Map<String, String> shell = Map.of(
        "MEMFLEET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "MEMFLEET_KAFKA_USERNAME", "collector",
        "MEMFLEET_KAFKA_PASSWORD_FILE", "/etc/memfleet/kafka/password",
        "MEMFLEET_KAFKA_CA_FILE", "/etc/memfleet/kafka/ca.crt",
        "MEMFLEET_CLICKHOUSE_PASSWORD_FILE", "/etc/memfleet/clickhouse/password",
        "MEMFLEET_CLICKHOUSE_CA_FILE", "/etc/memfleet/clickhouse/ca.crt");
    // a child's environment: the shell's, then what the local stack sets
    Map<String, String> child = new HashMap<>(shell);
    child.putAll(DemoFleet.localStackEnvironment(up.stack, Path.of("/tmp/memfleet-home")));

    assertThat(child).containsEntry("MEMFLEET_KAFKA_BOOTSTRAP", "127.0.0.1:29092");
    assertThat(KafkaSecurity.fromEnvironment(child)).isEqualTo(KafkaSecurity.plaintext());
    var conf = PipelineOptions.fromEnvironment(child);
    assertThat(PipelineOptions.kafkaSecurity(conf)).isEqualTo(KafkaSecurity.plaintext());
    assertThat(ClickHouseOptions.sinkOptions(conf).passwordFile()).isNull();
    assertThat(ClickHouseOptions.sinkOptions(conf).caFile()).isNull();
    // without the blanking the same shell would have the children log in
    assertThat(KafkaSecurity.fromEnvironment(shell).protocol())
        .isEqualTo(KafkaSecurity.Protocol.SASL_SSL);
  }
}
