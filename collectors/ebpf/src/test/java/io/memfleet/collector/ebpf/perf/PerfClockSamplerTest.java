package io.memfleet.collector.ebpf.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.collector.ebpf.Golden;
import org.junit.jupiter.api.Test;

class PerfClockSamplerTest {

  @Test
  void readsKtimeAndCpuClockFromTheCapturedHeader() {
    var clocks = PerfClockSampler.parse(String.join("\n", Golden.lines("sched-debug-header.txt")));
    assertThat(clocks.ktimeNs()).isEqualTo(24_590_961_263_236L);
    assertThat(clocks.cpuClockNs()).isEqualTo(24_590_951_665_376L);
    assertThat(clocks.stable()).isTrue();
  }

  @Test
  void anUnstableSchedClockIsReported() {
    var clocks = PerfClockSampler.parse("ktime : 5.000001\ncpu_clk : 4.000002\n"
        + "sched_clock_stable() : 0\n");
    assertThat(clocks.ktimeNs()).isEqualTo(5_000_001L);
    assertThat(clocks.cpuClockNs()).isEqualTo(4_000_002L);
    assertThat(clocks.stable()).isFalse();
  }

  @Test
  void figuresMustHaveTheKernelsSixDecimals() {
    assertThat(PerfClockSampler.nanos("0.000001")).isEqualTo(1L);
    assertThatThrownBy(() -> PerfClockSampler.nanos("12.5"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PerfClockSampler.parse("ktime : 1.000000\n"))
        .hasMessageContaining("cpu_clk");
  }
}
