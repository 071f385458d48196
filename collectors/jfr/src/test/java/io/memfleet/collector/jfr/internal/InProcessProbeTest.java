package io.memfleet.collector.jfr.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.Source;
import io.memfleet.schema.SampleEvents;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The agent's probe is due once its JVM's direct-buffer pool grows as the node collector judges
 * it ({@code DirectBufferTrend}), and tried once; a JVM that gave the agent no Instrumentation
 * gets a reason, not a probe. ({@code AgentDirectBufferProbeIT} starts it in a real JVM.)
 */
class InProcessProbeTest {
  private static MemoryPools direct(double second, long usedBytes) {
    EventHeader header = SampleEvents.header(Source.JFR, ClockDomain.REALTIME,
        (long) (second * 1e9), (long) second);
    return MemoryPools.newBuilder().setHeader(header).setPools(List.of(PoolUsage.newBuilder()
        .setPool(MemoryPool.DIRECT_BUFFERS).setUsedBytes(usedBytes).build())).build();
  }

  @Test
  void dueOnceTheDirectBufferPoolGrowsAndTriedOnce() {
    InProcessProbe growing = new InProcessProbe(null, 10);
    InProcessProbe flat = new InProcessProbe(null, 10);
    for (int s = 0; s <= 60; s += 5) {
      growing.observe(direct(s, (10L << 20) + s * (1L << 20)));
      flat.observe(direct(s, 10L << 20));
    }
    assertThat(flat.due()).isFalse();
    assertThat(growing.due()).isTrue();
    assertThatThrownBy(growing::load).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no Instrumentation");
    assertThat(growing.due()).as("tried once").isFalse();
  }
}
