package io.memfleet.demo.jvm;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measures the JFR agent's overhead: runs {@link SawtoothApp} for N seconds with and without the
 * agent, alternating, same JVM flags, and prints the median throughput of each and their ratio.
 *
 * <pre>
 * java -cp target/memfleet-collector-jfr-0.1.0-SNAPSHOT-demo.jar \
 *      io.memfleet.demo.jvm.OverheadHarness \
 *      target/memfleet-collector-jfr-0.1.0-SNAPSHOT-agent.jar bootstrap=127.0.0.1:19092 3 10
 * </pre>
 *
 * <p>Arguments: agent jar, agent options, runs per variant (default 3), seconds per run (10),
 * maximum heap of the app (default 256m; the GC rate, and with it the JFR GC event rate, falls as
 * the heap grows).
 * The demo apps run from the jar (or directory) this class was loaded from, which must hold only
 * the demo classes (the {@code -demo.jar}), so that the agent's own copy of memfleet is the one
 * the child JVM loads.
 */
public final class OverheadHarness {
  private static String heap = "256m";

  private OverheadHarness() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: OverheadHarness AGENT_JAR AGENT_OPTIONS [RUNS] [SECONDS] [XMX]");
      System.exit(2);
    }
    String agent = "-javaagent:" + args[0] + "=" + args[1];
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    heap = args.length > 4 ? args[4] : "256m";
    List<Double> without = new ArrayList<>();
    List<Double> with = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      without.add(run(null, seconds));
      with.add(run(agent, seconds));
      System.out.printf("run %d: without %.0f ops/s, with %.0f ops/s%n", i + 1,
          without.get(i), with.get(i));
    }
    double a = median(without);
    double b = median(with);
    System.out.printf("median without agent: %.0f ops/s%n", a);
    System.out.printf("median with agent:    %.0f ops/s%n", b);
    System.out.printf("ratio with/without:   %.3f (overhead %.1f%%)%n", b / a, (1 - b / a) * 100);
  }

  private static double run(String agent, int seconds) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-XX:+UseG1GC");
    if (agent != null) {
      cmd.add(agent);
    }
    cmd.add("-cp");
    cmd.add(classesOf(SawtoothApp.class));
    cmd.add(SawtoothApp.class.getName());
    cmd.add("--duration-s");
    cmd.add(String.valueOf(seconds));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    double result = Double.NaN;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("THROUGHPUT ops_per_s=")) {
          result = Double.parseDouble(line.split("[= ]")[2]);
        }
      }
    } finally {
      p.destroyForcibly();
    }
    p.waitFor();
    return result;
  }

  static String classesOf(Class<?> c) throws Exception {
    return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
