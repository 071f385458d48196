package io.memfleet.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few cheap programs, run for seconds: the start line the harness reads, the designed leak
 * rate, the pprof/expvar endpoint, a clean exit on SIGTERM and strict option checking.
 */
class ScenarioProgramsTest {
  private static final Pattern START = Pattern.compile("(\\S+) pid=(\\d+)(?: listen=(\\S+))?: .+");

  @TempDir
  static Path dir;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void cMallocLeakGrowsAtItsDesignedRateAndStopsOnSigterm() throws Exception {
    Scenario s = Corpus.byId("c-malloc-leak");
    Toolchain.require(s.runtime());
    Process p = start(command(ScenarioBuilds.build(s, dir), s));
    Matcher m = startLine(p, "ingest-proxy");
    assertThat(Long.parseLong(m.group(2))).isEqualTo(p.pid());
    Thread.sleep(500);
    long before = rssBytes(p);
    Thread.sleep(4000);
    double mibPerSecond = (rssBytes(p) - before) / 4.0 / (1 << 20);
    assertThat(mibPerSecond).as("RSS growth, MiB/s").isBetween(0.7, 1.4);
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void goProgramPrintsItsAddressAndServesExpvar() throws Exception {
    Scenario s = Corpus.byId("go-heap-leak");
    Toolchain.require(s.runtime());
    List<String> cmd = command(ScenarioBuilds.build(s, dir), s);
    cmd.add("-listen");
    cmd.add("127.0.0.1:0");
    Process p = start(cmd);
    Matcher m = startLine(p, "session-cache");
    assertThat(m.group(3)).matches("127\\.0\\.0\\.1:\\d+");
    HttpResponse<String> vars = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://" + m.group(3) + "/debug/vars")).timeout(Duration.ofSeconds(5))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(vars.body()).contains("\"memstats\"", "\"session_cache_bytes\"");
    p.destroy();
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void cLateMallocLeakIsFlatUntilItsLeakStarts() throws Exception {
    Scenario s = Corpus.byId("c-late-malloc-leak");
    Toolchain.require(s.runtime());
    List<String> cmd = command(ScenarioBuilds.build(s, dir), s);
    cmd.set(cmd.indexOf("--leak-after") + 1, "3s"); // the label's 180s, shortened for a test
    Process p = start(cmd);
    startLine(p, "ingest-proxy");
    Thread.sleep(500);
    long before = rssBytes(p);
    Thread.sleep(2000);
    double flatMib = (rssBytes(p) - before) / (double) (1 << 20);
    assertThat(flatMib).as("RSS growth before the leak starts, MiB in 2 s").isLessThan(0.3);
    Thread.sleep(1000);
    before = rssBytes(p);
    Thread.sleep(3000);
    double mibPerSecond = (rssBytes(p) - before) / 3.0 / (1 << 20);
    assertThat(mibPerSecond).as("RSS growth once leaking, MiB/s").isBetween(0.7, 1.4);
    p.destroy();
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void lateGoLeakTakesItsLabelsArgs() throws Exception {
    Scenario s = Corpus.byId("go-late-heap-leak");
    Toolchain.require(s.runtime());
    Process p = start(command(ScenarioBuilds.build(s, dir), s));
    startLine(p, "session-cache");
    p.destroy();
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void jvmProgramsStartAndStopOnSigterm() throws Exception {
    for (String id : List.of("jvm-g1-heap-leak", "jvm-late-heap-leak")) {
      Scenario s = Corpus.byId(id);
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.addAll(s.jvmOptions());
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), s.program()));
      cmd.addAll(s.args());
      Process p = start(cmd);
      startLine(p, "session-service");
      p.destroy();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).as(id).isTrue();
      assertThat(p.exitValue()).as(id + ": JVM exit status on SIGTERM").isEqualTo(143);
    }
  }

  @Test
  void unknownOptionsFailFast() throws Exception {
    Scenario s = Corpus.byId("c-healthy-daemon");
    Toolchain.require(s.runtime());
    Process c = start(List.of(ScenarioBuilds.build(s, dir).toString(), "--series", "10",
        "--seriez", "5"));
    assertThat(c.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(c.exitValue()).isEqualTo(2);
    assertThat(new String(c.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("unknown option --seriez");

    Process jvm = start(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), "io.memfleet.scenarios.jvm.SessionService",
        "--leak-rat", "1MiB"));
    assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(jvm.exitValue()).isEqualTo(2);
    assertThat(new String(jvm.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .contains("unknown option --leak-rat");
  }

  private static List<String> command(Path binary, Scenario s) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(s.args());
    return cmd;
  }

  private Process start(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).start();
    started.add(p);
    return p;
  }

  private static Matcher startLine(Process p, String name) throws IOException {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("start line").isNotNull();
    Matcher m = START.matcher(line);
    assertThat(m.matches()).as("start line: " + line).isTrue();
    assertThat(m.group(1)).isEqualTo(name);
    return m;
  }

  private static long rssBytes(Process p) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS for " + p.pid());
  }
}
