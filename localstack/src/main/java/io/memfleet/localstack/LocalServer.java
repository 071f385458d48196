package io.memfleet.localstack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A server memfleet runs on this machine as a child process, with its files under a work
 * directory, a pid file and a log: what {@link KafkaBroker} and {@link ClickHouseServer} share.
 *
 * <p>{@link #start()} is idempotent per work directory: a server a previous start left running
 * (detached, for {@code memfleet up}) is found through its pid file and reused. A port already
 * taken by another program is refused with advice on which option changes it. An attached
 * server (tests) is stopped by {@link #close()}; a detached one only by {@link #stop()}.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.builder(dir).build()) {
 *   boolean started = kafka.start();   // false: one from this directory was running already
 * }
 * }</pre>
 */
public abstract class LocalServer implements AutoCloseable {
  protected final Path workDir;
  protected final boolean detached;
  protected final Duration startTimeout;
  private final String pidFileName;
  private final String logFileName;
  private ChildProcess process;

  LocalServer(Path workDir, boolean detached, Duration startTimeout, String pidFileName,
      String logFileName) {
    this.workDir = workDir.toAbsolutePath();
    this.detached = detached;
    this.startTimeout = startTimeout;
    this.pidFileName = pidFileName;
    this.logFileName = logFileName;
  }

  public Path workDir() {
    return workDir;
  }

  final Path pidFile() {
    return workDir.resolve(pidFileName);
  }

  final Path logFile() {
    return workDir.resolve(logFileName);
  }

  /** The process a previous {@code start()} left running in this work directory, if any. */
  public Optional<ChildProcess> running() {
    return ChildProcess.fromPidFile(pidFile(), logFile());
  }

  /**
   * Starts the server and waits until it answers; returns false (starting nothing) when one from
   * this work directory runs already.
   */
  public final boolean start() throws IOException, InterruptedException {
    Optional<ChildProcess> existing = running();
    if (existing.isPresent()) {
      process = existing.get();
      awaitReady();
      return false;
    }
    for (int port : ports()) {
      if (FreePorts.isListening(port)) {
        throw new LocalStackException("port " + port + " is taken by another program; "
            + portAdvice());
      }
    }
    process = ChildProcess.start(prepare(), logFile(), pidFile(), detached);
    awaitReady();
    return true;
  }

  /** Stops the server (SIGTERM, then SIGKILL after 30 s), whether this object started it or not. */
  public void stop() {
    ChildProcess p = process != null ? process : running().orElse(null);
    if (p != null) {
      p.stop(Duration.ofSeconds(30));
    }
    process = null;
  }

  /** Stops an attached server; a detached one keeps running for {@code memfleet down}. */
  @Override
  public void close() {
    if (!detached) {
      stop();
    }
  }

  /** The ports the server listens on, checked before it starts. */
  abstract List<Integer> ports();

  /** What to change when a port is taken, e.g. "choose another Kafka port (--kafka-port)". */
  abstract String portAdvice();

  /** Writes configuration and data directories; returns the command that runs the server. */
  abstract List<String> prepare() throws IOException, InterruptedException;

  /** Throws while the server does not answer yet (a request with a short timeout). */
  abstract void probe() throws Exception;

  /** The server and its address, for messages: "Kafka broker on 127.0.0.1:9092". */
  abstract String describe();

  /** Log lines that explain a failed start-up. */
  String startupLog(ChildProcess failed) {
    return failed.logTail(30);
  }

  private void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new LocalStackException(describe() + " exited during start-up; last log lines:\n"
            + startupLog(process));
      }
      try {
        probe();
        return;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new LocalStackException(describe() + " not ready after " + startTimeout.toSeconds()
        + " s (" + last + "); last log lines:\n" + startupLog(process));
  }
}
