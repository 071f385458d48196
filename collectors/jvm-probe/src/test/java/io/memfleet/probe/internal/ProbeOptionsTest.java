package io.memfleet.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProbeOptionsTest {
  @Test
  void noArgumentsGiveTheDefaults() {
    assertThat(ProbeOptions.parse(null)).isEqualTo(ProbeOptions.defaults());
    assertThat(ProbeOptions.parse("")).isEqualTo(ProbeOptions.defaults());
    assertThat(ProbeOptions.defaults())
        .isEqualTo(new ProbeOptions(262_144, Duration.ofSeconds(10), 1024, false));
  }

  @Test
  void readsEveryOption() {
    assertThat(ProbeOptions.parse("sampleBytes=4096, period=2,maxSites=8"))
        .isEqualTo(new ProbeOptions(4096, Duration.ofSeconds(2), 8, false));
  }

  @Test
  void stopIsABareWord() {
    assertThat(ProbeOptions.parse("stop").stop()).isTrue();
  }

  @Test
  void refusesWhatItDoesNotKnow() {
    assertThatThrownBy(() -> ProbeOptions.parse("period=fast"))
        .hasMessageContaining("period must be a whole number");
    assertThatThrownBy(() -> ProbeOptions.parse("interval=2"))
        .hasMessageContaining("unknown option 'interval'");
    assertThatThrownBy(() -> ProbeOptions.parse("sampleBytes=0"))
        .hasMessageContaining("sampleBytes must be positive");
    assertThatThrownBy(() -> ProbeOptions.parse("verbose"))
        .hasMessageContaining("not key=value or stop");
  }
}
