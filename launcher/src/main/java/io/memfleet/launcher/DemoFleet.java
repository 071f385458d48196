package io.memfleet.launcher;

import io.memfleet.scenarios.Corpus;
import io.memfleet.scenarios.Scenario;
import io.memfleet.scenarios.ScenarioBuilds;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What {@code memfleet up} runs besides Kafka and ClickHouse: the pipeline on a local Flink
 * MiniCluster, the node collector, and demo programs from the labelled scenario corpus — JVM, Go
 * and C programs that leak next to ones that only look like it — with what memfleet ships for
 * every process (memfleet's JFR recording for JVMs, the eBPF collector host-wide as the DaemonSet
 * runs it) and nothing set
 * for them, so a newcomer sees real findings, with the shipped defaults, within minutes.
 *
 * <p>Every part is a {@link BackgroundService} with a pid file; a part whose prerequisites are
 * missing (no Go, no gcc, not root for eBPF or a memory limit, the JFR module not built) is
 * skipped with the reason.
 */
final class DemoFleet {
  /** Where the launcher finds the other modules' build outputs. */
  private final Path repoRoot;
  private final Path home;
  private final StackOptions stack;
  private final LocalFleet fleet;
  private final Consumer<String> report;
  private JvmCollection jvmCollection = JvmCollection.OUTSIDE;

  DemoFleet(Path repoRoot, StackOptions stack, Consumer<String> report) {
    this.repoRoot = repoRoot;
    this.home = stack.home.toAbsolutePath();
    this.stack = stack;
    this.fleet = new LocalFleet(home);
    this.report = report;
  }

  private Map<String, String> kafkaAndClickHouse() {
    return localStackEnvironment(stack, home);
  }

  /**
   * What every child of the local stack runs with. The local Kafka and ClickHouse take no
   * credentials: the security settings of a shell set up for production are blanked (blank means
   * unset to every memfleet process), so they cannot make the children log in where no login is.
   */
  static Map<String, String> localStackEnvironment(StackOptions stack, Path home) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "MEMFLEET_KAFKA_BOOTSTRAP", stack.kafkaBootstrap(),
        "MEMFLEET_KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrap(),
        "MEMFLEET_CLICKHOUSE_URL", stack.clickHouseUrl(),
        "MEMFLEET_CLICKHOUSE_DATABASE", stack.database,
        "MEMFLEET_CLUSTER", "local",
        "MEMFLEET_SPOOL_DIR", home.resolve("spool").toString(),
        "MEMFLEET_PIPELINE_CHECKPOINT_DIR", home.resolve("checkpoints").toUri().toString()));
    env.put(KafkaSecurity.ENV_PROTOCOL, "PLAINTEXT");
    for (String unset : List.of(KafkaSecurity.ENV_USERNAME, KafkaSecurity.ENV_PASSWORD_FILE,
        KafkaSecurity.ENV_CA_FILE, "MEMFLEET_CLICKHOUSE_PASSWORD_FILE",
        "MEMFLEET_CLICKHOUSE_CA_FILE")) {
      env.put(unset, "");
    }
    return env;
  }

  private LocalFleet.Started start(BackgroundService service) throws IOException {
    LocalFleet.Started s = fleet.start(service);
    report.accept(String.format("%-22s %s (pid %d, log %s)", service.name(),
        s.fresh() ? "started" : "already running", s.process().pid(), fleet.logOf(service.name())));
    return s;
  }

  private BackgroundService withEnv(BackgroundService s, Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>(kafkaAndClickHouse());
    // one spool directory per collector (each takes its directory's lock): the node collector,
    // the eBPF collector and an agent inside a demo JVM each spool apart
    env.put("MEMFLEET_SPOOL_DIR", home.resolve("spool").resolve(s.name()).toString());
    env.putAll(s.environment());
    env.putAll(extra);
    return new BackgroundService(s.name(), s.command(), env, s.workDir());
  }

  /**
   * The Flink job on a MiniCluster, web UI on {@code webUiPort}. Its working files go to
   * {@code pipeline-tmp} under the home, emptied first: what a killed pipeline left there (the
   * RPC jar Flink unpacks at every start, 21 MB) would otherwise pile up in the host's /tmp.
   */
  void startPipeline(int webUiPort) throws IOException {
    Path tmp = home.resolve("pipeline-tmp");
    if (Files.isDirectory(tmp)) {
      DownCommand.deleteTree(tmp);
    }
    Files.createDirectories(tmp);
    // the shipped defaults: nothing is tuned for the demos
    start(withEnv(BackgroundService.memfleet("pipeline", "1536m",
        List.of("pipeline", "--kafka-bootstrap", stack.kafkaBootstrap(),
            "--web-ui-port", String.valueOf(webUiPort)), home),
        Map.of("MEMFLEET_PIPELINE_TMP_DIR", tmp.toString())));
  }

  /**
   * The demo scenarios {@code up} runs by default: the corpus's CI set — a JVM, a Go and a C
   * program that leak, a Go program racing to its cgroup limit, a JVM that leaks after three
   * quiet minutes, and two JVMs that look like leaks at first and are not — and a goroutine leak.
   */
  static List<Scenario> defaultDemos() {
    List<Scenario> demos = new ArrayList<>(Corpus.ci());
    demos.add(Corpus.byId("go-goroutine-leak"));
    return demos;
  }

  /**
   * Starts the collectors and then the demo scenarios, each a background service named
   * {@code demo-<scenario id>}; a scenario this
   * machine cannot run (no Go, no gcc, a memory limit without root) is skipped with the reason.
   * Returns the scenarios started.
   */
  List<Scenario> startDemosAndCollectors(List<Scenario> demos) throws IOException {
    startNodeCollector();
    startHostEbpf();
    Path demoDir = Files.createDirectories(home.resolve("demo"));
    ScenarioLaunch launch = new ScenarioLaunch(demoDir, jvmAgent().orElse(null),
        stack.kafkaBootstrap());
    List<Scenario> started = new ArrayList<>();
    for (Scenario s : demos) {
      String why = cannotRun(s);
      if (why != null) {
        report.accept("demo " + s.id() + " skipped: " + why);
        continue;
      }
      try {
        start(withEnv(new BackgroundService("demo-" + s.id(), launch.command(s),
            launch.environment(s), demoDir), Map.of()));
        started.add(s);
      } catch (IOException | InterruptedException | RuntimeException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        report.accept("demo " + s.id() + " skipped: " + e.getMessage());
      }
    }
    return started;
  }

  /** Why this machine cannot run a scenario, or null. */
  private static String cannotRun(Scenario s) {
    if (s.runtime() == Scenario.Runtime.GO && ScenarioBuilds.findTool("go").isEmpty()) {
      return "no Go toolchain (apt-get install golang-go)";
    }
    if (s.runtime() == Scenario.Runtime.NATIVE && ScenarioBuilds.findTool("gcc").isEmpty()) {
      return "no gcc (apt-get install gcc)";
    }
    if (s.cgroupMemoryLimitBytes().isPresent()
        && (!DebianPackages.isRoot() || !Files.isDirectory(ScenarioLaunch.CGROUPS))) {
      return "its memory limit needs root and the cgroup v1 memory controller";
    }
    if (s.restartEvery().isPresent()) {
      return "it restarts every " + s.restartEvery().get() + ", which memfleet eval does";
    }
    return null;
  }

  /**
   * The node collector with its defaults: every process of this host. Returns once it runs, so
   * that a program started next (one that lives seconds) is seen from its start.
   */
  void startNodeCollector() throws IOException {
    startNodeCollector(List.of());
  }

  private void startNodeCollector(List<String> options) throws IOException {
    List<String> args = new ArrayList<>(List.of("collect"));
    args.addAll(options);
    start(withEnv(BackgroundService.memfleet("collect", "256m", args, home), Map.of()));
    waitForLog("collect", "memfleet collect:", java.time.Duration.ofSeconds(90));
  }

  /**
   * What watches this host's own processes ({@code up --no-demo}): the node collector on every
   * process, starting memfleet's recording in every running JVM through the attach mechanism
   * (no restart), Go programs found by their expvar/pprof endpoints; the eBPF collector
   * host-wide.
   */
  void startHostCollectors() throws IOException {
    startNodeCollector(List.of("--jfr-attach"));
    startHostEbpf();
  }

  /**
   * Waits until a service's log holds {@code text}; reports and goes on after the timeout, or at
   * once when the service has exited (with its log's last line: why it could not run).
   */
  private void waitForLog(String service, String text, java.time.Duration timeout)
      throws IOException {
    Path log = fleet.logOf(service);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (fleet.running(service).isEmpty()) {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        report.accept(service + " exited at start: " + lines.stream()
            .filter(l -> !l.isBlank() && !l.contains("MEMFLEET_DEBUG")).reduce((a, b) -> b)
            .orElse("(empty log)") + " (see " + log + ")");
        return;
      }
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        try {
          Thread.sleep(2_000); // its first scan
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    report.accept(service + " did not say it started within " + timeout.toSeconds() + " s (see "
        + log + ")");
  }

  /**
   * The eBPF collector as the Kubernetes DaemonSet runs it: every process of this host, the
   * default scripts (mappings, sampled page faults with stacks, OOM kills). Said and skipped
   * when it cannot run (not root, no bpftrace); returns once it runs, like the node collector.
   */
  void startHostEbpf() throws IOException {
    if (!DebianPackages.isRoot() || !Files.isExecutable(Path.of("/usr/bin/bpftrace"))) {
      report.accept("eBPF collector skipped: needs root and bpftrace (native leaks are then"
          + " judged from RSS alone and name no code)");
      return;
    }
    start(withEnv(BackgroundService.memfleet("ebpf", "256m", List.of("ebpf"), home),
        Map.of()));
    waitForLog("ebpf", "memfleet ebpf: tracing", java.time.Duration.ofSeconds(90));
  }

  /** How the JVMs started here are collected (default: memfleet's recording, read outside). */
  void jvmCollection(JvmCollection how) {
    this.jvmCollection = how;
  }

  /**
   * The agent the JVMs started here run: none when they are read from outside, else the agent
   * jar (a JVM started without either is not collected: said, and read from outside then).
   */
  Optional<Path> jvmAgent() throws IOException {
    if (jvmCollection != JvmCollection.AGENT) {
      return Optional.empty();
    }
    Optional<Path> agent = agentJar();
    if (agent.isEmpty()) {
      report.accept("JVMs are read from outside: the JFR agent is not built under "
          + repoRoot.resolve("collectors/jfr/target") + " (run ./memfleet build)");
    }
    return agent;
  }

  /** The JFR agent jar, when the JFR module is built. */
  Optional<Path> agentJar() throws IOException {
    return find(repoRoot.resolve("collectors/jfr/target"), "-agent.jar");
  }

  /** Removes the demo scenarios' cgroups whose processes are gone; returns what it removed. */
  static List<String> removeDemoCgroups() {
    return ScenarioLaunch.removeCgroups();
  }

  private static Optional<Path> find(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst();
    }
  }
}
