package io.memfleet.collector.jfr.repository;

import static io.memfleet.collector.jfr.repository.JfrRepositoryCollector.oldObjectsDue;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OldObjectsDueTest {
  private static final long S = 1_000_000_000L;

  @Test
  void samplesAreDueAtTheirTime() {
    assertThat(oldObjectsDue(100 * S, 100 * S, 40 * S, 0.3)).isTrue();
    assertThat(oldObjectsDue(99 * S, 100 * S, 40 * S, 0.3)).isFalse();
    assertThat(oldObjectsDue(99 * S, 100 * S, 40 * S, Double.NaN)).isFalse();
  }

  @Test
  void aFullHeapBringsThemForwardAtMostEveryTenSeconds() {
    assertThat(oldObjectsDue(50 * S, 100 * S, 40 * S, 0.85)).isTrue();
    assertThat(oldObjectsDue(49 * S, 100 * S, 40 * S, 0.85)).isFalse();
    assertThat(oldObjectsDue(50 * S, 100 * S, 40 * S, 0.79)).isFalse();
  }

  @Test
  void aJvmThatRefusedAttachIsNotAskedAgain() {
    assertThat(oldObjectsDue(500 * S, Long.MAX_VALUE, 40 * S, 0.95)).isFalse();
  }
}
