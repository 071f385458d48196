package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

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
 * (the real {@link NodeCollector} at 1 s, counting sink) in one JVM per setting, side by side:
 * the defaults, the defaults with Avro encoding in the sink, smaps_rollup at every scan (the
 * behaviour before {@code --smaps-interval}) and {@code --no-smaps}.
 *
 * <p>Run alone: {@code mvn -pl collectors/node verify -Dit.test=ScanOverheadIT -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false}; the figures go to stdout and
 * {@code target/scan-overhead.txt}. CPU figures are reported, never asserted (the machine is
 * shared); what is asserted is that every fleet process was seen and published.
 */
class ScanOverheadIT {
  static final int FLEET = 200;
  private static final String WARMUP_SCANS = "30";
  private static final String WARMUP = "5s";
  private static final String MEASURE = "30s";
  private static final Pattern RESULT = Pattern.compile(
      "OVERHEAD name=(\\S+) .*tracked=(\\d+) fleet=(-?\\d+)/(-?\\d+) scans=(\\d+) .*"
          + "events_per_scan=(\\d+)");

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
      Map<String, List<String>> settings = new LinkedHashMap<>();
      settings.put("default", List.of("--sink", "count"));
      settings.put("default+encode", List.of("--sink", "encode"));
      settings.put("smaps-every-scan", List.of("--sink", "count", "--", "--smaps-interval",
          "1s", "--smaps-max-cpu", "100"));
      settings.put("no-smaps", List.of("--sink", "count", "--", "--no-smaps"));
      Map<String, Process> harnesses = new LinkedHashMap<>();
      for (Map.Entry<String, List<String>> s : settings.entrySet()) {
        List<String> cmd = new ArrayList<>(List.of("-Xmx256m", OverheadHarness.class.getName(),
            "--name", s.getKey(), "--warmup-scans", WARMUP_SCANS, "--warmup", WARMUP,
            "--measure", MEASURE,
            "--fleet-pid", Long.toString(fleet.pid())));
        cmd.addAll(s.getValue());
        ProcessBuilder pb = java(cmd.toArray(String[]::new));
        pb.redirectOutput(dir.resolve(s.getKey() + ".out").toFile());
        pb.redirectError(dir.resolve(s.getKey() + ".err").toFile());
        harnesses.put(s.getKey(), start(started, pb));
      }
      StringBuilder report = new StringBuilder();
      Map<String, String> outputs = new LinkedHashMap<>();
      for (Map.Entry<String, Process> h : harnesses.entrySet()) {
        boolean exited = h.getValue().waitFor(85, TimeUnit.SECONDS);
        String out = Files.readString(dir.resolve(h.getKey() + ".out"));
        String err = Files.readString(dir.resolve(h.getKey() + ".err"));
        report.append(out);
        outputs.put(h.getKey(), out);
        assertThat(exited).as(h.getKey() + " finished:\n" + out + err).isTrue();
        assertThat(h.getValue().exitValue()).as(h.getKey() + ":\n" + out + err).isZero();
      }
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
    } finally {
      for (Process p : started) {
        p.destroyForcibly();
      }
      for (Process p : started) {
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
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
