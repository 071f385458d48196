package io.memfleet.collector.node.procfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Held status files on the real procfs of this machine, against a real child process. */
class ProcessFilesTest {

  @Test
  void heldStatusReadsTheLiveProcessAndNothingOnceItIsGone() throws Exception {
    ProcfsReader proc = new ProcfsReader(Path.of("/proc"));
    assertThat(proc.holdsFiles()).isTrue();
    Process sleeper = new ProcessBuilder("sleep", "60").start();
    try {
      int pid = (int) sleeper.pid();
      long start = proc.stat(pid).orElseThrow().startTicks();
      try (ProcessFiles files = proc.openProcess(pid, start)) {
        assertThat(files.held()).isTrue();
        for (int i = 0; i < 3; i++) { // read again and again from the same descriptor
          ProcStatus s = files.status().orElseThrow();
          assertThat(s.pid()).isEqualTo(pid);
          assertThat(s.name()).isEqualTo("sleep");
          assertThat(s.threads()).isEqualTo(1);
          assertThat(s.vmRssBytes()).isPositive();
          assertThat(s.malformedLines()).isZero();
        }
        sleeper.destroyForcibly();
        assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue(); // exited and reaped
        assertThat(files.status()).isEmpty();
      }
      assertThat(proc.readErrors()).isZero();
    } finally {
      sleeper.destroyForcibly();
    }
  }

  @Test
  void aProcessThatIsAlreadyGoneGivesNothing() throws Exception {
    ProcfsReader proc = new ProcfsReader(Path.of("/proc"));
    Process p = new ProcessBuilder("true").start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    try (ProcessFiles files = proc.openProcess((int) p.pid(), 1)) {
      assertThat(files.held()).isFalse(); // nothing to hold: reads go by path, and find nothing
      assertThat(files.status()).isEmpty();
    }
  }
}
