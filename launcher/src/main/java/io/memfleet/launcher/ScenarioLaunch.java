package io.memfleet.launcher;

import io.memfleet.collector.jfr.JfrSettings;
import io.memfleet.collector.jfr.MemfleetRecording;
import io.memfleet.scenarios.Scenario;
import io.memfleet.scenarios.ScenarioBuilds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a corpus scenario is started as a user's program would be: its command line and
 * environment, with nothing of memfleet's but what memfleet ships for every process (for a JVM:
 * memfleet's JFR recording, started by the flags {@code memfleet jfr-flags} prints and read by the
 * node collector from outside; or the in-process JFR agent, told where Kafka is) and the process
 * saying who it is
 * ({@code MEMFLEET_SERVICE=<scenario id>}). Every scenario starts through a shell that first
 * moves itself into a fresh memory cgroup (cgroup v1, root) with the label's limit, or
 * {@link #DEFAULT_POD_LIMIT} as a pod has one (without root: no limit). Shared by
 * {@code memfleet up} (background services) and {@code memfleet eval}.
 */
final class ScenarioLaunch {
  /** Parent of the scenario cgroups. */
  static final Path CGROUPS = Path.of("/sys/fs/cgroup/memory");
  static final String CGROUP_PREFIX = "memfleet-scenario-";

  /**
   * The memory limit every scenario without one of its own runs under, as a pod runs under its
   * container's limit: a stock JVM sizes its heap from it (a quarter), so programs on one host
   * do not grow into each other's memory.
   */
  static final long DEFAULT_POD_LIMIT = 2L << 30;

  private final Path dir;
  private final Path agentJar;
  private final String kafkaBootstrap;
  private final long podLimitBytes;
  /** The java that runs the JVM scenarios: memfleet's own unless {@link #javaHome} is set. */
  private String java = BackgroundService.javaBinary();
  private final Map<String, Path> binaries = new HashMap<>();
  private int cgroups;
  private List<String> recordingFlags;

  /**
   * @param dir work directory: binaries, spools
   * @param agentJar the JFR agent for JVMs, or null to start them with memfleet's recording
   *     (read from outside by the node collector)
   */
  ScenarioLaunch(Path dir, Path agentJar, String kafkaBootstrap) throws IOException {
    this(dir, agentJar, kafkaBootstrap, canLimit() ? DEFAULT_POD_LIMIT : 0);
  }

  /** @param podLimitBytes limit for scenarios without their own; 0 for none */
  ScenarioLaunch(Path dir, Path agentJar, String kafkaBootstrap, long podLimitBytes)
      throws IOException {
    this.dir = Files.createDirectories(dir);
    this.agentJar = agentJar;
    this.kafkaBootstrap = kafkaBootstrap;
    this.podLimitBytes = podLimitBytes;
  }

  /**
   * Runs the JVM scenarios on the JDK at {@code home} (its {@code bin/java}) instead of the one
   * memfleet runs on: how detection fares on a JDK users run that memfleet was not built with.
   */
  ScenarioLaunch javaHome(Path home) {
    this.java = javaIn(home).toString();
    return this;
  }

  /**
   * The {@code bin/java} of the JDK at {@code home}.
   *
   * @throws IllegalArgumentException when there is no executable there
   */
  static Path javaIn(Path home) {
    Path binary = home.resolve("bin").resolve("java");
    if (!Files.isExecutable(binary)) {
      throw new IllegalArgumentException("no JDK at " + home + ": " + binary
          + " is not an executable");
    }
    return binary;
  }

  /** Whether this machine lets us make memory cgroups (root, cgroup v1). */
  static boolean canLimit() {
    return DebianPackages.isRoot() && Files.isDirectory(CGROUPS);
  }

  /** Builds the Go or C program a scenario needs (once). */
  void build(Scenario s) throws IOException, InterruptedException {
    if (s.runtime() != Scenario.Runtime.JVM && !binaries.containsKey(s.program())) {
      binaries.put(s.program(), ScenarioBuilds.build(s, dir.resolve("bin")));
    }
  }

  /** The full command line; a fresh memory cgroup is made for a scenario with a limit. */
  List<String> command(Scenario s) throws IOException, InterruptedException {
    build(s);
    List<String> command = new ArrayList<>();
    long limit = s.cgroupMemoryLimitBytes().orElse(podLimitBytes);
    if (limit > 0) {
      Path cgroup = cgroup(s, limit);
      // the shell joins the cgroup, then becomes the program: the limit applies from its start
      command.addAll(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && shift && exec \"$@\"",
          cgroup.resolve("cgroup.procs").toString(), "--"));
    }
    if (s.runtime() != Scenario.Runtime.JVM) {
      command.add(binaries.get(s.program()).toString());
    } else {
      command.add(java);
      command.addAll(s.jvmOptions());
      if (agentJar != null) {
        command.add("-javaagent:" + agentJar + "=bootstrap=" + kafkaBootstrap + ",service="
            + s.id() + ",cluster=local,spoolDir=" + dir.resolve("spool").resolve(s.id())
            + ",quiet");
      } else {
        command.addAll(recordingFlags());
      }
      command.addAll(List.of("-cp", scenariosClassPath(), s.program()));
    }
    command.addAll(s.args());
    return command;
  }

  /** memfleet's JFR recording flags, its settings file written under the work directory once. */
  private List<String> recordingFlags() throws IOException {
    if (recordingFlags == null) {
      Path repository = dir.resolve("jfr");
      recordingFlags = new ArrayList<>(MemfleetRecording.defaults().prepareFlags(
          JfrSettings.defaults(), repository, repository.resolve("memfleet.jfc")));
      recordingFlags.add("-Xlog:jfr+startup=warning"); // no "Started recording" lines
    }
    return recordingFlags;
  }

  /** The program's environment additions. */
  Map<String, String> environment(Scenario s) {
    Map<String, String> env = new LinkedHashMap<>(s.env());
    env.put("MEMFLEET_SERVICE", s.id());
    env.put("MEMFLEET_LABELS", "scenario=" + s.id());
    return env;
  }

  static String scenariosClassPath() {
    try {
      return Path.of(Scenario.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("cannot locate the scenario programs", e);
    }
  }

  private Path cgroup(Scenario s, long limit) throws IOException {
    if (!Files.isDirectory(CGROUPS)) {
      throw new IOException(s.id() + " needs a memory cgroup: no cgroup v1 memory controller at "
          + CGROUPS + " (and root)");
    }
    Path c = CGROUPS.resolve(CGROUP_PREFIX + s.id() + "-" + ProcessHandle.current().pid() + "-"
        + cgroups++);
    Files.createDirectories(c);
    Files.writeString(c.resolve("memory.limit_in_bytes"), String.valueOf(limit));
    return c;
  }

  /**
   * Removes the scenario cgroups whose processes are gone and whose creator (the launcher that
   * made it, named in it) has ended or is this process: another run's eval may have made one
   * and not yet moved its program into it. Returns what it removed.
   */
  static List<String> removeCgroups() {
    List<String> removed = new ArrayList<>();
    if (!Files.isDirectory(CGROUPS)) {
      return removed;
    }
    try (var dirs = Files.list(CGROUPS)) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        if (d.getFileName().toString().startsWith(CGROUP_PREFIX)
            && !madeByAnotherRunningProcess(d.getFileName().toString())) {
          try {
            Files.delete(d); // rmdir of a cgroup: refused while processes remain
            removed.add(d.toString());
          } catch (IOException busy) {
            // still in use; the next down removes it
          }
        }
      }
    } catch (IOException ignored) {
      // nothing to clean
    }
    return removed;
  }

  /**
   * Whether a scenario cgroup's name ({@code <prefix><id>-<creator pid>-<n>}) names a live process
   * other than this one as its creator.
   */
  static boolean madeByAnotherRunningProcess(String cgroupName) {
    String[] parts = cgroupName.split("-");
    long creator;
    try {
      creator = Long.parseLong(parts[parts.length - 2]);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return false; // not a name this class made: no owner to protect
    }
    return creator != ProcessHandle.current().pid()
        && ProcessHandle.of(creator).map(ProcessHandle::isAlive).orElse(false);
  }
}
