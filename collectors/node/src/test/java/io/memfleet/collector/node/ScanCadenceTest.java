package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.internal.ProcessScanner;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.ResidentMemory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a scan reads and when, over a fake procfs tree: smaps_rollup at its own slower cadence
 * with the last Pss carried in between, RSS at every scan, and pids left out (filtered, kernel
 * threads) not read again while they stay listed.
 */
class ScanCadenceTest {
  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;
  @TempDir Path dir;
  private FakeProcTree tree;
  private final RecordingEventSink sink = new RecordingEventSink();

  @BeforeEach
  void setUp() {
    tree = new FakeProcTree(dir);
  }

  private NodeCollector collector(NodeCollectorOptions.Builder options) throws Exception {
    return NodeCollector.builder()
        .options(options.procRoot(tree.proc).cgroupRoots(tree.cgroupV1, tree.cgroupV2).build())
        .identities(ProcessIdentities.builder().procRoot(tree.proc).cluster("test").build())
        .headers(new EventHeaders("node/test"))
        .sink(sink)
        .build();
  }

  private ResidentMemory last() {
    List<ResidentMemory> all = sink.eventsOf(ResidentMemory.class);
    return all.get(all.size() - 1);
  }

  @Test
  void pssIsCarriedBetweenSmapsReadsWhileRssIsReadEveryScan() throws Exception {
    tree.process(100, "app", 5000, 2048, 1, "/", true).cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder()
        .interval(Duration.ofMillis(50)).smapsInterval(Duration.ofMillis(400)))) {
      c.scanOnce();
      assertThat(last().getPssBytes()).isEqualTo(1998 * KIB); // read when discovered
      assertThat(c.smapsReads()).isEqualTo(1);

      tree.rss(100, 4096, 1);
      c.scanOnce();
      assertThat(last().getRssBytes()).isEqualTo(4096 * KIB);
      assertThat(last().getPssBytes()).isEqualTo(1998 * KIB); // not due yet: the last value
      assertThat(c.smapsReads()).isEqualTo(1);

      Thread.sleep(500); // past the (spread, at most one full) smaps interval
      c.scanOnce();
      assertThat(last().getPssBytes()).isEqualTo(4046 * KIB);
      assertThat(c.smapsReads()).isEqualTo(2);
    }
  }

  @Test
  void smapsIntervalAtTheScanIntervalReadsEveryScan() throws Exception {
    tree.process(100, "app", 5000, 2048, 1, "/", true).cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder()
        .interval(Duration.ofSeconds(1)).smapsInterval(Duration.ofSeconds(1)))) {
      c.scanOnce();
      tree.rss(100, 4096, 1);
      c.scanOnce();
      assertThat(last().getPssBytes()).isEqualTo(4046 * KIB);
      assertThat(c.smapsReads()).isEqualTo(2);
    }
  }

  @Test
  void withoutSmapsThereIsNoPss() throws Exception {
    tree.process(100, "app", 5000, 2048, 1, "/", true).cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder().readSmapsRollup(false))) {
      c.scanOnce();
      assertThat(last().getPssBytes()).isNull();
      assertThat(last().getRssBytes()).isEqualTo(2048 * KIB);
      assertThat(c.smapsReads()).isZero();
    }
  }

  @Test
  void smapsReadsBeyondTheCpuBudgetWaitAndRssStillComesEveryScan() throws Exception {
    tree.process(100, "a", 1, 2048, 1, "/", true).process(101, "b", 2, 2048, 1, "/", true)
        .process(102, "c", 3, 2048, 1, "/", true).cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    // a budget so small that not even the first read fits
    try (NodeCollector c = collector(NodeCollectorOptions.builder()
        .smapsMaxCpuPercent(1e-9))) {
      c.scanOnce();
      assertThat(sink.eventsOf(ResidentMemory.class)).hasSize(3)
          .allSatisfy(rm -> assertThat(rm.getPssBytes()).isNull())
          .allSatisfy(rm -> assertThat(rm.getRssBytes()).isEqualTo(2048 * KIB));
      assertThat(c.smapsReads()).isZero();
      assertThat(c.smapsDeferred()).isEqualTo(3);
    }
    sink.clear();
    try (NodeCollector c = collector(NodeCollectorOptions.builder().smapsMaxCpuPercent(100))) {
      c.scanOnce();
      assertThat(sink.eventsOf(ResidentMemory.class)).hasSize(3)
          .allSatisfy(rm -> assertThat(rm.getPssBytes()).isEqualTo(1998 * KIB));
      assertThat(c.smapsReads()).isEqualTo(3);
      assertThat(c.smapsDeferred()).isZero();
    }
  }

  @Test
  void aFilteredPidReusedWithoutLeavingTheListingIsFoundAtTheRecheck() throws Exception {
    tree.process(500, "drop", 1, 100, 1, "/", true).cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder().comms(Set.of("keep")))) {
      // scan 1: 500 is left out; read again in its first scans, then no more
      for (int scan = 1; scan <= ProcessScanner.YOUNG_IGNORED_SCANS + 1; scan++) {
        c.scanOnce();
      }
      // the pid is reused between two listings (only possible when pids wrap around fast)
      tree.exit(500).process(500, "keep", 2, 100, 1, "/", true);
      for (int scan = ProcessScanner.YOUNG_IGNORED_SCANS + 2;
          scan < ProcessScanner.IGNORED_RECHECK_SCANS; scan++) {
        c.scanOnce();
      }
      assertThat(sink.eventsOf(ResidentMemory.class)).isEmpty();
      c.scanOnce(); // the recheck scan reads stat of left-out pids again
      assertThat(sink.eventsOf(ResidentMemory.class))
          .extracting(e -> e.getHeader().getProcess().getComm()).containsExactly("keep");
    }
  }

  @Test
  void aFilteredPidThatLeftTheListingIsLookedAtAgainWhenItComesBack() throws Exception {
    tree.process(500, "drop", 1, 100, 1, "/", true).cgroupV1("/", MIB, Long.MAX_VALUE, 0);
    try (NodeCollector c = collector(NodeCollectorOptions.builder().comms(Set.of("keep")))) {
      c.scanOnce();
      tree.exit(500);
      c.scanOnce();
      tree.process(500, "keep", 2, 100, 1, "/", true);
      c.scanOnce();
      assertThat(sink.eventsOf(ResidentMemory.class))
          .extracting(e -> e.getHeader().getProcess().getComm()).containsExactly("keep");
    }
  }
}
