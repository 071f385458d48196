package io.memfleet.collector.jfr.repository;

import static io.memfleet.collector.jfr.repository.JfrRepositoryCollector.wantsOldObjectStacks;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OldObjectStacksTest {
  private static final long START = 1_700_000_000_000L;

  @Test
  void aJvmInItsFirstMinuteHasStacks() {
    assertThat(wantsOldObjectStacks(false, 0.1, START, START + 2_000)).isTrue();
    assertThat(wantsOldObjectStacks(false, 0.1, START, START + 59_999)).isTrue();
    assertThat(wantsOldObjectStacks(false, 0.1, START, START + 60_000)).isFalse();
  }

  @Test
  void anOlderJvmHasStacksOnlyWhileItsLiveSetGrowsOrItsHeapIsFull() {
    long later = START + 600_000;
    assertThat(wantsOldObjectStacks(true, 0.1, START, later)).isTrue();
    assertThat(wantsOldObjectStacks(false, JfrRepositoryCollector.FULL_HEAP, START, later))
        .isTrue();
    assertThat(wantsOldObjectStacks(false, 0.79, START, later)).isFalse();
    assertThat(wantsOldObjectStacks(false, Double.NaN, START, later)).isFalse();
  }

  @Test
  void anUnknownStartTimeIsNotYoung() {
    assertThat(wantsOldObjectStacks(false, 0.1, 0, START)).isFalse();
  }
}
