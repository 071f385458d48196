package io.memfleet.launcher;

import io.memfleet.scenarios.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs corpus scenarios for {@code memfleet eval} as children of this JVM, started as
 * {@link ScenarioLaunch} says, restarted every {@code restart-every} for cron-like scenarios.
 *
 * <p>Knows when each instance started and how it ended, for the report; {@link #close()} stops
 * every instance and removes the cgroups.
 */
final class ScenarioProcesses implements AutoCloseable {
  private final Path dir;
  private final ScenarioLaunch launch;
  private final Consumer<String> report;
  private final List<Instance> instances = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "memfleet-eval-restarts");
        t.setDaemon(true);
        return t;
      });

  /** One started process of a scenario. */
  static final class Instance {
    final Scenario scenario;
    final Process process;
    final long startedEpochMs;
    private final java.util.concurrent.atomic.AtomicLong endedEpochMs =
        new java.util.concurrent.atomic.AtomicLong(-1);

    Instance(Scenario scenario, Process process, long startedEpochMs) {
      this.scenario = scenario;
      this.process = process;
      this.startedEpochMs = startedEpochMs;
      process.onExit().thenRun(() -> endedEpochMs.set(System.currentTimeMillis()));
    }

    /** When it ended (epoch ms, this machine's clock), or -1 while it runs. */
    long endedEpochMs() {
      return endedEpochMs.get();
    }

    Scenario scenario() {
      return scenario;
    }

    Process process() {
      return process;
    }
  }

  ScenarioProcesses(Path dir, Path agentJar, String kafkaBootstrap, Consumer<String> report)
      throws IOException {
    this.dir = Files.createDirectories(dir);
    this.launch = new ScenarioLaunch(dir, agentJar, kafkaBootstrap);
    this.report = report;
  }

  /** Runs the JVM scenarios on the JDK at {@code home}; see {@link ScenarioLaunch#javaHome}. */
  ScenarioProcesses javaHome(Path home) {
    launch.javaHome(home);
    return this;
  }

  /** Builds what the scenario needs (Go and C programs) ahead of its start. */
  void build(Scenario s) throws IOException, InterruptedException {
    launch.build(s);
  }

  /** Starts the scenario (and its restarts); returns its first instance. */
  Instance start(Scenario s) throws IOException, InterruptedException {
    Instance first = launch(s);
    s.restartEvery().ifPresent(every -> restarts.scheduleAtFixedRate(() -> {
      try {
        launch(s);
      } catch (IOException | RuntimeException e) {
        report.accept(s.id() + ": restart failed: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS));
    return first;
  }

  private Instance launch(Scenario s) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(launch.command(s)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(
            Files.createDirectories(dir.resolve("logs")).resolve(s.id() + ".log").toFile()))
        .directory(dir.toFile());
    pb.environment().putAll(launch.environment(s));
    Instance i = new Instance(s, pb.start(), System.currentTimeMillis());
    instances.add(i);
    return i;
  }

  /** Every instance started so far. */
  List<Instance> instances() {
    return List.copyOf(instances);
  }

  /** Stops every instance (TERM, then KILL after 10 s) and removes the cgroups. */
  @Override
  public void close() {
    restarts.shutdownNow();
    for (Instance i : instances) {
      i.process().destroy();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (Instance i : instances) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        if (!i.process().waitFor(left, TimeUnit.NANOSECONDS)) {
          i.process().destroyForcibly();
          i.process().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        i.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    ScenarioLaunch.removeCgroups();
  }
}
