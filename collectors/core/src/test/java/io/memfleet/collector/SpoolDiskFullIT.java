package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.memfleet.collector.internal.DiskSpool;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.localstack.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool on a disk that fills up — a real 256 KiB tmpfs (needs root to mount; skipped
 * elsewhere) — while Kafka is unreachable: every event is either spooled or counted as
 * {@code spool-io-error}, the collector keeps running, and what was spooled reads back whole.
 */
class SpoolDiskFullIT {
  @TempDir Path dir;
  private Path disk;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    disk = Files.createDirectories(dir.resolve("disk"));
    boolean mounted = "root".equals(System.getProperty("user.name"))
        && run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.toString()) == 0;
    assumeTrue(mounted, "needs root to mount a small tmpfs");
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) {
      run("umount", "-l", disk.toString()); // lazily: a mapping may outlive its spool
    }
  }

  private static int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }

  @Test
  void aFullDiskLosesOnlyCountedEventsAndLeavesTheSpoolReadable() throws Exception {
    Path spoolDir = disk.resolve("spool");
    ProcessIdentity me = ProcessIdentities.builder().build().self();
    EventHeaders headers = new EventHeaders("disk-full");
    int n = 6000;
    long spooled;
    try (KafkaEventSink sink = KafkaEventSink.builder()
        .bootstrapServers("127.0.0.1:" + FreePorts.find()).collectorId("disk-full")
        .spoolDir(spoolDir).spoolMaxBytes(64L * 1024 * 1024)
        .producerProperty("max.block.ms", "500").build()) {
      for (int i = 0; i < n; i++) {
        sink.publish(ThreadCount.newBuilder()
            .setHeader(headers.next(me, Source.JFR, ClockDomain.REALTIME,
                System.currentTimeMillis()))
            .setKind(ThreadKind.JAVA_THREADS).setCount(i).build());
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (sink.stats().spooled() + sink.stats().dropped() < n) {
        assertThat(System.nanoTime()).as("stats %s", sink.stats()).isLessThan(deadline);
        Thread.sleep(50);
      }
      SinkStats s = sink.stats();
      assertThat(s.dropped("spool-io-error")).as("the disk filled up").isPositive();
      assertThat(s.spooled()).isPositive();
      assertThat(s.dropped()).isEqualTo(s.dropped("spool-io-error"));
      assertThat(s.spooled() + s.dropped()).isEqualTo(n);
      spooled = s.spooled();
    }
    // a full disk left no torn record: everything spooled reads back, nothing is cut
    try (DiskSpool left = DiskSpool.open(spoolDir, 64L * 1024 * 1024)) {
      assertThat(left.corruptTailsOnOpen()).isZero();
      assertThat(left.damagedOnOpen()).isZero();
      assertThat(left.size()).isEqualTo(spooled);
      long read = 0;
      while (!left.isEmpty()) {
        List<DiskSpool.Entry> batch = left.peek(500);
        read += batch.size();
        left.remove(batch);
      }
      assertThat(read).isEqualTo(spooled);
    }
  }
}
