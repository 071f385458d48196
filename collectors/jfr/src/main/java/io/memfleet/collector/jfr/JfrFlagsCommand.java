package io.memfleet.collector.jfr;

import io.memfleet.collector.CollectorOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code memfleet jfr-flags}: writes memfleet's settings file and prints the JVM flags that start
 * memfleet's recording with a JVM, on one line, for {@code JAVA_TOOL_OPTIONS} or a start script:
 *
 * <pre>
 * JAVA_TOOL_OPTIONS="$(memfleet jfr-flags)" java -jar app.jar
 * </pre>
 *
 * <p>The node collector ({@code memfleet collect}) finds such JVMs by their flags and reads their
 * repositories.
 */
@Command(name = "jfr-flags", mixinStandardHelpOptions = true,
    description = "Write memfleet's JFR settings file and print the JVM flags that start"
        + " memfleet's recording (read from outside the JVM by memfleet collect).")
public final class JfrFlagsCommand implements Callable<Integer> {
  @Mixin RecordingOptions recording = new RecordingOptions();

  @Option(names = "--repository", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_JFR_REPOSITORY:-" + MemfleetRecording.ATTACH_BASE + "}",
      description = "Directory under which the JVM's JFR repository is created; in Kubernetes"
          + " a hostPath volume shared with the collector (MEMFLEET_JFR_REPOSITORY;"
          + " default: ${DEFAULT-VALUE}).")
  Path repository;

  @Option(names = "--jfc", paramLabel = "FILE",
      description = "Where to write the settings file (default: memfleet.jfc in --repository).")
  Path jfc;

  public JfrFlagsCommand() {}

  @Override
  public Integer call() throws Exception {
    JfrOptions options = recording.jfrOptions(new CollectorOptions());
    Path file = jfc != null ? jfc : repository.resolve("memfleet.jfc");
    System.out.println(String.join(" ", recording.recording()
        .prepareFlags(JfrSettings.of(options), repository, file)));
    return 0;
  }
}
