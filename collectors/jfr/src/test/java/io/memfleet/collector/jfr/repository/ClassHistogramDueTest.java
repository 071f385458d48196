package io.memfleet.collector.jfr.repository;

import static io.memfleet.collector.jfr.repository.JfrRepositoryCollector.classHistogramDue;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClassHistogramDueTest {
  private static final long S = 1_000_000_000L;
  private static final long FOLLOWED = 1_000 * S;
  private static final long PERIOD = 30 * S;

  @Test
  void aGrowingLiveSetWithNothingRetainedGetsHistogramsEveryPeriod() {
    assertThat(classHistogramDue(FOLLOWED + 90 * S, FOLLOWED, 0, PERIOD, true, false)).isTrue();
    long last = FOLLOWED + 90 * S;
    assertThat(classHistogramDue(last + 29 * S, FOLLOWED, last, PERIOD, true, false)).isFalse();
    assertThat(classHistogramDue(last + 30 * S, FOLLOWED, last, PERIOD, true, false)).isTrue();
  }

  @Test
  void notWhileOldObjectSamplesShowWhatIsRetainedOrTheLiveSetIsFlatOrTheJvmIsNew() {
    assertThat(classHistogramDue(FOLLOWED + 200 * S, FOLLOWED, 0, PERIOD, true, true)).isFalse();
    assertThat(classHistogramDue(FOLLOWED + 200 * S, FOLLOWED, 0, PERIOD, false, false))
        .isFalse();
    assertThat(classHistogramDue(FOLLOWED + 89 * S, FOLLOWED, 0, PERIOD, true, false)).isFalse();
  }
}
