package io.memfleet.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {
  @Test
  void clusterIdsAreNeverReadAsOptions() {
    for (int i = 0; i < 10_000; i++) {
      assertThat(KafkaBroker.randomClusterId()).hasSize(22).doesNotStartWith("-");
    }
  }

  @Test
  void jvmOptionsMustBeOptions() {
    KafkaBroker.Builder builder = KafkaBroker.builder(Path.of("unused"));
    assertThatThrownBy(() -> builder.jvmOptions(List.of("-XX:TieredStopAtLevel=1", "kafka.Kafka")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kafka.Kafka");
    assertThat(builder.jvmOptions(List.of("-XX:TieredStopAtLevel=1")).build().port()).isPositive();
  }
}
