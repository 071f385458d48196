package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.SinkStats;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Collector overhead: CPU time of one procfs/cgroup scan over every process on this machine,
 * median of repeated scans after a warm-up, with and without smaps_rollup. The sink only counts,
 * so the figure is the collector's own cost (Kafka publishing is measured in core).
 *
 * <p>Run alone: {@code mvn -pl collectors/node verify -Dit.test=ScanOverheadIT -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false}; the figures go to stdout and
 * {@code target/scan-overhead.txt}.
 */
class ScanOverheadIT {
  private static final int WARMUP = 5;
  private static final int REPEATS = 21;

  /** Counts and drops: the cost being measured is the scan's, not a sink's. */
  private static final class CountingSink implements EventSink {
    final AtomicLong published = new AtomicLong();

    @Override
    public void publish(SpecificRecord event) {
      published.incrementAndGet();
    }

    @Override
    public SinkStats stats() {
      long n = published.get();
      return new SinkStats(n, n, 0, 0, 0, Map.of(), 0, true);
    }

    @Override
    public boolean flush(Duration timeout) {
      return true;
    }

    @Override
    public void close() {}
  }

  @Test
  void cpuTimePerScanOfEveryProcess() throws Exception {
    StringBuilder report = new StringBuilder();
    double withSmaps = measure(true, report);
    double withoutSmaps = measure(false, report);
    System.out.print(report);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/scan-overhead.txt"), report.toString());
    // a 1 s default interval must leave the CPU to the workloads being watched
    assertThat(withSmaps).isLessThan(250.0);
    assertThat(withoutSmaps).isLessThanOrEqualTo(withSmaps * 1.5);
  }

  private static double measure(boolean smaps, StringBuilder report) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    CountingSink sink = new CountingSink();
    try (NodeCollector c = NodeCollector.builder()
        .options(NodeCollectorOptions.builder().readSmapsRollup(smaps).build())
        .identities(ProcessIdentities.builder().cluster("overhead").build())
        .headers(new EventHeaders("overhead")).sink(sink).build()) {
      for (int i = 0; i < WARMUP; i++) {
        c.scanOnce();
      }
      double[] cpuMs = new double[REPEATS];
      double[] wallMs = new double[REPEATS];
      int tracked = 0;
      long events = 0;
      for (int i = 0; i < REPEATS; i++) {
        long before = sink.published.get();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        tracked = c.scanOnce().tracked();
        cpuMs[i] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
        wallMs[i] = (System.nanoTime() - wall0) / 1e6;
        events = sink.published.get() - before;
      }
      assertThat(tracked).isGreaterThan(3);
      double median = median(cpuMs);
      report.append(String.format(
          "scan of %d processes, smaps_rollup %s: cpu median %.2f ms (min %.2f, max %.2f),"
              + " wall median %.2f ms, %.1f us cpu/process, %d events/scan (n=%d)%n",
          tracked, smaps ? "on " : "off", median, Arrays.stream(cpuMs).min().orElse(0),
          Arrays.stream(cpuMs).max().orElse(0), median(wallMs), median * 1000 / tracked,
          events, REPEATS));
      return median;
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
