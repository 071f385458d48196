package io.memfleet.collector.jfr.repository;

import static io.memfleet.collector.jfr.repository.JvmSignals.classHistogramDue;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.StackTrace;
import java.util.List;
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

  @Test
  void aSampleAtLeastTenSecondsOldIsRetainedWithOrWithoutItsStack() {
    StackTrace stack = StackTrace.newBuilder().setHash(7)
        .setFrames(List.of("com.example.SessionRecord.<init>:31")).build();
    assertThat(JvmSignals.retained(oldObject(11 * S, stack))).isTrue();
    // without a stack it still names the class a histogram would
    assertThat(JvmSignals.retained(oldObject(11 * S, null))).isTrue();
    assertThat(JvmSignals.retained(oldObject(9 * S, stack))).isFalse();
    assertThat(JvmSignals.retained(oldObject(null, stack))).isFalse();
  }

  private static Allocation oldObject(Long ageNs, StackTrace stack) {
    Allocation a = new Allocation();
    a.setKind(AllocationKind.JAVA_OLD_OBJECT);
    a.setAgeNs(ageNs);
    a.setStack(stack);
    return a;
  }
}
