package io.memfleet.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What {@code memfleet up} runs besides Kafka and ClickHouse: the pipeline on a local Flink
 * MiniCluster, the node collector, and demo apps that leak (JVM, Go, native) next to healthy
 * ones, with the JFR agent and the eBPF collector attached — so a newcomer sees real leaks found
 * within minutes.
 *
 * <p>Every part is a {@link BackgroundService} with a pid file; a part whose prerequisites are
 * missing (no Go, no gcc, not root for eBPF, the JFR module not built) is skipped with the reason.
 */
final class DemoFleet {
  /** Where the launcher finds the other modules' build outputs. */
  private final Path repoRoot;
  private final Path home;
  private final StackOptions stack;
  private final LocalFleet fleet;
  private final Consumer<String> report;

  DemoFleet(Path repoRoot, StackOptions stack, Consumer<String> report) {
    this.repoRoot = repoRoot;
    this.home = stack.home.toAbsolutePath();
    this.stack = stack;
    this.fleet = new LocalFleet(home);
    this.report = report;
  }

  private Map<String, String> kafkaAndClickHouse() {
    return Map.of(
        "MEMFLEET_KAFKA_BOOTSTRAP", stack.kafkaBootstrap(),
        "MEMFLEET_KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap(),
        "MEMFLEET_CLICKHOUSE_URL", stack.clickHouseUrl(),
        "MEMFLEET_CLICKHOUSE_DATABASE", stack.database,
        "MEMFLEET_CLUSTER", "local",
        "MEMFLEET_SPOOL_DIR", home.resolve("spool").toString(),
        "MEMFLEET_PIPELINE_CHECKPOINT_DIR", home.resolve("checkpoints").toUri().toString());
  }

  private LocalFleet.Started start(BackgroundService service) throws IOException {
    LocalFleet.Started s = fleet.start(service);
    report.accept(String.format("%-22s %s (pid %d, log %s)", service.name(),
        s.fresh() ? "started" : "already running", s.process().pid(), fleet.logOf(service.name())));
    return s;
  }

  private BackgroundService withEnv(BackgroundService s, Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>(kafkaAndClickHouse());
    env.putAll(s.environment());
    env.putAll(extra);
    return new BackgroundService(s.name(), s.command(), env, s.workDir());
  }

  /** The Flink job on a MiniCluster, web UI on {@code webUiPort}. */
  void startPipeline(int webUiPort) throws IOException {
    // the shipped defaults: nothing is tuned for the demos
    start(withEnv(BackgroundService.memfleet("pipeline", "1536m",
        List.of("pipeline", "--bootstrap-servers", stack.kafkaBootstrap(),
            "--web-ui-port", String.valueOf(webUiPort)), home), Map.of()));
  }

  /** Demo apps and the collectors that watch them. */
  void startDemosAndCollectors(List<Integer> goPorts) throws IOException, InterruptedException {
    int goLeakyPort = goPorts.get(0);
    int goHealthyPort = goPorts.get(1);
    int goOomPort = goPorts.get(2);
    Path demoDir = Files.createDirectories(home.resolve("demo"));

    Optional<Path> goBinary = buildGoDemo(demoDir);
    if (goBinary.isPresent()) {
      for (var demo : List.of(new Object[] {"demo-go-leaky", "heap-leak,goroutine-leak",
          goLeakyPort, "40"}, new Object[] {"demo-go-healthy", "healthy", goHealthyPort, "10"})) {
        String name = (String) demo[0];
        int port = (Integer) demo[2];
        // as Go programs usually run: expvar and pprof served, no gctrace; the node collector
        // finds them by itself
        BackgroundService s = new BackgroundService(name, List.of(goBinary.get().toString(),
            "-mode=" + demo[1], "-rate=" + demo[3], "-listen=127.0.0.1:" + port),
            Map.of(), demoDir);
        start(withEnv(s, Map.of()));
      }
      Optional<Path> cgroup = demoCgroup();
      if (cgroup.isPresent()) {
        // a 160 MiB cache and a 0.5 MiB/s heap leak in a 256 MiB memory cgroup: above 80% of
        // the limit about 30 s in (oom-imminent, with a forecast), OOM-killed about 100 s in
        // (the forensics snapshot); GOGC=20 keeps the Go heap close to its live size
        String name = "demo-go-oom";
        int port = goOomPort;
        BackgroundService s = new BackgroundService(name, List.of("/bin/sh", "-c",
            "echo $$ > \"$0\" && shift && exec \"$@\"", cgroup.get().resolve("cgroup.procs")
                .toString(), "--", goBinary.get().toString(), "-mode=heap-leak", "-rate=8",
            "-ballast=" + (160L << 20), "-listen=127.0.0.1:" + port),
            Map.of("GOGC", "20"), demoDir);
        start(withEnv(s, Map.of()));
      }
    }

    Path jfrTarget = repoRoot.resolve("collectors/jfr/target");
    Optional<Path> agent = find(jfrTarget, "-agent.jar");
    Optional<Path> demoJar = find(jfrTarget, "-demo.jar");
    if (agent.isPresent() && demoJar.isPresent()) {
      // the thrashing JVM: a heap too small for its load on the serial collector, as a JVM
      // picks it in a one-CPU container; its live set is flat, so only gc-thrashing may fire
      // stock G1 (no forced GC): the leak is found from the collections G1 runs by itself
      for (var demo : List.of(new String[] {"demo-jvm-leaky", "-Xmx384m", "LeakyCacheApp",
          "--leak-mb-per-s 2"}, new String[] {"demo-jvm-sawtooth", "-Xmx384m",
          "SawtoothApp", "--working-set-mb 64 --ops-per-s 200000"}, new String[] {
          "demo-jvm-thrashing", "-XX:+UseSerialGC -Xmx160m -Xmn8m", "GcThrashingApp", ""})) {
        List<String> cmd = new ArrayList<>(List.of(BackgroundService.javaBinary()));
        cmd.addAll(List.of(demo[1].split(" ")));
        cmd.addAll(List.of(
            "-javaagent:" + agent.get() + "=bootstrap=" + stack.kafkaBootstrap() + ",service="
                + demo[0] + ",cluster=local,spoolDir=" + home.resolve("spool/" + demo[0]),
            "-cp", demoJar.get().toString(), "io.memfleet.demo.jvm." + demo[2]));
        if (!demo[3].isEmpty()) {
          cmd.addAll(List.of(demo[3].split(" ")));
        }
        start(withEnv(new BackgroundService(demo[0], cmd, Map.of(), demoDir), Map.of()));
      }
    } else {
      report.accept("JVM demos skipped: the JFR agent and demo jars are not built under "
          + jfrTarget + " (run ./memfleet build)");
    }

    List<Integer> nativeLeaky = new ArrayList<>();
    Optional<Path> leaky = compileNativeDemo(demoDir, "leaky");
    Optional<Path> control = compileNativeDemo(demoDir, "control");
    if (leaky.isPresent() && control.isPresent()) {
      nativeLeaky.add((int) start(withEnv(new BackgroundService("demo-native-leaky",
          List.of(leaky.get().toString(), "200", "4096", "0", "10"), Map.of(), demoDir),
          Map.of())).process().pid());
      nativeLeaky.add((int) start(withEnv(new BackgroundService("demo-native-control",
          List.of(control.get().toString(), "200", "4096", "0", "10"), Map.of(), demoDir),
          Map.of())).process().pid());
    }

    startNodeCollector();

    if (!DebianPackages.isRoot() || !Files.isExecutable(Path.of("/usr/bin/bpftrace"))) {
      report.accept("eBPF collector skipped: needs root and bpftrace (apt-get install bpftrace)");
      return;
    }
    int i = 0;
    for (int pid : nativeLeaky) {
      String name = i++ == 0 ? "ebpf-native-leaky" : "ebpf-native-control";
      // the default scripts: mappings and faulted-in pages by stack, no malloc probes
      start(withEnv(BackgroundService.memfleet(name, "256m", List.of("ebpf", "--pid",
          String.valueOf(pid)), home), Map.of()));
    }
  }

  /** The node collector with its defaults: every process of this host. */
  void startNodeCollector() throws IOException {
    start(withEnv(BackgroundService.memfleet("collect", "256m", List.of("collect"), home),
        Map.of()));
  }

  /** The eBPF collector with its default scripts on one process; false when it cannot run. */
  boolean startEbpf(String name, long pid) throws IOException {
    if (!DebianPackages.isRoot() || !Files.isExecutable(Path.of("/usr/bin/bpftrace"))) {
      return false;
    }
    start(withEnv(BackgroundService.memfleet(name, "256m", List.of("ebpf", "--pid",
        String.valueOf(pid)), home), Map.of()));
    return true;
  }

  /** Stops one background service started here, if it runs. */
  void stop(String name) {
    fleet.running(name).ifPresent(p -> p.stop(java.time.Duration.ofSeconds(10)));
  }

  /** The JFR agent jar, when the JFR module is built. */
  Optional<Path> agentJar() throws IOException {
    return find(repoRoot.resolve("collectors/jfr/target"), "-agent.jar");
  }

  /** Root of the demo memory cgroups (cgroup v1), for {@code down} to remove them. */
  static final Path CGROUP_PARENT = Path.of("/sys/fs/cgroup/memory");
  static final String CGROUP_PREFIX = "memfleet-demo-oom-";

  /** A fresh memory cgroup (v1) limited to 256 MiB, when this machine lets us make one. */
  private Optional<Path> demoCgroup() {
    if (!DebianPackages.isRoot() || !Files.isDirectory(CGROUP_PARENT)) {
      report.accept("OOM demo skipped: needs root and the cgroup v1 memory controller");
      return Optional.empty();
    }
    try {
      Path dir = CGROUP_PARENT.resolve(CGROUP_PREFIX + ProcessHandle.current().pid());
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("memory.limit_in_bytes"), String.valueOf(256L << 20));
      return Optional.of(dir);
    } catch (IOException e) {
      report.accept("OOM demo skipped: cannot create a memory cgroup: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Removes the demo cgroups whose processes are gone; returns what it removed. */
  static List<String> removeDemoCgroups() {
    List<String> removed = new ArrayList<>();
    if (!Files.isDirectory(CGROUP_PARENT)) {
      return removed;
    }
    try (var dirs = Files.list(CGROUP_PARENT)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        if (dir.getFileName().toString().startsWith(CGROUP_PREFIX)) {
          try {
            Files.delete(dir); // rmdir of a cgroup: refused while processes remain
            removed.add(dir.toString());
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

  private static Optional<Path> find(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst();
    }
  }

  private Optional<Path> buildGoDemo(Path demoDir) {
    try {
      if (io.memfleet.collector.node.demo.GoDemo.findGo().isEmpty()) {
        report.accept("Go demos skipped: no Go toolchain (apt-get install golang-go)");
        return Optional.empty();
      }
      return Optional.of(io.memfleet.collector.node.demo.GoDemo.build(demoDir.resolve("go")));
    } catch (IOException | InterruptedException | RuntimeException e) {
      report.accept("Go demos skipped: building the Go demo failed: " + e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<Path> compileNativeDemo(Path demoDir, String name) {
    if (!Files.isExecutable(Path.of("/usr/bin/gcc"))) {
      report.accept("native demos skipped: no gcc (apt-get install gcc)");
      return Optional.empty();
    }
    String resource = "/io/memfleet/collector/ebpf/demo/" + name + ".c";
    try (var in = DemoFleet.class.getResourceAsStream(resource)) {
      if (in == null) {
        report.accept("native demo " + name + " skipped: " + resource + " not on the class path");
        return Optional.empty();
      }
      Path source = demoDir.resolve(name + ".c");
      Files.write(source, in.readAllBytes());
      Path binary = demoDir.resolve(name);
      // statically linked: malloc is in the demo itself, so the eBPF collector's malloc uprobes
      // trap in the demo only, not in every process on the machine that shares libc
      String failed = gcc(binary, source, "-static");
      if (failed != null) {
        report.accept("native demo " + name + " linked dynamically (static link failed: "
            + failed.strip() + "); malloc tracing then slows every libc user here");
        failed = gcc(binary, source);
      }
      if (failed != null) {
        report.accept("native demo " + name + " skipped: gcc failed: " + failed);
        return Optional.empty();
      }
      return Optional.of(binary);
    } catch (IOException | InterruptedException e) {
      report.accept("native demo " + name + " skipped: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Compiles with frame pointers, unoptimised; null on success, else gcc's output. */
  private static String gcc(Path binary, Path source, String... extra)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("gcc", "-g", "-O0", "-fno-omit-frame-pointer",
        "-o", binary.toString(), source.toString()));
    command.addAll(List.of(extra));
    Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return gcc.waitFor() == 0 ? null : out;
  }
}
