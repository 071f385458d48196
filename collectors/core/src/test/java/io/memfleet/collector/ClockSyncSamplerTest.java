package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.localstack.testing.Capabilities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ClockSyncSamplerTest {

  @Test
  void sampleIsTightAndConsistentWithTheClocks() throws Exception {
    ProcessIdentity host = ProcessIdentities.builder().build().self();
    EventHeaders headers = new EventHeaders("test");
    long monoBefore = System.nanoTime();
    Instant realBefore = Instant.now();
    ClockSync s = new ClockSyncSampler().sample(host, Source.PROCFS, headers);
    long monoAfter = System.nanoTime();
    Instant realAfter = Instant.now();

    assertThat(s.getHeader().getClockDomain()).isEqualTo(ClockDomain.MONOTONIC);
    assertThat(s.getHeader().getRawTimestamp()).isEqualTo(s.getMonotonicNs());
    assertThat(s.getDomainValue()).isEqualTo(s.getMonotonicNs());
    assertThat(s.getMonotonicNs()).isBetween(monoBefore, monoAfter);
    long realNs = s.getRealtimeNs();
    assertThat(realNs).isBetween(toNs(realBefore), toNs(realAfter));
    assertThat(s.getUncertaintyNs()).isBetween(0L, 1_000_000L); // best of 7 is far below 1 ms
    assertThat(s.getBootId()).isEqualTo(host.getBootId());
    assertThat(s.getHeader().getSequence()).isEqualTo(1);
  }

  /** Verifies the claim that System.nanoTime() reads CLOCK_MONOTONIC, against the kernel. */
  @Test
  void nanoTimeIsTheKernelsMonotonicClock() throws Exception {
    Path timerList = Path.of("/proc/timer_list");
    Capabilities.require(Files.isReadable(timerList), "/proc/timer_list (readable as root)");
    Pattern now = Pattern.compile("now at (\\d+) nsecs");
    long before = System.nanoTime();
    String text = Files.readString(timerList);
    long after = System.nanoTime();
    Matcher m = now.matcher(text);
    assertThat(m.find()).as("'now at' line in /proc/timer_list").isTrue();
    long kernelMonotonic = Long.parseLong(m.group(1));
    // the kernel's ktime_get() (CLOCK_MONOTONIC) was read between our two nanoTime() calls
    assertThat(kernelMonotonic).isBetween(before, after);
  }

  @Test
  void headersAreStrictlyIncreasingAcrossThreads() throws Exception {
    EventHeaders headers = new EventHeaders("c");
    ProcessIdentity p = ProcessIdentities.builder().build().self();
    java.util.Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 1000; i++) {
          seen.add(headers.next(p, Source.JFR, ClockDomain.REALTIME, i).getSequence());
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(seen).hasSize(4000);
    assertThat(headers.lastSequence()).isEqualTo(4000);
  }

  private static long toNs(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
