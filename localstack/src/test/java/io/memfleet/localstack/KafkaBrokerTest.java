package io.memfleet.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KafkaBrokerTest {
  @Test
  void clusterIdsAreNeverReadAsOptions() {
    for (int i = 0; i < 10_000; i++) {
      assertThat(KafkaBroker.randomClusterId()).hasSize(22).doesNotStartWith("-");
    }
  }
}
