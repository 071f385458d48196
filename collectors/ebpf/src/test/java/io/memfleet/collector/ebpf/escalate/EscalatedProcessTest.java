package io.memfleet.collector.ebpf.escalate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rule that keeps a window going past its probation: some stack's held bytes rise. */
class EscalatedProcessTest {

  @Test
  void riseIsPerStackAndANewStackRisesFromZero() {
    assertThat(EscalatedProcess.maxRise(Map.of(1L, 10L, 2L, 50L), Map.of(1L, 30L, 2L, 40L)))
        .isEqualTo(20);
    assertThat(EscalatedProcess.maxRise(Map.of(1L, 10L), Map.of(1L, 10L, 3L, 5L))).isEqualTo(5);
    assertThat(EscalatedProcess.maxRise(Map.of(1L, 10L), Map.of())).isZero();
  }
}
