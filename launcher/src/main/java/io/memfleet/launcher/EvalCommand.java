package io.memfleet.launcher;

import io.memfleet.localstack.FreePorts;
import io.memfleet.pipeline.replay.TraceRecorder;
import io.memfleet.scenarios.Corpus;
import io.memfleet.scenarios.Scenario;
import io.memfleet.schema.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code memfleet eval}: runs labelled corpus scenarios through the real stack — Kafka,
 * ClickHouse, the Flink job, the node and eBPF collectors, the JFR agent — with the defaults that
 * {@code up} and the Kubernetes manifests ship, nothing set per scenario, and scores what memfleet
 * raised against the labels ({@link EvalReport}). Exits 1 when a required finding is missing or a
 * hard negative raised anything.
 *
 * <pre>
 * ./memfleet eval --ci                      # the CI subset, one batch
 * ./memfleet eval                           # the whole corpus, in batches of 8
 * ./memfleet eval --scenarios jvm-slow-heap-leak,jvm-g1-sawtooth --duration 6h --record traces/
 * </pre>
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Run labelled scenarios (programs that leak, and hard negatives that must stay"
        + " quiet) through the real stack with the shipped defaults, and print what memfleet"
        + " found for each against its label: rules, pool, culprit, time to first alert, false"
        + " positives, forecasts; then recall and precision.",
        "Starts its own Kafka and ClickHouse under --home (free ports unless given), the pipeline"
        + " and the collectors; stops everything at the end. Exit status 1 when a required"
        + " finding is missing or a negative raised anything."})
final class EvalCommand implements Callable<Integer> {
  /** A replayed scenario's process started this long before the trace: maybe only its tail. */
  private static final java.time.Duration TAIL_BEFORE = java.time.Duration.ofSeconds(10);
  /** ... and published nothing after the trace's first this long: only its tail. */
  private static final java.time.Duration TAIL_WITHIN = java.time.Duration.ofSeconds(60);

  @Mixin StackOptions stack;

  @Option(names = "--scenarios", split = ",", paramLabel = "ID",
      description = "Scenario ids to run (default: the whole corpus). See scenarios/README.md.")
  List<String> ids;

  @Option(names = "--ci", description = "Run the CI subset of the corpus.")
  boolean ci;

  @Option(names = "--duration", converter = DurationConverter.class, defaultValue = "6m",
      description = "How long each batch runs; its negatives are watched all that time"
          + " (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--batch", defaultValue = "8",
      description = "Scenarios run at once (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--record", paramLabel = "DIR",
      description = "Where each batch's events are recorded (DIR/batch-N.mftrace), to replay"
          + " later with memfleet replay (default: traces/ under the work directory).")
  Path record;

  @Option(names = "--jvm-collection", paramLabel = "HOW", converter = JvmCollection.Converter.class,
      defaultValue = "${env:MEMFLEET_JVM_COLLECTION:-outside}",
      description = "How the JVMs it starts are collected: outside (memfleet's JFR recording,"
          + " read from outside the JVM by the node collector) or agent (the in-process JFR"
          + " agent) (MEMFLEET_JVM_COLLECTION; default: outside).")
  JvmCollection jvmCollection;

  @Option(names = "--scenario-jdk", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_SCENARIO_JDK}",
      description = "The JDK the JVM scenarios run on (its home directory), e.g."
          + " /usr/lib/jvm/temurin-25-jdk-amd64 (MEMFLEET_SCENARIO_JDK; default: the JDK"
          + " memfleet runs on). The collectors and the pipeline stay on memfleet's own.")
  Path scenarioJdk;

  @Option(names = "--keep", description = "Leave Kafka, ClickHouse and the pipeline running.")
  boolean keep;

  @Option(names = "--replay", paramLabel = "TRACE",
      description = "Score a recorded trace (memfleet eval --record, memfleet record) instead of"
          + " a live run: its scenarios' events are replayed through the pipeline in event time,"
          + " as fast as the machine runs it. Scenarios: those given, else every corpus"
          + " scenario that shows in the trace.")
  Path replay;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "With --replay: a pipeline"
      + " option instead of its default, e.g. -D memfleet.detect.min-span=2min, to see what a"
      + " setting changes on a recorded trace. A live run always uses the shipped defaults.")
  Map<String, String> properties = new java.util.LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    if (replay != null) {
      return replayTrace();
    }
    if (!properties.isEmpty()) {
      throw new IllegalArgumentException("-D applies to --replay only: a live eval runs the"
          + " defaults that up and the manifests ship");
    }
    List<Scenario> chosen = chosen();
    if (scenarioJdk != null) {
      ScenarioLaunch.javaIn(scenarioJdk); // refused now, before anything starts
    }
    freePortsUnlessGiven();
    Path home = stack.home.toAbsolutePath();
    String[] stackArgs = stackArgs(home);
    System.out.printf("memfleet eval: %d scenario(s) in batches of %d, %s each; work directory"
        + " %s%s%n", chosen.size(), batch, duration, home,
        scenarioJdk == null ? "" : "; JVM scenarios on " + scenarioJdk);
    int up = Memfleet.commandLine().execute(concat(new String[] {"up", "--stack-only",
        "--watch-for", "0"}, stackArgs));
    if (up != 0) {
      throw new IllegalStateException("could not start Kafka and ClickHouse (see above)");
    }
    Path root = Path.of(System.getenv().getOrDefault("MEMFLEET_ROOT", ".")).toAbsolutePath();
    DemoFleet fleet = new DemoFleet(root, stack, line -> System.out.println("  " + line));
    fleet.jvmCollection(jvmCollection);
    EvalReport report = new EvalReport();
    try {
      fleet.startPipeline(FreePorts.find());
      fleet.startNodeCollector();
      fleet.startHostEbpf();
      Path agent = fleet.jvmAgent().orElse(null);
      for (int from = 0, n = 0; from < chosen.size(); from += batch, n++) {
        List<Scenario> group = chosen.subList(from, Math.min(chosen.size(), from + batch));
        runBatch(n, group, chosen, fleet, agent, home, report);
      }
    } finally {
      if (!keep) {
        Memfleet.commandLine().execute(concat(new String[] {"down"}, stackArgs));
      }
    }
    System.out.println();
    report.print(System.out);
    return report.passed() ? 0 : 1;
  }

  /** A leak too slow to show in a live run: under 256 KiB/s. */
  static boolean isSlow(Scenario s) {
    double rate = s.leakRate().bytesPerSecond();
    return !s.isNegative() && rate > 0 && rate < 256 * 1024
        && s.leakRate().unit() == io.memfleet.scenarios.LeakRate.Unit.BYTES;
  }

  /**
   * Scores a trace: the chosen scenarios' events replayed through the pipeline. Its work
   * directory (the scenarios' events copied out of the trace, and the replay's outputs) is
   * deleted at the end: what it found is the report.
   */
  private int replayTrace() throws Exception {
    Path work = java.nio.file.Files.createTempDirectory("memfleet-eval-replay-");
    try {
      return replayTrace(work);
    } finally {
      DownCommand.deleteTree(work);
    }
  }

  private int replayTrace(Path work) throws Exception {
    List<Scenario> candidates = ids == null && !ci ? Corpus.load() : chosen();
    java.util.Set<String> services = new java.util.HashSet<>();
    candidates.forEach(s -> services.add(s.id()));
    Path filtered = work.resolve("scenarios.mftrace");
    System.out.println("memfleet eval: reading " + replay + " for " + candidates.size()
        + " scenario(s)");
    Map<String, io.memfleet.pipeline.replay.TraceFilter.Span> spans =
        io.memfleet.pipeline.replay.TraceFilter.copy(replay, filtered, services);
    if (spans.isEmpty()) {
      throw new IllegalArgumentException("no corpus scenario shows in " + replay);
    }
    spans.forEach((id, span) -> System.out.printf(Locale.ROOT,
        "  %-24s %7d events over %.1f h%n", id, span.records(),
        (span.lastEventNs() - span.firstEventNs()) / 3.6e12));
    long traceStartNs = spans.values().stream()
        .mapToLong(io.memfleet.pipeline.replay.TraceFilter.Span::firstEventNs).min().orElse(0);
    var conf = new org.apache.flink.configuration.Configuration();
    properties.forEach((k, v) -> io.memfleet.pipeline.PipelineOptions.set(conf, k, v));
    if (!properties.isEmpty()) {
      System.out.println("  pipeline options instead of the defaults: " + properties);
    }
    io.memfleet.pipeline.replay.Replay.Result r = io.memfleet.pipeline.replay.Replay.run(
        filtered, conf, 1, work.resolve("out"));
    System.out.printf(Locale.ROOT, "replayed in %.1f s%n", r.took().toMillis() / 1e3);
    EvalReport report = new EvalReport();
    for (Scenario s : candidates) {
      var span = spans.get(s.id());
      if (span == null) {
        continue;
      }
      if (onlyItsTail(span, traceStartNs)) {
        System.out.printf(Locale.ROOT, "  %s left out: its process started %.0f s before the"
            + " trace and published %s (a process of the batch before, stopping)%n", s.id(),
            (traceStartNs / 1e6 - span.processStartMs()) / 1e3,
            span.lastEventNs() == Long.MIN_VALUE ? "nothing with a wall-clock time in it"
                : String.format(Locale.ROOT, "only in its first %.1f s",
                    Math.max(0, span.lastEventNs() - traceStartNs) / 1e9));
        continue;
      }
      // in a replay an alert is "received" when its evidence ends, in event time
      List<EvalReport.Received> alerts = r.alerts().stream()
          .filter(a -> s.id().equals(a.getProcess().getService()))
          .map(a -> new EvalReport.Received(a, a.getLastSeenUtcNs() / 1_000_000L)).toList();
      List<io.memfleet.event.OomSnapshot> snapshots = r.snapshots().stream()
          .filter(x -> s.id().equals(x.getProcess().getService())).toList();
      // the process's end: its last event in the trace (the collector's EXITED), as a live run
      // takes the time it saw the process end — a forecast is judged against it when no
      // snapshot says when the process died
      report.add(new EvalReport.Outcome(s, span.processStartMs(),
          span.lastEventNs() / 1_000_000L, alerts, snapshots));
    }
    System.out.println();
    report.print(System.out);
    return report.passed() ? 0 : 1;
  }

  /**
   * Whether a trace holds only the end of a scenario's process: it started more than
   * {@link #TAIL_BEFORE} before the trace's first event and published nothing after the trace's
   * first {@link #TAIL_WITHIN} (seen: the previous batch's metaspace leak, stopping while the
   * next batch's recording began, scored as a leak not found) — or nothing with a wall-clock
   * time at all: the node collector samples every process it follows each second, so a process
   * of the batch with no such event in the trace was gone when it began (seen: the batch before's
   * six JVM and Go leaks, 8 events each from the host-wide eBPF collector's last round, stamped
   * by the monotonic clock, 366 s after their start, scored as six leaks not found). Not when no
   * process of the trace has a wall-clock event at all: then nothing tells when it began. A process that starts in the trace, however short-lived, and one that
   * runs on through it are scored.
   */
  static boolean onlyItsTail(io.memfleet.pipeline.replay.TraceFilter.Span span,
      long traceStartNs) {
    if (traceStartNs == Long.MAX_VALUE) {
      return false;
    }
    return span.processStartMs() * 1_000_000L < traceStartNs - TAIL_BEFORE.toNanos()
        && (span.lastEventNs() == Long.MIN_VALUE
            || span.lastEventNs() - traceStartNs < TAIL_WITHIN.toNanos());
  }

  private List<Scenario> chosen() {
    if (ci && ids != null) {
      throw new IllegalArgumentException("--ci and --scenarios exclude each other");
    }
    if (ci) {
      return Corpus.ci();
    }
    if (ids == null) {
      // slow leaks show in hours, not in a run of minutes: they are judged on long traces
      List<Scenario> all = new ArrayList<>();
      for (Scenario s : Corpus.load()) {
        if (isSlow(s)) {
          System.out.println("  " + s.id() + " left out: a slow leak, judged on a replayed trace"
              + " of hours (memfleet eval --replay TRACE)");
        } else {
          all.add(s);
        }
      }
      return all;
    }
    List<Scenario> out = new ArrayList<>();
    for (String id : ids) {
      out.add(Corpus.byId(id.strip()));
    }
    return out;
  }

  /**
   * Runs one batch and adds its outcomes to {@code report}; {@code run} is every scenario of the
   * run (the alerts topic holds the earlier batches' alerts too: they are not from outside).
   */
  private void runBatch(int n, List<Scenario> group, List<Scenario> run, DemoFleet fleet,
      Path agent, Path home, EvalReport report) throws Exception {
    System.out.printf("%nbatch %d: %s%n", n + 1, group.stream().map(Scenario::id).toList());
    AtomicBoolean stopRecording = new AtomicBoolean();
    Map<String, ScenarioProcesses.Instance> first = new LinkedHashMap<>();
    try (AlertListener alerts = AlertListener.start(stack.kafkaBootstrap());
        ScenarioProcesses processes = new ScenarioProcesses(home.resolve("eval"), agent,
            stack.kafkaBootstrap(), line -> System.out.println("  " + line))) {
      if (scenarioJdk != null) {
        processes.javaHome(scenarioJdk);
      }
      // Ctrl-C: the scenarios are this JVM's children and must not outlive it
      Thread stopScenarios = new Thread(processes::close, "memfleet-eval-stop");
      Runtime.getRuntime().addShutdownHook(stopScenarios);
      Thread recorder = startRecording(n, stopRecording, record != null ? record
          : home.resolve("eval").resolve("traces"));
      for (Scenario s : group) {
        processes.build(s);
      }
      for (Scenario s : group) {
        ScenarioProcesses.Instance i = processes.start(s);
        first.put(s.id(), i);
        System.out.printf("  started %-24s pid %d%n", s.id(), i.process().pid());
      }
      // a leak that starts late needs its own minutes after it starts
      Duration batchDuration = group.stream()
          .map(x -> x.leakStartsAfter().plus(Duration.ofMinutes(4)))
          .reduce(duration, (a, b) -> a.compareTo(b) >= 0 ? a : b);
      if (!batchDuration.equals(duration)) {
        System.out.println("  this batch runs " + batchDuration + ": a leak in it starts late");
      }
      long end = System.nanoTime() + batchDuration.toNanos();
      long nextReport = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < end) {
        Thread.sleep(1_000);
        if (System.nanoTime() >= nextReport) {
          nextReport += 60_000_000_000L;
          System.out.printf("  %d s left; alerts so far: %s%n",
              Duration.ofNanos(end - System.nanoTime()).toSeconds(), alerts.firingCounts());
        }
      }
      stopRecording.set(true);
      recorder.join(10_000);
      Runtime.getRuntime().removeShutdownHook(stopScenarios);
      for (Scenario s : group) {
        ScenarioProcesses.Instance i = first.get(s.id());
        List<ScenarioProcesses.Instance> mine = processes.instances().stream()
            .filter(x -> x.scenario().equals(s)).toList();
        long ended = mine.stream().mapToLong(ScenarioProcesses.Instance::endedEpochMs)
            .filter(t -> t > 0).min().orElse(-1);
        // only what this run started: another program on the host may carry the same service
        java.util.Set<Integer> pids = new java.util.HashSet<>();
        mine.forEach(x -> pids.add((int) x.process().pid()));
        report.add(new EvalReport.Outcome(s, i.startedEpochMs, ended,
            alerts.alerts(s.id()).stream()
                .filter(r -> pids.contains(r.alert().getProcess().getPid())).toList(),
            alerts.snapshots(s.id()).stream()
                .filter(x -> pids.contains(x.getProcess().getPid())).toList()));
      }
      java.util.Set<String> scenarioIds = new java.util.HashSet<>();
      run.forEach(s -> scenarioIds.add(s.id()));
      alerts.alertsExcept(scenarioIds).forEach(r -> report.outside(r.alert()));
    } finally {
      stopRecording.set(true);
    }
  }

  private Thread startRecording(int n, AtomicBoolean stop, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path trace = dir.resolve("batch-" + (n + 1) + ".mftrace");
    List<String> topics = new ArrayList<>(Topics.eventTopics());
    topics.add(Topics.CLOCK);
    Thread t = new Thread(() -> {
      try {
        TraceRecorder.Result r = new TraceRecorder(stack.kafkaBootstrap(), topics, false)
            .record(trace, Duration.ZERO, stop::get, line -> { });
        System.out.printf(Locale.ROOT, "  recorded %d records into %s%n", r.records(), trace);
      } catch (IOException e) {
        System.out.println("  recording failed: " + e.getMessage());
      }
    }, "memfleet-eval-record");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Free ports for whatever the user did not set, so eval never collides with `up`. */
  private void freePortsUnlessGiven() throws IOException {
    Map<String, String> env = System.getenv();
    if (!env.containsKey("MEMFLEET_KAFKA_PORT") && stack.kafkaPort == 19092) {
      stack.kafkaPort = FreePorts.find();
      stack.kafkaControllerPort = FreePorts.find();
    }
    if (!env.containsKey("MEMFLEET_CLICKHOUSE_HTTP_PORT") && stack.clickHouseHttpPort == 18123) {
      stack.clickHouseHttpPort = FreePorts.find();
      stack.clickHouseTcpPort = FreePorts.find();
    }
    // never the stack of `up`: a directory of its own below it
    String upHome = env.getOrDefault("MEMFLEET_HOME", ".memfleet");
    if (stack.home.toString().equals(upHome) || stack.home.toString().equals(".memfleet")) {
      stack.home = stack.home.resolve("eval");
    }
  }

  private String[] stackArgs(Path home) {
    return new String[] {"--home", home.toString(), "--kafka-port",
        String.valueOf(stack.kafkaPort), "--kafka-controller-port",
        String.valueOf(stack.kafkaControllerPort), "--clickhouse-http-port",
        String.valueOf(stack.clickHouseHttpPort), "--clickhouse-tcp-port",
        String.valueOf(stack.clickHouseTcpPort)};
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

}
