package io.memfleet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.pipeline.kafka.KafkaEndpoints;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.TextElement;
import org.junit.jupiter.api.Test;

class PipelineOptionsTest {

  @Test
  void defaultsWorkAgainstTheLocalStack() {
    Configuration conf = PipelineOptions.fromEnvironment(Map.of());
    assertThat(conf.get(PipelineOptions.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:19092");
    assertThat(conf.get(PipelineOptions.OUT_OF_ORDERNESS)).isEqualTo(Duration.ofSeconds(2));
    assertThat(conf.get(PipelineOptions.IDLENESS)).isEqualTo(Duration.ofSeconds(10));
    assertThat(conf.get(PipelineOptions.WEB_UI_PORT)).isEqualTo(18081);
    assertThat(conf.get(PipelineOptions.EVENT_TOPICS)).hasSize(5);
    PipelineOptions.clockAlignSettings(conf); // the defaults validate
  }

  @Test
  void environmentVariablesOverrideDefaults() {
    Configuration conf = PipelineOptions.fromEnvironment(Map.of(
        "MEMFLEET_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
        "MEMFLEET_TIME_OUT_OF_ORDERNESS", "5 s",
        "MEMFLEET_KAFKA_EVENT_TOPICS", "a;b",
        "MEMFLEET_KAFKA_START_FROM", "LATEST",
        "UNRELATED", "x"));
    assertThat(conf.get(PipelineOptions.BOOTSTRAP_SERVERS)).isEqualTo("kafka:9092");
    assertThat(conf.get(PipelineOptions.OUT_OF_ORDERNESS)).isEqualTo(Duration.ofSeconds(5));
    assertThat(conf.get(PipelineOptions.EVENT_TOPICS)).isEqualTo(List.of("a", "b"));
    assertThat(conf.get(PipelineOptions.START_FROM)).isEqualTo(PipelineOptions.StartFrom.LATEST);
  }

  @Test
  void theDeadLetterPayloadBoundIsAMemorySizeWithinLimits() {
    assertThat(PipelineOptions.deadLetterMaxPayload(new Configuration())).isEqualTo(256 * 1024);
    Configuration conf = PipelineOptions.fromEnvironment(
        Map.of("MEMFLEET_KAFKA_DEAD_LETTER_MAX_PAYLOAD", "512 kb"));
    assertThat(PipelineOptions.deadLetterMaxPayload(conf)).isEqualTo(512 * 1024);
    Configuration tiny = new Configuration();
    PipelineOptions.set(tiny, "memfleet.kafka.dead-letter-max-payload", "100b");
    assertThatThrownBy(() -> PipelineOptions.deadLetterMaxPayload(tiny))
        .hasMessageContaining("memfleet.kafka.dead-letter-max-payload");
  }

  @Test
  void aBadValueNamesItsVariable() {
    assertThatThrownBy(() -> PipelineOptions.fromEnvironment(
        Map.of("MEMFLEET_JOIN_INTERVAL", "soon")))
        .hasMessageContaining("MEMFLEET_JOIN_INTERVAL").hasMessageContaining("soon");
  }

  @Test
  void unknownKeysAreRefused() {
    assertThatThrownBy(() -> PipelineOptions.set(new Configuration(), "memfleet.nope", "1"))
        .hasMessageContaining("unknown option memfleet.nope");
  }

  @Test
  void everyOptionHasADescriptionAndAUniqueVariable() {
    Set<String> vars = new HashSet<>();
    for (ConfigOption<?> o : PipelineOptions.all()) {
      assertThat(o.description().getBlocks()).as(o.key()).singleElement()
          .isInstanceOfSatisfying(TextElement.class,
              t -> assertThat(t.getFormat()).as(o.key()).hasSizeGreaterThan(20));
      assertThat(o.hasDefaultValue()).as(o.key()).isTrue();
      assertThat(vars.add(PipelineOptions.envVar(o))).as(o.key()).isTrue();
      assertThat(PipelineOptions.envVar(o)).startsWith("MEMFLEET_");
    }
  }

  @Test
  void kafkaSecurityReadsTheSameVariablesAsEveryOtherClient() {
    Map<String, String> env = Map.of(
        "MEMFLEET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "MEMFLEET_KAFKA_USERNAME", "pipeline",
        "MEMFLEET_KAFKA_PASSWORD_FILE", "/etc/memfleet/kafka/password",
        "MEMFLEET_KAFKA_CA_FILE", "/etc/memfleet/kafka/ca.crt");
    Configuration conf = PipelineOptions.fromEnvironment(env);
    KafkaSecurity security = PipelineOptions.kafkaSecurity(conf);
    assertThat(security).isEqualTo(KafkaSecurity.fromEnvironment(env));
    Properties producer = KafkaEndpoints.producerProperties(conf);
    assertThat(producer).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("ssl.truststore.location", "/etc/memfleet/kafka/ca.crt")
        .containsEntry("enable.idempotence", "true").containsEntry("acks", "all");
    assertThat(KafkaEndpoints.securityProperties(conf)).containsEntry("sasl.jaas.config",
        security.clientProperties().get("sasl.jaas.config"));
    // the job graph carries where the password is, never the password
    assertThat(conf.toMap().toString()).doesNotContain("MEMFLEET_KAFKA_PASSWORD=");

    assertThat(PipelineOptions.kafkaSecurity(PipelineOptions.fromEnvironment(Map.of())))
        .isEqualTo(KafkaSecurity.plaintext());
    assertThatThrownBy(() -> PipelineOptions.kafkaSecurity(PipelineOptions.fromEnvironment(
        Map.of("MEMFLEET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL"))))
        .hasMessageContaining("MEMFLEET_KAFKA_USERNAME");
  }

  @Test
  void clickHousePasswordFileAndCaFileReachTheSinkOptions() {
    Configuration conf = PipelineOptions.fromEnvironment(Map.of(
        "MEMFLEET_CLICKHOUSE_URL", "https://clickhouse:8443",
        "MEMFLEET_CLICKHOUSE_PASSWORD_FILE", "/etc/memfleet/clickhouse/password",
        "MEMFLEET_CLICKHOUSE_CA_FILE", "/etc/memfleet/clickhouse/ca.crt"));
    var sink = io.memfleet.pipeline.clickhouse.ClickHouseOptions.sinkOptions(conf);
    assertThat(sink.url()).isEqualTo("https://clickhouse:8443");
    assertThat(sink.passwordFile()).isEqualTo("/etc/memfleet/clickhouse/password");
    assertThat(sink.caFile()).isEqualTo("/etc/memfleet/clickhouse/ca.crt");
    assertThat(sink.withDatabase("other").passwordFile()).isEqualTo(sink.passwordFile());
  }
}
