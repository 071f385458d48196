package io.memfleet.collector.jfr;

import io.memfleet.collector.jfr.attach.RecordingControl;
import io.memfleet.collector.jfr.attach.TargetProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code memfleet detach PID}: stops memfleet's recording in a JVM (started by
 * {@code memfleet attach} or by memfleet's flags). The node collector reads what is left and stops
 * reading that JVM.
 */
@Command(name = "detach", mixinStandardHelpOptions = true,
    description = "Stop memfleet's JFR recording in a running JVM (what memfleet attach or"
        + " memfleet's flags started).")
public final class DetachCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PID", description = "The JVM's pid (as this host sees it).")
  int pid;

  @Option(names = "--proc-root", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_PROC_ROOT:-/proc}",
      description = "procfs root (MEMFLEET_PROC_ROOT; default: ${DEFAULT-VALUE}).")
  Path procRoot;

  public DetachCommand() {}

  @Override
  public Integer call() throws Exception {
    TargetProcess target = TargetProcess.of(procRoot, pid, List.of());
    boolean wasRunning = RecordingControl.builder().settings(JfrSettings.defaults()).build()
        .stop(target);
    System.out.println(wasRunning
        ? "stopped memfleet's recording in pid " + pid
        : "memfleet's recording was not running in pid " + pid);
    return 0;
  }
}
