package io.memfleet.collector.jfr.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link JvmSignals#directBuffersExhaustedAtExit}: a JVM dead between two pool readings. */
class DirectBuffersAtExitTest {
  private static final long MB = 1L << 20;
  private static final long T0 = 1_800_000_000_000_000_000L;
  private static final long MAX = 128 * MB;

  private final ProcessIdentity process = ProcessIdentity.newBuilder().setCluster("test")
      .setNode("node-1").setBootId("boot").setPid(7).setProcessStartTimeMs(1L).setComm("java")
      .setRuntime(Runtime.JVM).setLabels(Map.of()).build();
  private final EventHeaders headers = new EventHeaders("test");

  private static long at(double seconds) {
    return T0 + (long) (seconds * 1e9);
  }

  private void read(JvmSignals signals, double seconds, long used) {
    signals.observe(MemoryPools.newBuilder()
        .setHeader(headers.next(process, Source.JFR, ClockDomain.REALTIME, at(seconds)))
        .setPools(List.of(PoolUsage.newBuilder().setPool(MemoryPool.DIRECT_BUFFERS)
            .setUsedBytes(used).setCommittedBytes(used).setLimitBytes(MAX).build()))
        .build());
  }

  /**
   * A proxy filling 128 MiB of direct buffers at 4.9 MiB/s, read every 5 s: the readings of the
   * JDK 17 JVM seen, which threw "Cannot reserve 65536 bytes of direct buffer memory" at about
   * 26.3 s.
   */
  private JvmSignals racing() {
    JvmSignals signals = new JvmSignals();
    read(signals, 7.6, 34_635_775L);
    read(signals, 12.6, 60_325_887L);
    read(signals, 17.6, 86_540_287L);
    read(signals, 22.6, 112_230_399L);
    return signals;
  }

  @Test
  void aJvmThatExitsRightAfterAReadingHeadingForTheMaximumDiedOfIt() {
    OomKill kill = racing().directBuffersExhaustedAtExit(at(26.8), process, headers);
    assertThat(kill).isNotNull();
    assertThat(kill.getPool()).isEqualTo(MemoryPool.DIRECT_BUFFERS);
    assertThat(kill.getDetectedBy()).isEqualTo(OomDetection.JAVA_OUT_OF_MEMORY);
    assertThat(kill.getVictimComm()).isEqualTo("java");
    assertThat(kill.getHeader().getProcess()).isEqualTo(process);
    assertThat(kill.getErrorMessage()).startsWith("Direct buffer memory (inferred")
        .contains("84%").contains("4.9 MiB/s").contains("4.2 s before the JVM exited");
  }

  @Test
  void notWhenTheBuffersWouldNotHaveBeenNearTheMaximumOrTheExitCameLongAfter() {
    // 1 s after the reading: 117 of 134 MB, short of the 90 % at which allocation fails
    assertThat(racing().directBuffersExhaustedAtExit(at(23.6), process, headers)).isNull();
    // 20 s after it: the JVM may have stopped filling long before
    assertThat(racing().directBuffersExhaustedAtExit(at(42.6), process, headers)).isNull();
    // flat at 84 %: a pool at its working size
    JvmSignals flat = new JvmSignals();
    read(flat, 17.6, 112_230_399L);
    read(flat, 22.6, 112_230_399L);
    assertThat(flat.directBuffersExhaustedAtExit(at(26.8), process, headers)).isNull();
    // rising fast but far below: 30 % of the maximum
    JvmSignals low = new JvmSignals();
    read(low, 17.6, 20 * MB);
    read(low, 22.6, 38 * MB);
    assertThat(low.directBuffersExhaustedAtExit(at(26.8), process, headers)).isNull();
  }

  @Test
  void notWhenTheJvmsEventsAlreadyReportedTheError() {
    JvmSignals signals = racing();
    signals.observe(OomKill.newBuilder()
        .setHeader(headers.next(process, Source.JFR, ClockDomain.REALTIME, at(25)))
        .setDetectedBy(OomDetection.JAVA_OUT_OF_MEMORY).setVictimComm("java")
        .setPool(MemoryPool.DIRECT_BUFFERS).setErrorMessage("Direct buffer memory").build());
    assertThat(signals.directBuffersExhaustedAtExit(at(26.8), process, headers)).isNull();
  }
}
