package io.memfleet.collector;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Commands a collector starts (bpftrace, perf) made to end with the collector: on Linux they run
 * under {@code setpriv --pdeathsig KILL}, so the kernel kills them when the thread that started
 * them dies — also when the collector is killed with kill -9 or by the OOM killer, where no
 * shutdown hook runs. Without it a killed {@code memfleet ebpf} left its bpftrace children
 * running with their probes attached.
 *
 * <pre>{@code
 * Process p = new ProcessBuilder(ChildCommands.endingWithThisProcess(
 *     List.of("bpftrace", "-f", "json", script))).start();
 * }</pre>
 *
 * <p>Where {@code setpriv} lacks {@code --pdeathsig} (util-linux before 2.33, not Linux) the
 * command is returned unchanged. The starting thread must live as long as the child (the kernel
 * ties the signal to it): the collectors start children from the thread that reads their output.
 */
public final class ChildCommands {
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static volatile Boolean supported;

  private ChildCommands() {}

  /** {@code command}, run so that it is killed when this process dies. */
  public static List<String> endingWithThisProcess(List<String> command) {
    if (!pdeathsigSupported()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "KILL",
        "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Whether this machine's setpriv can set the parent-death signal. */
  public static boolean pdeathsigSupported() {
    Boolean s = supported;
    if (s == null) {
      s = probe();
      supported = s;
    }
    return s;
  }

  private static boolean probe() {
    if (!Files.isExecutable(SETPRIV)) {
      return false;
    }
    try {
      Process p = new ProcessBuilder(SETPRIV.toString(), "--help").redirectErrorStream(true)
          .start();
      String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(5, TimeUnit.SECONDS) && help.contains("--pdeathsig");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
