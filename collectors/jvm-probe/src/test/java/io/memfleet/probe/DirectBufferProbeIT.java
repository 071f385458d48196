package io.memfleet.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.tools.attach.VirtualMachine;
import io.memfleet.probe.SiteSeries.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The probe in a real JVM that leaks direct buffers ({@code GatewayLeak}): loaded into it while
 * it runs, and at its start, it names the leaking stack with about the bytes leaked, nets the
 * churning stack out, and after {@code stop} reports nothing more. The recording is the JVM's own
 * JFR file, read as memfleet reads it: from outside. The three JVMs run side by side: each test
 * mostly waits for reports.
 */
@Execution(ExecutionMode.CONCURRENT)
class DirectBufferProbeIT {
  private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
  private static final Duration PERIOD = Duration.ofSeconds(2);
  private static final Duration PROBED = Duration.ofSeconds(14);

  @TempDir
  Path dir;

  @Test
  void attachedToARunningJvmNamesTheLeakingStack() throws Exception {
    attachedRun(Path.of(System.getProperty("java.home")));
  }

  @Test
  void attachedToARunningTemurin25NamesTheLeakingStack() throws Exception {
    // the one JDK a build machine may lack; the probe must still work on the newest LTS
    assumeTrue(Files.isDirectory(TEMURIN_25), "Temurin 25 is not installed at " + TEMURIN_25);
    attachedRun(TEMURIN_25);
  }

  @Test
  void loadedAtStartNamesTheLeakingStack() throws Exception {
    String agent = "-javaagent:" + GatewayLeakRun.probeJar() + "=period=" + PERIOD.toSeconds();
    try (GatewayLeakRun run = GatewayLeakRun.start(Path.of(System.getProperty("java.home")), dir,
        Duration.ofSeconds(10), List.of(agent))) {
      assertThat(run.awaitExit(Duration.ofSeconds(40))).isZero();
      assertRanNormally(run);
      assertLeakAndChurnTold("premain", SiteSeries.read(run.recording), run, Instant.EPOCH);
    }
  }

  private void attachedRun(Path javaHome) throws Exception {
    String jar = GatewayLeakRun.probeJar();
    try (GatewayLeakRun run = GatewayLeakRun.start(javaHome, dir, Duration.ofSeconds(60),
        List.of())) {
      VirtualMachine vm = VirtualMachine.attach(Long.toString(run.pid()));
      Instant beforeLoad = Instant.now();
      Instant loaded;
      Instant stopped;
      try {
        vm.loadAgent(jar, "period=" + PERIOD.toSeconds());
        loaded = Instant.now();
        vm.loadAgent(jar, "period=" + PERIOD.toSeconds()); // loading twice is harmless
        Thread.sleep(PROBED.toMillis());
        vm.loadAgent(jar, "stop");
        stopped = Instant.now();
        Thread.sleep(PERIOD.multipliedBy(2).plusSeconds(1).toMillis());
      } finally {
        vm.detach();
      }
      assertThat(run.stop()).isZero();
      assertRanNormally(run);

      SiteSeries sites = SiteSeries.read(run.recording);
      Instant samplingFrom = beforeLoad.plus(Duration.between(beforeLoad, loaded).dividedBy(2));
      assertLeakAndChurnTold(javaHome.getFileName().toString(), sites, run, samplingFrom);
      assertThat(sites.readings())
          .as("reports after stop")
          .allMatch(r -> r.time().isBefore(stopped.plus(PERIOD.multipliedBy(2))));
      assertThat(sites.ofSiteCalling("keepConnectionBuffer"))
          .as("one report per period, however often the probe was loaded")
          .hasSizeBetween((int) (PROBED.toSeconds() / PERIOD.toSeconds()) - 1,
              (int) (PROBED.toSeconds() / PERIOD.toSeconds()) + 2);
    }
  }

  private static void assertRanNormally(GatewayLeakRun run) throws Exception {
    String stderr = run.stderr();
    assertThat(stderr).doesNotContain("IllegalAccessError").doesNotContain("Exception")
        // nothing on the bootstrap class path: class-data sharing stays on, no VM warning
        .doesNotContain("bootstrap classpath has been appended");
    assertThat(stderr.lines().filter(line -> line.contains("[memfleet-probe]")))
        .allMatch(line -> line.contains("already running"));
  }

  private static void assertLeakAndChurnTold(String variant, SiteSeries sites,
      GatewayLeakRun run, Instant samplingFrom) {
    List<Reading> leak = sites.ofSiteCalling("keepConnectionBuffer");
    assertThat(leak).hasSizeGreaterThanOrEqualTo(3);
    assertThat(leak.get(0).frames().get(0)).startsWith("java.nio.ByteBuffer.allocateDirect:");
    assertThat(leak.stream().map(Reading::outstandingBytes).toList()).isSorted();
    Reading lastLeak = leak.get(leak.size() - 1);
    assertThat(lastLeak.outstandingBytes()).isGreaterThan(leak.get(0).outstandingBytes());
    long leaked = (run.keptAt(lastLeak.time()) - run.keptAt(samplingFrom))
        * GatewayLeakRun.BUFFER_BYTES;

    List<Reading> churn = sites.ofSiteCalling("readScratch");
    Reading lastChurn = churn.get(churn.size() - 1);
    System.out.printf("%s: leak site outstanding %d B (allocated %d B, %d live samples) vs %d B"
        + " leaked; churn site outstanding %d B of %d B allocated (%d live samples)%n", variant,
        lastLeak.outstandingBytes(), lastLeak.allocatedBytes(), lastLeak.liveSamples(), leaked,
        lastChurn.outstandingBytes(), lastChurn.allocatedBytes(), lastChurn.liveSamples());

    assertThat((double) lastLeak.outstandingBytes()).isCloseTo(leaked, withinPercentage(40));
    assertThat(lastChurn.outstandingBytes()).isLessThan(lastChurn.allocatedBytes() / 3);
    // the churn site allocates eight buffers for each one the leak keeps
    assertThat((double) lastChurn.allocatedBytes())
        .isCloseTo(8.0 * lastLeak.allocatedBytes(), withinPercentage(40));
  }
}
