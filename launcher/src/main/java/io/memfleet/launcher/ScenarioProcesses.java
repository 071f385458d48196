package io.memfleet.launcher;

import io.memfleet.scenarios.Scenario;
import io.memfleet.scenarios.ScenarioBuilds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs corpus scenarios as a user's programs run: built from the corpus, started with the
 * program's own flags and environment and nothing of memfleet's but what memfleet ships for every
 * process (for JVMs: the JFR agent), each process saying who it is through
 * {@code MEMFLEET_SERVICE=<scenario id>} in its environment, in a memory cgroup with the label's
 * limit (root, cgroup v1), restarted every {@code restart-every} for cron-like scenarios.
 *
 * <p>Knows when each instance started and how it ended, for the report; {@link #close()} stops
 * every instance and removes the cgroups.
 */
final class ScenarioProcesses implements AutoCloseable {
  /** Parent of the scenario cgroups (cgroup v1 memory controller). */
  static final Path CGROUPS = Path.of("/sys/fs/cgroup/memory");
  static final String CGROUP_PREFIX = "memfleet-eval-";

  private final Path dir;
  private final Path agentJar;
  private final String kafkaBootstrap;
  private final Consumer<String> report;
  private final List<Instance> instances = new CopyOnWriteArrayList<>();
  private final List<Path> cgroups = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(
      r -> {
        Thread t = new Thread(r, "memfleet-eval-restarts");
        t.setDaemon(true);
        return t;
      });
  private final Map<String, Path> binaries = new HashMap<>();

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
    this.agentJar = agentJar;
    this.kafkaBootstrap = kafkaBootstrap;
    this.report = report;
  }

  /** Builds what the scenario needs (Go and C programs) ahead of its start. */
  void build(Scenario s) throws IOException, InterruptedException {
    if (s.runtime() != Scenario.Runtime.JVM && !binaries.containsKey(s.program())) {
      binaries.put(s.program(), ScenarioBuilds.build(s, dir.resolve("bin")));
    }
  }

  /** Starts the scenario (and its restarts); returns its first instance. */
  Instance start(Scenario s) throws IOException, InterruptedException {
    build(s);
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
    List<String> command = new ArrayList<>();
    Path cgroup = null;
    if (s.cgroupMemoryLimitBytes().isPresent()) {
      cgroup = cgroup(s);
      // the shell joins the cgroup, then becomes the program: the limit applies from its start
      command.addAll(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && shift && exec \"$@\"",
          cgroup.resolve("cgroup.procs").toString(), "--"));
    }
    command.addAll(programCommand(s));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(
            Files.createDirectories(dir.resolve("logs")).resolve(s.id() + ".log").toFile()))
        .directory(dir.toFile());
    pb.environment().putAll(s.env());
    pb.environment().put("MEMFLEET_SERVICE", s.id());
    pb.environment().put("MEMFLEET_LABELS", "scenario=" + s.id());
    Instance i = new Instance(s, pb.start(), System.currentTimeMillis());
    instances.add(i);
    return i;
  }

  private List<String> programCommand(Scenario s) {
    if (s.runtime() != Scenario.Runtime.JVM) {
      List<String> c = new ArrayList<>(List.of(binaries.get(s.program()).toString()));
      c.addAll(s.args());
      return c;
    }
    List<String> c = new ArrayList<>(List.of(BackgroundService.javaBinary()));
    c.addAll(s.jvmOptions());
    if (agentJar != null) {
      // what memfleet ships for a JVM: the JFR agent, told only where Kafka is
      c.add("-javaagent:" + agentJar + "=bootstrap=" + kafkaBootstrap + ",service=" + s.id()
          + ",cluster=local,spoolDir=" + dir.resolve("spool").resolve(s.id()) + ",quiet");
    }
    c.addAll(List.of("-cp", scenariosClassPath(), s.program()));
    c.addAll(s.args());
    return c;
  }

  static String scenariosClassPath() {
    try {
      return Path.of(Scenario.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot locate the scenario programs", e);
    }
  }

  private Path cgroup(Scenario s) throws IOException {
    if (!Files.isDirectory(CGROUPS)) {
      throw new IOException(s.id() + " needs a memory cgroup: no cgroup v1 memory controller at "
          + CGROUPS);
    }
    Path c = CGROUPS.resolve(CGROUP_PREFIX + s.id() + "-" + ProcessHandle.current().pid() + "-"
        + cgroups.size());
    Files.createDirectories(c);
    Files.writeString(c.resolve("memory.limit_in_bytes"),
        String.valueOf(s.cgroupMemoryLimitBytes().getAsLong()));
    cgroups.add(c);
    return c;
  }

  /** Every instance started so far. */
  List<Instance> instances() {
    return List.copyOf(instances);
  }

  /** Stops every instance (TERM, then KILL after {@code grace}) and removes the cgroups. */
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
        }
      } catch (InterruptedException e) {
        i.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    for (Path c : cgroups) {
      for (int attempt = 0; attempt < 20; attempt++) {
        try {
          Files.deleteIfExists(c); // rmdir of a cgroup: refused while processes remain
          break;
        } catch (IOException busy) {
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
    }
  }
}
