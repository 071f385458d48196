package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.collector.internal.DiskSpool;
import io.memfleet.collector.internal.SpoolLockedException;
import io.memfleet.localstack.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real collector process ({@link KilledCollector}) killed with kill -9 while Kafka is
 * unreachable: what it had spooled is still there, what it held only in memory is counted as
 * {@code lost-on-kill} by the next collector on its spool directory — together exactly what it
 * published. While it runs, no second collector gets its directory.
 */
class CollectorKilledIT {
  private static final Pattern REPORT = Pattern.compile("published (\\d+) spooled (\\d+)");

  @TempDir Path dir;

  /** The child process, its pid and the last counts it printed before it was killed. */
  private record Killed(long pid, long published, long spooledBeforeKill) {}

  /**
   * Runs {@link KilledCollector} until it reports {@code killAt} published events, runs
   * {@code whileAlive}, kills it with SIGKILL, and returns the last report it printed.
   */
  private Killed runAndKill(Path spool, String maxBlockMs, int spooledFirst, String then,
      long killAt, Runnable whileAlive) throws Exception {
    String bootstrap = "127.0.0.1:" + FreePorts.find(); // nothing listens there
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path log = Files.createTempFile(dir, "child", ".out");
    Process child = new ProcessBuilder(List.of(java.toString(), "-Xmx128m", "-cp",
        System.getProperty("java.class.path"), KilledCollector.class.getName(), spool.toString(),
        bootstrap, maxBlockMs, String.valueOf(spooledFirst), then))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (lastReport(log) == null || Long.parseLong(lastReport(log).group(1)) < killAt) {
        assertThat(child.isAlive()).as("child output:%n%s", Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as("child output:%n%s", Files.readString(log))
            .isLessThan(deadline);
        Thread.sleep(20);
      }
      whileAlive.run();
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, nothing flushed
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(128 + 9);
      Matcher m = lastReport(log);
      return new Killed(child.pid(), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    } finally {
      child.destroyForcibly();
    }
  }

  /** The last complete report line the child wrote, or null. */
  private static Matcher lastReport(Path log) throws Exception {
    Matcher last = null;
    String text = Files.readString(log, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    for (String line : text.substring(0, end + 1).split("\n")) {
      Matcher m = REPORT.matcher(line);
      if (m.matches()) {
        last = m;
      }
    }
    return last;
  }

  /** What the next collector on the directory reports: lost-on-kill, and what is spooled. */
  private static long[] restart(Path spool) throws Exception {
    long lost;
    try (KafkaEventSink sink = KafkaEventSink.builder()
        .bootstrapServers("127.0.0.1:" + FreePorts.find()).collectorId("after-kill")
        .spoolDir(spool).producerProperty("max.block.ms", "500").build()) {
      SinkStats s = sink.stats();
      lost = s.dropped("lost-on-kill");
      // a kill in the middle of an append leaves a torn record, cut and counted on open (it is
      // also among the unsettled events, so the sum below still holds)
      assertThat(s.dropped() - lost).isEqualTo(s.dropped("spool-corrupt")).isLessThanOrEqualTo(1);
    }
    try (DiskSpool left = DiskSpool.open(spool, 256L * 1024 * 1024)) {
      return new long[] {lost, left.size()};
    }
  }

  @Test
  void killedWhilePublishingAndSpoolingEveryEventIsSpooledOrCountedAsLost() throws Exception {
    Path spool = dir.resolve("spool");
    long[] holder = new long[1];
    Killed k = runAndKill(spool, "500", 400, "forever", 3000, () -> {
      // the running collector holds the directory: a second one is refused, naming it
      assertThatThrownBy(() -> DiskSpool.open(spool, 1024 * 1024))
          .isInstanceOf(SpoolLockedException.class).hasMessageContaining("pid ")
          .satisfies(e -> holder[0] = Long.parseLong(
              e.getMessage().replaceAll("(?s).*\\(pid (\\d+)\\).*", "$1")));
    });
    assertThat(holder[0]).isEqualTo(k.pid());
    long[] after = restart(spool);
    long lost = after[0];
    long spooled = after[1];
    assertThat(spooled).isGreaterThanOrEqualTo(400);
    // nothing silent: each published event is in the spool or counted as lost. The kill may
    // fall between a publish and the line reporting it, hence one more than reported at most.
    assertThat(spooled + lost).isBetween(k.published(), k.published() + 1);
  }

  @Test
  void aCollectorStuckOnTheBrokerLosesItsWholeQueueAndItIsCountedExactly() throws Exception {
    Path spool = dir.resolve("stuck");
    // the first send blocks for a minute waiting for the broker: every event stays in memory
    Killed k = runAndKill(spool, "60000", 0, "2500", 2500, () -> {
      assertThatThrownBy(() -> KafkaEventSink.builder().bootstrapServers("127.0.0.1:1")
          .collectorId("second").spoolDir(spool).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(spool.toString()).hasMessageContaining("in use");
    });
    assertThat(k.published()).isEqualTo(2500);
    long[] after = restart(spool);
    assertThat(after[0]).isEqualTo(2500);
    assertThat(after[1]).isZero();
    // the next run counts it once: a clean close leaves nothing to count
    assertThat(restart(spool)[0]).isZero();
    assertThat(Files.exists(spool.resolve("lock"))).isTrue();
  }

  @Test
  void theNextInstanceTakesOverAKilledInstancesSpoolAndCountsItsLoss() throws Exception {
    Path base = dir.resolve("instances");
    Killed k = runAndKill(base.resolve("3"), "500", 400, "forever", 3000, () -> { });
    long lost;
    try (KafkaEventSink next = KafkaEventSink.builder()
        .bootstrapServers("127.0.0.1:" + FreePorts.find()).collectorId("next")
        .instanceSpoolDirs(base).producerProperty("max.block.ms", "500").build()) {
      lost = next.stats().dropped("lost-on-kill");
    }
    assertThat(base.resolve("3")).doesNotExist();
    try (DiskSpool zero = DiskSpool.open(base.resolve("0"), 256L * 1024 * 1024)) {
      assertThat(zero.size()).isGreaterThanOrEqualTo(400);
      assertThat(zero.size() + lost).isBetween(k.published(), k.published() + 1);
    }
  }

  @Test
  void instancesWithoutAConfiguredSpoolDirTakeOneDirectoryEach() throws Exception {
    Path base = dir.resolve("node");
    try (KafkaEventSink first = KafkaEventSink.builder().bootstrapServers("127.0.0.1:1")
            .collectorId("a").instanceSpoolDirs(base).build();
        KafkaEventSink second = KafkaEventSink.builder().bootstrapServers("127.0.0.1:1")
            .collectorId("b").instanceSpoolDirs(base).build()) {
      assertThat(base.resolve("0").resolve("lock")).exists();
      assertThat(base.resolve("1").resolve("lock")).exists();
      assertThatThrownBy(() -> DiskSpool.open(base.resolve("1"), 1024 * 1024))
          .isInstanceOf(SpoolLockedException.class);
    }
    // alone again, an instance takes 0 and finds what was left there
    try (DiskSpool zero = DiskSpool.open(base.resolve("0"), 1024 * 1024)) {
      assertThat(zero.isEmpty()).isTrue();
    }
  }
}
