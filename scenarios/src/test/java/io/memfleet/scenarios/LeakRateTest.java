package io.memfleet.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LeakRateTest {
  @Test
  void parsesBytesAndCounts() {
    assertThat(LeakRate.parse("0").isZero()).isTrue();
    assertThat(LeakRate.parse("1MiB/s").bytesPerSecond()).isEqualTo(1 << 20);
    assertThat(LeakRate.parse("64KiB/s").bytesPerSecond()).isEqualTo(64 << 10);
    assertThat(LeakRate.parse("0.75MiB/s").bytesPerSecond()).isEqualTo(0.75 * (1 << 20));
    assertThat(LeakRate.parse("5threads/s")).isEqualTo(new LeakRate(5, LeakRate.Unit.THREADS));
    assertThat(LeakRate.parse("50goroutines/s").bytesPerSecond()).isNaN();
  }

  @Test
  void printsAsALabelWritesIt() {
    for (String text : new String[] {"0", "1MiB/s", "64KiB/s", "1.5MiB/s", "5threads/s",
        "50goroutines/s", "512B/s"}) {
      assertThat(LeakRate.parse(text)).hasToString(text);
    }
    assertThat(LeakRate.parse("0.75MiB/s")).hasToString("768KiB/s");
  }

  @Test
  void rejectsOtherSpellings() {
    for (String text : new String[] {"1MB/s", "1MiB", "-1MiB/s", "fast", ""}) {
      assertThatThrownBy(() -> LeakRate.parse(text))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 0 or a rate like 1MiB/s");
    }
  }
}
