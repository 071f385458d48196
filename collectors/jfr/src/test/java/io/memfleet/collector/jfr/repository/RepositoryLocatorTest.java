package io.memfleet.collector.jfr.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.jfr.attach.TargetProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryLocatorTest {
  private static final Path PROCFS = Path.of("src/test/resources/golden/procfs");

  @TempDir Path proc;
  @TempDir Path base;

  /** A JVM, pid 9816, started with memfleet's recording writing under {@link #base}. */
  private TargetProcess jvm() throws Exception {
    Path pid = Files.createDirectories(proc.resolve("9816"));
    Files.copy(PROCFS.resolve("jvm.stat"), pid.resolve("stat"));
    Files.writeString(pid.resolve("status"), "Name:\tjava\nNSpid:\t9816\n");
    Files.write(pid.resolve("cmdline"), String.join("\0", "java",
        "-XX:StartFlightRecording=name=memfleet", "-XX:FlightRecorderOptions=repository=" + base,
        "Main").getBytes(StandardCharsets.UTF_8));
    return TargetProcess.of(proc, 9816, List.of(base));
  }

  @Test
  void theRepositoryIsTheNewestOfTheProcessThatHoldsAChunk() throws Exception {
    TargetProcess target = jvm();
    // JFR created a directory when it read the repository option and left it empty; the
    // recording's chunks went to one created seconds later, on a busy node
    Path abandoned = Files.createDirectories(base.resolve("2026_12_02_16_53_39_9816"));
    assertThat(RepositoryLocator.locate(target, 0)).as("no chunk yet").isEmpty();
    Path recording = Files.createDirectories(base.resolve("2026_12_02_16_53_50_9816"));
    Files.writeString(recording.resolve("2026_12_02_16_53_50.jfr"), "FLR");
    Files.createDirectories(base.resolve("2026_12_02_16_54_00_4242")); // another JVM's
    assertThat(RepositoryLocator.locate(target, 0)).hasValueSatisfying(l -> {
      assertThat(l.repository()).isEqualTo(recording);
      assertThat(l.how()).isEqualTo(RepositoryLocator.How.FLAGS);
      assertThat(l.survivesExit()).isTrue();
    });
    // a chunk in the older one (a previous JVM with this pid) does not make it the newest
    Files.writeString(abandoned.resolve("2026_12_02_16_53_39.jfr"), "FLR");
    assertThat(RepositoryLocator.locate(target, 0).orElseThrow().repository())
        .isEqualTo(recording);
  }
}
