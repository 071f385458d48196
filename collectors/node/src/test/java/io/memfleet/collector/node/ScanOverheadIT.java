package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.DurationConverter;
import io.memfleet.localstack.testing.Capabilities;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's overhead over a fleet of real processes: starts {@value #FLEET} idle C processes
 * (compiled here with gcc from {@code overhead/idle-fleet.c}, 1–8 MiB each, some with threads
 * and many mappings) and two idle JVMs with pre-touched heaps, then runs {@link OverheadHarness}
 * (the real {@link NodeCollector} at 1 s) in one JVM per setting, side by side:
 * <ul>
 *   <li>{@code daemonset}: the collector as the DaemonSet ships it — the JVM options of its
 *       {@code node} container and that container's CPU and memory limits as the JVM's view of
 *       the machine, read from {@code k8s/} ({@link NodeContainerJvm}), and a sink that encodes
 *       every event as the Kafka sink does on the scanning thread;
 *   <li>at {@code -Xmx256m} and the JVM's defaults otherwise, with a counting sink: the
 *       defaults, the defaults with encoding, smaps_rollup at every scan (the behaviour before
 *       {@code --smaps-interval}) and {@code --no-smaps}.
 * </ul>
 * Each harness runs 30 scans back to back, starts the collector, waits the warm-up, then measures
 * over the window ({@code -Dmemfleet.overhead.warmup}, default {@value #WARMUP};
 * {@code -Dmemfleet.overhead.measure}, default {@value #MEASURE}): the scanning thread's CPU and
 * the whole JVM's ({@code utime + stime}, JIT, GC and every other thread included).
 *
 * <p>Run alone: {@code mvn -pl collectors/node verify -Dit.test=ScanOverheadIT -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false} (add {@code -Dmemfleet.overhead.warmup=60s
 * -Dmemfleet.overhead.measure=240s} for the long window); the figures go to stdout and
 * {@code target/scan-overhead.txt}, with a table of every setting at the end. CPU figures are
 * reported, never asserted (the machine is shared); what is asserted is that every fleet process
 * was seen and published, and that the {@code daemonset} harness ran with the manifest's options.
 */
class ScanOverheadIT {
  static final int FLEET = 200;
  static final String DAEMONSET = "daemonset";
  private static final String WARMUP_SCANS = "30";
  private static final String WARMUP = "25s";
  private static final String MEASURE = "30s";
  private static final Pattern RESULT = Pattern.compile(
      "OVERHEAD name=(\\S+) .*tracked=(\\d+) fleet=(-?\\d+)/(-?\\d+) scans=(\\d+) .*"
          + "events_per_scan=(\\d+)");
  private static final Pattern FIGURES = Pattern.compile("OVERHEAD name=(\\S+) sink=(\\S+) .*"
      + "scan_thread_core_pct=(\\S+) process_core_pct=(\\S+) process_sys_core_pct=(\\S+)"
      + " scan_cpu_median_ms=(\\S+) .* load=(\\S+) flags=(.*)");
  private static final Pattern JVM = Pattern.compile(
      "JVM name=(\\S+) gc=(\\S+) cpus=(\\d+) heap_max_mib=(\\d+) options=\\[(.*)]");

  /** One harness JVM: its options, and the harness's arguments. */
  private record Setting(List<String> jvmOptions, List<String> harnessArgs) {}

  @TempDir Path dir;

  @Test
  void daemonCpuOverTwoHundredProcesses() throws Exception {
    Capabilities.require(onPath("gcc"), "gcc (apt-get install gcc)");
    Path fleetBinary = compileFleet();
    List<Process> started = new ArrayList<>();
    try {
      Process fleet = start(started, new ProcessBuilder(fleetBinary.toString(),
          Integer.toString(FLEET)));
      assertThat(firstLine(fleet)).isEqualTo("ready " + FLEET);
      for (int i = 0; i < 2; i++) {
        Process jvm = start(started, java("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch",
            OverheadHarness.IdleJvm.class.getName()));
        assertThat(firstLine(jvm)).startsWith("idle jvm");
      }
      List<String> shipped = NodeContainerJvm.fromRepository(NodeContainerJvm.repositoryRoot())
          .harnessOptions();
      List<String> small = List.of("-Xmx256m");
      Map<String, Setting> settings = new LinkedHashMap<>();
      settings.put(DAEMONSET, new Setting(shipped, List.of("--sink", "encode")));
      settings.put("default", new Setting(small, List.of("--sink", "count")));
      settings.put("default+encode", new Setting(small, List.of("--sink", "encode")));
      settings.put("smaps-every-scan", new Setting(small, List.of("--sink", "count", "--",
          "--smaps-interval", "1s", "--smaps-max-cpu", "100")));
      settings.put("no-smaps", new Setting(small, List.of("--sink", "count", "--",
          "--no-smaps")));
      String warmup = System.getProperty("memfleet.overhead.warmup", WARMUP);
      String measure = System.getProperty("memfleet.overhead.measure", MEASURE);
      // the back-to-back scans take a few seconds; a loaded machine stretches everything
      long timeoutS = 120 + DurationConverter.parse(warmup).plus(
          DurationConverter.parse(measure)).toSeconds();
      Map<String, Process> harnesses = new LinkedHashMap<>();
      for (Map.Entry<String, Setting> s : settings.entrySet()) {
        List<String> cmd = new ArrayList<>(s.getValue().jvmOptions());
        cmd.addAll(List.of(OverheadHarness.class.getName(),
            "--name", s.getKey(), "--warmup-scans", WARMUP_SCANS, "--warmup", warmup,
            "--measure", measure,
            "--fleet-pid", Long.toString(fleet.pid())));
        cmd.addAll(s.getValue().harnessArgs());
        ProcessBuilder pb = java(cmd.toArray(String[]::new));
        pb.redirectOutput(dir.resolve(s.getKey() + ".out").toFile());
        pb.redirectError(dir.resolve(s.getKey() + ".err").toFile());
        harnesses.put(s.getKey(), start(started, pb));
      }
      StringBuilder report = new StringBuilder();
      Map<String, String> outputs = new LinkedHashMap<>();
      for (Map.Entry<String, Process> h : harnesses.entrySet()) {
        boolean exited = h.getValue().waitFor(timeoutS, TimeUnit.SECONDS);
        String out = Files.readString(dir.resolve(h.getKey() + ".out"));
        String err = Files.readString(dir.resolve(h.getKey() + ".err"));
        report.append(out);
        outputs.put(h.getKey(), out);
        assertThat(exited).as(h.getKey() + " finished:\n" + out + err).isTrue();
        assertThat(h.getValue().exitValue()).as(h.getKey() + ":\n" + out + err).isZero();
      }
      report.append(summary(outputs, warmup, measure));
      System.out.print(report);
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target/scan-overhead.txt"), report.toString());
      for (Map.Entry<String, String> o : outputs.entrySet()) {
        Matcher m = RESULT.matcher(o.getValue());
        assertThat(m.find()).as(o.getValue()).isTrue();
        assertThat(Integer.parseInt(m.group(2))).as("tracked").isGreaterThanOrEqualTo(FLEET);
        // every fleet process had its resident memory published in the last scans
        assertThat(m.group(3)).as("fleet seen").isEqualTo(Integer.toString(FLEET));
        assertThat(m.group(4)).as("fleet size").isEqualTo(Integer.toString(FLEET));
        // the collector kept scanning (a loaded machine delays scans, so not all 30)
        assertThat(Integer.parseInt(m.group(5))).as("scans in the window").isGreaterThan(5);
        // ResidentMemory + ThreadCount per tracked process per scan
        assertThat(Integer.parseInt(m.group(6))).isGreaterThanOrEqualTo(2 * FLEET);
      }
      // the figure quoted for the DaemonSet comes from a JVM started as the manifest says
      Matcher jvm = JVM.matcher(outputs.get(DAEMONSET));
      assertThat(jvm.find()).as(outputs.get(DAEMONSET)).isTrue();
      assertThat(List.of(jvm.group(5).split(", "))).as("daemonset JVM options")
          .containsExactlyElementsOf(shipped);
    } finally {
      for (Process p : started) {
        p.destroyForcibly();
      }
      for (Process p : started) {
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** One row per setting: what each JVM was and what it cost, for the README. */
  private static String summary(Map<String, String> outputs, String warmup, String measure) {
    StringBuilder t = new StringBuilder(String.format(Locale.ROOT,
        "%nwarm-up: %s scans back to back, then %s at the interval; window %s%n"
            + "| setting | JVM | sink | flags | scanning thread | whole JVM | of which kernel"
            + " | per scan (median) | load average |%n|---|---|---|---|---|---|---|---|---|%n",
        WARMUP_SCANS, warmup, measure));
    for (Map.Entry<String, String> o : outputs.entrySet()) {
      Matcher f = FIGURES.matcher(o.getValue());
      Matcher j = JVM.matcher(o.getValue());
      if (!f.find() || !j.find()) {
        continue; // asserted below
      }
      // the figures as the harness printed them (not rounded a second time)
      t.append(String.format(Locale.ROOT,
          "| %s | %s, %s CPU, heap max %s MiB: %s | %s | %s | %s %% | %s %% | %s %% | %s ms"
              + " | %s |%n",
          o.getKey(), j.group(2), j.group(3), j.group(4), j.group(5), f.group(2), f.group(8),
          f.group(3), f.group(4), f.group(5), f.group(6), f.group(7)));
    }
    return t.toString();
  }

  private Path compileFleet() throws IOException, InterruptedException {
    Path source = dir.resolve("idle-fleet.c");
    try (InputStream in = getClass().getResourceAsStream("/overhead/idle-fleet.c")) {
      Files.copy(in, source);
    }
    Path binary = dir.resolve("idle-fleet");
    Process gcc = new ProcessBuilder("gcc", "-O2", "-pthread", "-o", binary.toString(),
        source.toString()).redirectErrorStream(true).start();
    String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(gcc.exitValue()).as(log).isZero();
    return binary;
  }

  private static ProcessBuilder java(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
  }

  private static Process start(List<Process> started, ProcessBuilder pb) throws IOException {
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private static String firstLine(Process p) throws IOException {
    BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    return r.readLine();
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }
}
