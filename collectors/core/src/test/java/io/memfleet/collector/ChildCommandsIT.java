package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A collector killed with kill -9 takes the commands it started with it. */
class ChildCommandsIT {
  @TempDir Path dir;

  @Test
  void theChildOfACollectorKilledWithSigkillDiesWithIt() throws Exception {
    assumeTrue(ChildCommands.pdeathsigSupported(), "setpriv --pdeathsig not available");
    Path log = dir.resolve("out");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process collector = new ProcessBuilder(List.of(java.toString(), "-cp",
        System.getProperty("java.class.path"), ChildOfKilledCollector.class.getName()))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long childPid = -1;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (childPid < 0) {
        Matcher m = Pattern.compile("child (\\d+)").matcher(Files.readString(log));
        if (m.find()) {
          childPid = Long.parseLong(m.group(1));
        } else {
          assertThat(System.nanoTime()).as(Files.readString(log)).isLessThan(deadline);
          Thread.sleep(20);
        }
      }
      ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
      assertThat(child.info().command().orElse("")).endsWith("sleep");
      collector.destroyForcibly(); // SIGKILL: no shutdown hook runs
      assertThat(collector.waitFor(30, TimeUnit.SECONDS)).isTrue();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (child.isAlive()) {
        assertThat(System.nanoTime()).as("the child outlived its collector").isLessThan(deadline);
        Thread.sleep(20);
      }
    } finally {
      collector.destroyForcibly();
      if (childPid > 0) {
        ProcessHandle.of(childPid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }
}
