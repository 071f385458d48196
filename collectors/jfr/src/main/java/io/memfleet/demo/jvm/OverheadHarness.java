package io.memfleet.demo.jvm;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.jfr.JfrOptions;
import io.memfleet.collector.jfr.JfrSettings;
import io.memfleet.collector.jfr.MemfleetRecording;
import io.memfleet.collector.jfr.repository.JfrRepositoryCollector;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What JVM collection costs the application, four ways side by side in one run: {@link
 * SawtoothApp} (flat out, G1) without JFR, with a plain JFR recording ({@code default.jfc}), with
 * memfleet's recording read from outside the JVM (memfleet out-of-process), and with the
 * in-process agent. Runs alternate (each round starts with the next variant) and the medians are
 * compared, per heap size — {@code 2g} is a realistic GC rate, {@code 256m} a GC storm.
 *
 * <pre>
 * ./memfleet up --no-demo        # a local broker on 127.0.0.1:19092
 * cd collectors/jfr/target
 * nice java -XX:TieredStopAtLevel=1 \
 *      -cp memfleet-collector-jfr-0.1.0-SNAPSHOT-agent.jar:memfleet-collector-jfr-0.1.0-SNAPSHOT-demo.jar \
 *      io.memfleet.demo.jvm.OverheadHarness memfleet-collector-jfr-0.1.0-SNAPSHOT-agent.jar \
 *      127.0.0.1:19092 5 10 2g,256m
 * </pre>
 *
 * <p>Arguments: the agent jar, the Kafka bootstrap servers, runs per variant (5), seconds per run
 * (10), heap sizes (comma-separated). One round of short runs comes first and is not counted
 * (warm-up). The out-of-process variant's collector is this JVM: a
 * {@link JfrRepositoryCollector} with the real Kafka sink, started before the first run and kept
 * warm across runs, as a node collector is long-running (run this JVM with
 * {@code -XX:TieredStopAtLevel=1}, as the collector DaemonSet runs the node collector: C2 would
 * keep compiling for minutes); the app is started with memfleet's flags
 * and the collector is told its pid (what the node collector's scan does). Its CPU is reported
 * next to the figures. The application's JVMs run the demo classes only (the {@code -demo.jar},
 * this class's jar), so the agent's own copy of memfleet is the one the agent variant loads; this
 * JVM needs the agent jar on its class path for the collector.
 */
public final class OverheadHarness {
  enum Variant {
    NONE("no JFR"),
    DEFAULT_JFC("JFR default.jfc"),
    OUTSIDE("memfleet out-of-process"),
    AGENT("memfleet agent (in-process)");

    final String label;

    Variant(String label) {
      this.label = label;
    }
  }

  /**
   * One run. {@code cpuMsPerMillionOps}: CPU of the app's whole process plus, out of process, the
   * collector's share over the measured part — what the work costs, less sensitive than ops/s to
   * what else the machine runs.
   */
  private record Run(double opsPerSecond, long gcs, double collectorCpuPercent, long published,
      double cpuMsPerMillionOps) {}

  private final String agentJar;
  private final String bootstrap;
  private final int seconds;
  private final Path work;
  private final List<String> outsideFlags;
  private final JfrRepositoryCollector collector;
  private final ProcessIdentities identities = ProcessIdentities.builder().build();

  private OverheadHarness(String agentJar, String bootstrap, int seconds, Path work,
      JfrRepositoryCollector collector) throws Exception {
    this.agentJar = agentJar;
    this.bootstrap = bootstrap;
    this.seconds = seconds;
    this.work = work;
    this.collector = collector;
    this.outsideFlags = MemfleetRecording.defaults().prepareFlags(JfrSettings.defaults(),
        work.resolve("jfr"), work.resolve("memfleet.jfc"));
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: OverheadHarness AGENT_JAR BOOTSTRAP [RUNS] [SECONDS] [HEAPS]");
      System.exit(2);
    }
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    List<String> heaps = List.of((args.length > 4 ? args[4] : "2g,256m").split(","));
    Path work = Files.createTempDirectory("memfleet-overhead");
    CollectorOptions common = new CollectorOptions();
    common.set("bootstrap", args[1]);
    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(args[1])
            .collectorId("overhead-harness").spoolDir(work.resolve("spool")).build();
        JfrRepositoryCollector collector = JfrRepositoryCollector.builder()
            .options(new JfrOptions(common)).sink(sink).build()) {
      collector.start();
      OverheadHarness h = new OverheadHarness(args[0], args[1], seconds, work, collector);
      System.out.printf("%s, %d cores, load average %s; %d runs x %d s per variant and heap%n",
          LocalDate.now(), java.lang.Runtime.getRuntime().availableProcessors(), loadAverage(),
          runs, seconds);
      // a node collector is long-running: let this one's JIT warm up before anything counts
      for (Variant v : Variant.values()) {
        h.run(v, heaps.get(0), Math.min(seconds, 5));
      }
      StringBuilder tables = new StringBuilder();
      for (String heap : heaps) {
        tables.append(h.measure(heap, runs));
      }
      System.out.printf("load average at the end: %s; collector sink: %s%n", loadAverage(),
          sink.stats());
      System.out.print(tables);
    }
  }

  private String measure(String heap, int runs) throws Exception {
    Map<Variant, List<Run>> results = new EnumMap<>(Variant.class);
    Variant[] order = Variant.values();
    for (int round = 0; round < runs; round++) {
      for (int k = 0; k < order.length; k++) {
        Variant v = order[(k + round) % order.length];
        Run r = run(v, heap, seconds);
        results.computeIfAbsent(v, x -> new ArrayList<>()).add(r);
        System.out.printf("-Xmx%s round %d %-28s %,12.0f ops/s  %5d GCs  %5.0f CPU ms/Mop%s%n",
            heap, round + 1, v.label, r.opsPerSecond(), r.gcs(), r.cpuMsPerMillionOps(),
            v == Variant.OUTSIDE
                ? String.format("  collector %.1f%% of a core, %d events", r.collectorCpuPercent(),
                    r.published()) : "");
      }
    }
    double none = median(results.get(Variant.NONE), Run::opsPerSecond);
    double plain = median(results.get(Variant.DEFAULT_JFC), Run::opsPerSecond);
    StringBuilder t = new StringBuilder();
    t.append(String.format("%n-Xmx%s (medians of %d runs of %d s)%n", heap, runs, seconds));
    double noneCpu = median(results.get(Variant.NONE), Run::cpuMsPerMillionOps);
    t.append(String.format("| variant | ops/s | vs no JFR | vs default.jfc | CPU ms per M ops"
        + " (app + collector) | vs no JFR | GCs/s |%n"));
    t.append(String.format("|---|---|---|---|---|---|---|%n"));
    for (Variant v : order) {
      double ops = median(results.get(v), Run::opsPerSecond);
      double gcs = median(results.get(v), r -> (double) r.gcs()) / seconds;
      double cpu = median(results.get(v), Run::cpuMsPerMillionOps);
      t.append(String.format("| %s | %,.0f | %.3f | %.3f | %.0f | %.3f | %.0f |%n", v.label, ops,
          ops / none, ops / plain, cpu, cpu / noneCpu, gcs));
    }
    t.append(String.format("memfleet out-of-process collector: %.1f%% of a core (median),"
        + " %.0f events per run%n", median(results.get(Variant.OUTSIDE),
        Run::collectorCpuPercent), median(results.get(Variant.OUTSIDE), r -> (double)
        r.published())));
    return t.toString();
  }

  private Run run(Variant v, String heap, int seconds) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-XX:+UseG1GC");
    switch (v) {
      case DEFAULT_JFC -> cmd.add("-XX:StartFlightRecording=settings=default");
      case OUTSIDE -> cmd.addAll(outsideFlags);
      case AGENT -> cmd.add("-javaagent:" + agentJar + "=bootstrap=" + bootstrap + ",spoolDir="
          + work.resolve("agent-spool") + ",quiet");
      default -> { }
    }
    cmd.addAll(List.of("-cp", classesOf(SawtoothApp.class), SawtoothApp.class.getName(),
        "--duration-s", String.valueOf(seconds)));
    long publishedBefore = collector.status().published();
    long cpuBefore = ownCpuNanos();
    long wallBefore = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (v == Variant.OUTSIDE) {
      follow(p);
    }
    double ops = Double.NaN;
    long gcs = -1;
    double appCpu = Double.NaN;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("THROUGHPUT ops_per_s=")) {
          for (String kv : line.split(" ")) {
            if (kv.startsWith("ops_per_s=")) {
              ops = Double.parseDouble(kv.substring(10));
            } else if (kv.startsWith("gcs=")) {
              gcs = Long.parseLong(kv.substring(4));
            } else if (kv.startsWith("cpu_s=")) {
              appCpu = Double.parseDouble(kv.substring(6));
            }
          }
        }
      }
    } finally {
      p.destroyForcibly();
    }
    p.waitFor();
    double cpu = 0;
    if (v == Variant.OUTSIDE) {
      cpu = 100.0 * (ownCpuNanos() - cpuBefore) / (System.nanoTime() - wallBefore);
    }
    // the app measures seconds - 1 (its first second is warm-up); the collector's share of that
    double measured = seconds - 1;
    double cpuMsPerMillionOps = (appCpu + cpu / 100 * measured) * 1000
        / (ops * measured / 1e6);
    if (v == Variant.OUTSIDE) {
      // let the reader drain the dead JVM's last chunk before the next run starts
      long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (collector.status().following() > 0 && System.nanoTime() < until) {
        Thread.sleep(100);
      }
    }
    return new Run(ops, gcs, cpu, collector.status().published() - publishedBefore,
        cpuMsPerMillionOps);
  }

  /** Tells the collector about the new JVM, as the node collector's scan would. */
  private void follow(Process p) throws Exception {
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < until) {
      ProcessIdentity id = identities.forPid((int) p.pid());
      if (id.getRuntime() == Runtime.JVM) {
        collector.processStarted(id);
        return;
      }
      Thread.sleep(20); // the launcher has not mapped libjvm.so yet
    }
  }

  private static long ownCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (Exception e) {
      return "unknown";
    }
  }

  static String classesOf(Class<?> c) throws Exception {
    return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
  }

  private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> f) {
    List<Double> sorted = new ArrayList<>();
    for (Run r : runs) {
      sorted.add(f.applyAsDouble(r));
    }
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
