package io.memfleet.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A server the local stack started as an operating-system process, remembered in a pid file so that
 * a later {@code memfleet down} (another JVM) can find and stop it.
 *
 * <p>The pid file holds the pid and the process start instant: pids are reused, so a pid alone could
 * make {@code down} kill an unrelated process after a reboot.
 *
 * <pre>{@code
 * ChildProcess broker = ChildProcess.start(List.of("java", "-cp", cp, "kafka.Kafka", props),
 *     workDir.resolve("kafka.log"), workDir.resolve("kafka.pid"), true);
 * ...
 * broker.stop(Duration.ofSeconds(20));
 * }</pre>
 */
public final class ChildProcess {
  private final ProcessHandle handle;
  private final Path logFile;
  private final Path pidFile;

  private ChildProcess(ProcessHandle handle, Path logFile, Path pidFile) {
    this.handle = handle;
    this.logFile = logFile;
    this.pidFile = pidFile;
  }

  /**
   * Starts {@code command} with stdout and stderr appended to {@code logFile}.
   *
   * @param detached run it in a session of its own ({@code setsid}) so it outlives this JVM and a
   *     Ctrl-C in the terminal that started it
   */
  public static ChildProcess start(List<String> command, Path logFile, Path pidFile, boolean detached)
      throws IOException {
    return start(command, logFile, pidFile, detached, java.util.Map.of(), null);
  }

  /** As {@link #start(List, Path, Path, boolean)}, with extra environment and a working directory. */
  public static ChildProcess start(List<String> command, Path logFile, Path pidFile, boolean detached,
      java.util.Map<String, String> environment, Path workDir) throws IOException {
    Files.createDirectories(logFile.getParent());
    List<String> full = new ArrayList<>();
    if (detached) {
      full.add("setsid");
    }
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().putAll(environment);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    Process process = builder.start();
    ProcessHandle handle = process.toHandle();
    Instant started = handle.info().startInstant().orElse(Instant.EPOCH);
    Files.writeString(pidFile, handle.pid() + " " + started.toEpochMilli() + "\n",
        StandardCharsets.UTF_8);
    return new ChildProcess(handle, logFile, pidFile);
  }

  /** The process recorded in {@code pidFile}, if that file exists and the very same process is alive. */
  public static Optional<ChildProcess> fromPidFile(Path pidFile, Path logFile) {
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    try {
      String[] parts = Files.readString(pidFile, StandardCharsets.UTF_8).trim().split("\\s+");
      long pid = Long.parseLong(parts[0]);
      long startedMs = parts.length > 1 ? Long.parseLong(parts[1]) : 0L;
      return ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .filter(h -> startedMs == 0L || sameStart(h, startedMs))
          .map(h -> new ChildProcess(h, logFile, pidFile));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean sameStart(ProcessHandle handle, long startedMs) {
    // start instants come from /proc with clock-tick resolution; allow a little slack
    return handle.info().startInstant()
        .map(i -> Math.abs(i.toEpochMilli() - startedMs) < 2_000)
        .orElse(true);
  }

  public long pid() {
    return handle.pid();
  }

  public boolean isAlive() {
    return handle.isAlive();
  }

  public Path logFile() {
    return logFile;
  }

  /** The last {@code lines} lines of the log, for error messages. */
  public String logTail(int lines) {
    return tail(logFile, lines);
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log at " + file + ")";
    }
  }

  /** SIGTERM, then SIGKILL after {@code grace}; removes the pid file. Returns true if it had to kill. */
  public boolean stop(Duration grace) {
    boolean killed = false;
    if (handle.isAlive()) {
      handle.destroy();
      try {
        handle.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (Exception timeoutOrInterrupt) {
        handle.destroyForcibly();
        killed = true;
        try {
          handle.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // reported by isAlive() to the caller
        }
      }
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException ignored) {
      // a stale pid file is detected by fromPidFile and is harmless
    }
    return killed;
  }
}
