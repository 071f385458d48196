package io.memfleet.collector.ebpf.overhead;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.EbpfCollector;
import io.memfleet.collector.ebpf.bpftrace.BpftraceRunnerStats;
import io.memfleet.collector.ebpf.bpftrace.BpftraceScript;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Measures what watching a malloc-heavy C program costs it: the benchmark
 * ({@link MallocBench}) runs untraced and under the eBPF collector in each {@link TracingMode}
 * — the collector in this JVM, built from the mode's {@code memfleet ebpf} flags, publishing to
 * a real local Kafka broker, as {@code memfleet ebpf --pid PID} would — alternating within
 * each round (the order rotates from round to round), and the medians are printed as a table.
 *
 * <pre>
 * collectors/ebpf/src/test/scripts/measure-overhead.sh 5 3     # 5 rounds of 3 s per workload
 * </pre>
 *
 * <p>The ratio of a traced run is taken against the untraced run of the same round, and the
 * table shows the median of those per-round ratios (and their range): on a shared, noisy
 * machine that says more than a ratio of medians.
 */
public final class OverheadHarness {
  private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(120);
  /** Quiet time between attaching and starting the workloads (bpftrace start-up settles). */
  private static final Duration SETTLE = Duration.ofSeconds(1);

  private final String bootstrapServers;
  private final Path workDir;
  private final Path binary;
  private final List<TracingMode> modes;
  private final PrintStream log;
  private final Duration waitForOtherTracers;
  private int runs;

  /**
   * One benchmark run under one mode; {@code eventsByScript} holds the bpftrace events per
   * script id; {@code otherTracers} is true when bpftrace processes not started by this harness
   * ran on the host (bpftrace 0.17 puts uprobes into every process mapping the probed library,
   * so another user's malloc tracing slows down the untraced runs too).
   */
  public record Run(int round, TracingMode mode, Map<String, MallocBench.Result> results,
      double attachSeconds, Map<String, Long> eventsByScript, long lostEvents,
      boolean otherTracers, double collectorCpuShare) {
    public long events() {
      return eventsByScript.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * @param waitForOtherTracers how long to wait before each run for bpftrace processes that
   *     this harness did not start to go away; the run is flagged when they are still there
   */
  public OverheadHarness(String bootstrapServers, Path workDir, Path binary,
      List<TracingMode> modes, Duration waitForOtherTracers, PrintStream log) {
    this.bootstrapServers = bootstrapServers;
    this.workDir = workDir;
    this.binary = binary;
    this.modes = List.copyOf(modes);
    this.waitForOtherTracers = waitForOtherTracers;
    this.log = log;
  }

  /**
   * Usage: {@code OverheadHarness [rounds=5] [seconds-per-workload=3]
   * [workloads=documents,churn,pages]
   * [modes=UNTRACED,DEFAULT,HOST_WIDE,MALLOC_SAMPLED,EVERY_CALL]}.
   * Before each run it waits up to {@code -Dmemfleet.overhead.waitForOtherTracers} (default
   * PT10M) for bpftrace processes it did not start to end; runs with them are flagged.
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
    List<String> workloads = args.length > 2 ? List.of(args[2].split(","))
        : MallocBench.WORKLOADS;
    List<TracingMode> modes = args.length > 3 ? Stream.of(args[3].split(","))
        .map(m -> TracingMode.valueOf(m.strip().toUpperCase(java.util.Locale.ROOT))).toList()
        : List.of(TracingMode.values());
    Path work = Files.createTempDirectory("memfleet-overhead-");
    // on Ctrl-C or kill: the benchmark, bpftrace and the broker are children of this JVM
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
        .forEach(ProcessHandle::destroyForcibly), "overhead-cleanup"));
    String loadBefore = loadAverage();
    try (KafkaBroker kafka = TestServers.kafka(work)) {
      createTopics(kafka);
      OverheadHarness harness = new OverheadHarness(kafka.bootstrapServers(), work,
          MallocBench.compile(work.resolve("bench")), modes, Duration.parse(System.getProperty(
              "memfleet.overhead.waitForOtherTracers", "PT10M")), System.out);
      Report report = harness.run(rounds, seconds, workloads);
      System.out.println();
      System.out.printf("load average before: %s, after: %s%n", loadBefore, loadAverage());
      System.out.println(report.table());
    } finally {
      deleteTree(work);
    }
    System.exit(0);
  }

  /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}): the machine is shared. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  /** Creates the memfleet topics (a test broker does not create them on first use). */
  public static void createTopics(KafkaBroker kafka) throws Exception {
    kafka.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList());
  }

  /** Runs every mode once per round, in an order that rotates, and returns all runs. */
  public Report run(int rounds, double seconds, List<String> workloads) throws Exception {
    log.printf("malloc_bench %s, %d rounds x %d modes, %.1f s per workload%n", workloads, rounds,
        modes.size(), seconds);
    List<Run> all = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < modes.size(); i++) {
        TracingMode mode = modes.get((i + round) % modes.size());
        Run run = runOnce(round, mode, seconds, workloads);
        all.add(run);
        log.printf("round %d %-22s %s attach=%.1fs events=%s lost=%d load=%s%s%n", round + 1,
            mode.label(), describe(run.results()), run.attachSeconds(), run.eventsByScript(),
            run.lostEvents(), loadAverage(), run.otherTracers()
                ? " (other bpftrace processes were running)" : "");
      }
    }
    return new Report(all, workloads, modes, seconds);
  }

  private Run runOnce(int round, TracingMode mode, double seconds, List<String> workloads)
      throws Exception {
    boolean others = awaitNoOtherTracers();
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    try (MallocBench bench = MallocBench.start(binary, seconds, workloads)) {
      // a run that hangs is killed, so awaitResults fails instead of blocking the harness
      ScheduledFuture<?> kill = watchdog.schedule(() -> {
        bench.close();
        return null;
      }, (long) (seconds * workloads.size() * 20) + ATTACH_TIMEOUT.toSeconds() + 60,
          TimeUnit.SECONDS);
      if (!mode.traced()) {
        bench.go();
        Map<String, MallocBench.Result> results = bench.awaitResults();
        kill.cancel(false);
        return new Run(round, mode, results, 0, Map.of(), 0,
            others || !otherTracers().isEmpty(), 0);
      }
      String id = "ebpf/overhead/" + (++runs);
      try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(bootstrapServers)
          .collectorId(id).spoolDir(workDir.resolve("spool-" + runs)).build();
          EbpfCollector collector = EbpfCollector.builder().options(mode.options(bench.pid()))
              .sink(sink).identities(ProcessIdentities.fromEnvironment())
              .headers(new EventHeaders(id)).workDir(workDir).build()) {
        long started = System.nanoTime();
        collector.start();
        if (!collector.awaitAttached(ATTACH_TIMEOUT)) {
          throw new IllegalStateException(mode + ": bpftrace did not attach within "
              + ATTACH_TIMEOUT + ": " + collector.stats());
        }
        double attach = (System.nanoTime() - started) / 1e9;
        Thread.sleep(SETTLE.toMillis());
        double cpuBefore = collectorCpuSeconds();
        long wallBefore = System.nanoTime();
        bench.go();
        Map<String, MallocBench.Result> results = bench.awaitResults();
        double cpuShare = (collectorCpuSeconds() - cpuBefore)
            / ((System.nanoTime() - wallBefore) / 1e9);
        kill.cancel(false);
        Map<String, Long> events = new LinkedHashMap<>();
        long lost = 0;
        for (Map.Entry<BpftraceScript, BpftraceRunnerStats> e : collector.stats().entrySet()) {
          events.put(e.getKey().id(), e.getValue().events());
          lost += e.getValue().lostEvents();
        }
        return new Run(round, mode, results, attach, events, lost,
            others || !otherTracers().isEmpty(), cpuShare);
      }
    } finally {
      watchdog.shutdownNow();
    }
  }

  /**
   * CPU seconds used so far by the collector: this JVM (the collector's threads, its Kafka
   * producer; the harness's own threads are idle while the benchmark runs) and its bpftrace
   * children ({@code /proc/PID/stat} utime + stime, clock ticks of 10 ms).
   */
  static double collectorCpuSeconds() {
    double cpu = ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()
        / 1e9;
    for (ProcessHandle child : ProcessHandle.current().children().toList()) {
      if (child.info().command().map(c -> c.endsWith("/bpftrace")).orElse(false)) {
        try {
          String stat = Files.readString(Path.of("/proc", Long.toString(child.pid()), "stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          cpu += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
          // exited meanwhile
        }
      }
    }
    return cpu;
  }

  /** Waits (bounded) until no foreign bpftrace runs; true when one still does. */
  private boolean awaitNoOtherTracers() throws InterruptedException {
    long deadline = System.nanoTime() + waitForOtherTracers.toNanos();
    List<Long> others = otherTracers();
    if (!others.isEmpty() && !waitForOtherTracers.isZero()) {
      log.printf("waiting up to %s for bpftrace processes this harness did not start: %s%n",
          waitForOtherTracers, others);
    }
    while (!others.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(2000);
      others = otherTracers();
    }
    return !others.isEmpty();
  }

  /** Pids of bpftrace processes on the host that are not children of this JVM. */
  static List<Long> otherTracers() {
    List<Long> ours = ProcessHandle.current().descendants().map(ProcessHandle::pid).toList();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/bpftrace")).orElse(false))
        .map(ProcessHandle::pid).filter(pid -> !ours.contains(pid)).toList();
  }

  private static String describe(Map<String, MallocBench.Result> results) {
    StringBuilder s = new StringBuilder();
    results.values().forEach(r -> s.append(String.format("%s=%.0f/s ", r.workload(),
        r.rate())));
    return s.toString().strip();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** All runs of one harness invocation, with medians per workload and mode. */
  public record Report(List<Run> runs, List<String> workloads, List<TracingMode> modes,
      double seconds) {

    /** Median operations per second of one workload in one mode. */
    public double medianRate(String workload, TracingMode mode) {
      return median(runs.stream().filter(r -> r.mode() == mode)
          .mapToDouble(r -> r.results().get(workload).rate()).boxed().toList());
    }

    /** Per-round ratios of {@code mode} to the untraced run of the same round. */
    public List<Double> ratios(String workload, TracingMode mode) {
      Map<Integer, Double> base = new LinkedHashMap<>();
      runs.stream().filter(r -> r.mode() == TracingMode.UNTRACED)
          .forEach(r -> base.put(r.round(), r.results().get(workload).rate()));
      return runs.stream().filter(r -> r.mode() == mode && base.containsKey(r.round()))
          .map(r -> r.results().get(workload).rate() / base.get(r.round())).toList();
    }

    /** Median per-round ratio to the untraced run. */
    public double medianRatio(String workload, TracingMode mode) {
      return median(ratios(workload, mode));
    }

    /**
     * Per-round ratios of operations per CPU second of the benchmark to the untraced run's:
     * what tracing costs the traced process itself, much less disturbed than wall-clock rates
     * by other processes competing for the CPUs.
     */
    public List<Double> cpuRatios(String workload, TracingMode mode) {
      Map<Integer, Double> base = new LinkedHashMap<>();
      runs.stream().filter(r -> r.mode() == TracingMode.UNTRACED)
          .forEach(r -> base.put(r.round(), r.results().get(workload).cpuRate()));
      return runs.stream().filter(r -> r.mode() == mode && base.containsKey(r.round()))
          .map(r -> r.results().get(workload).cpuRate() / base.get(r.round())).toList();
    }

    /** The results as a Markdown table: workload × mode, median ops/s, ratio (range). */
    public String table() {
      Map<TracingMode, Double> attach = new EnumMap<>(TracingMode.class);
      for (TracingMode m : modes) {
        attach.put(m, median(runs.stream().filter(r -> r.mode() == m)
            .map(Run::attachSeconds).toList()));
      }
      StringBuilder t = new StringBuilder();
      t.append(String.format("%d rounds, %.1f s per workload; ratio = median of per-round "
          + "ratios to the untraced run (min-max): of wall-clock ops/s, and of ops per CPU second"
          + " of the benchmark; collector CPU = its JVM and bpftrace children while the workloads"
          + " ran, median, in %% of one core%n%n", runs.size() / modes.size(), seconds));
      t.append("| workload | mode | ops/s (median) | allocator calls/s | ratio to untraced "
          + "| ratio per CPU second | collector CPU | events per run |\n"
          + "|---|---|---|---|---|---|---|---|\n");
      for (String w : workloads) {
        for (TracingMode m : modes) {
          List<Double> ratios = ratios(w, m);
          List<Double> cpuRatios = cpuRatios(w, m);
          double calls = median(runs.stream().filter(r -> r.mode() == m)
              .map(r -> r.results().get(w)).map(r -> r.mallocs() / r.seconds()).toList());
          double events = median(runs.stream().filter(r -> r.mode() == m)
              .map(r -> (double) r.events()).toList());
          double cpu = median(runs.stream().filter(r -> r.mode() == m)
              .map(Run::collectorCpuShare).toList());
          t.append(String.format("| %s | %s | %,.0f | %,.0f | %.3f (%.3f-%.3f) "
                  + "| %.3f (%.3f-%.3f) | %.0f %% | %,.0f |%n", w,
              m.label(), medianRate(w, m), calls, median(ratios), min(ratios), max(ratios),
              median(cpuRatios), min(cpuRatios), max(cpuRatios), 100 * cpu, events));
        }
      }
      t.append(String.format("%nmedian attach time (bpftrace start to all probes attached): %s%n",
          attach));
      long flagged = runs.stream().filter(Run::otherTracers).count();
      t.append(String.format("runs while other bpftrace processes ran on the host: %d of %d%n",
          flagged, runs.size()));
      return t.toString();
    }

    private static double min(List<Double> values) {
      return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
      return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static double median(List<Double> values) {
      if (values.isEmpty()) {
        return Double.NaN;
      }
      List<Double> sorted = values.stream().sorted().toList();
      int n = sorted.size();
      return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
  }
}
