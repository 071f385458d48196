package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.memfleet.collector.jfr.attach.HotSpotAttach;
import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.FreePorts;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.scenarios.ScenarioBuilds;
import io.memfleet.schema.Topics;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `memfleet up` twice, `status`, `down`, and `up --no-demo` with `watch`, `attach` and `detach`
 * on this host's own processes: the commands a newcomer types, run in-process.
 */
class UpDownIT {
  /** The ClickHouse database the stack of a test migrates and the pipeline writes. */
  private static final String DATABASE = "memfleet";

  @TempDir Path home;
  private String[] stackArgs;
  /** What {@code down} takes to stop what a test started, if it did not get to. */
  private String[] downArgs;

  @AfterEach
  void downAnyway() {
    if (downArgs != null) {
      run(concat("down", downArgs));
    }
  }

  @Test
  void upTwiceIsHarmlessAndDownStopsEverything() {
    Capabilities.require(ClickHouseServer.findBinary().isPresent(), "a ClickHouse server binary");
    stackArgs = new String[] {"--home", home.toString(),
        "--kafka-port", String.valueOf(FreePorts.find()),
        "--kafka-controller-port", String.valueOf(FreePorts.find()),
        "--clickhouse-http-port", String.valueOf(FreePorts.find()),
        "--clickhouse-tcp-port", String.valueOf(FreePorts.find()),
        "--kafka-heap", "384m", "--stack-only"};
    downArgs = java.util.Arrays.copyOf(stackArgs, stackArgs.length - 1);

    // status and down take the stack options but not up's own
    Result first = run(concat("up", stackArgs));
    assertThat(first.exit).as(first.out).isZero();
    assertThat(first.out).contains("started ClickHouse", "started broker at 127.0.0.1:",
        "created " + Topics.all().size() + " of " + Topics.all().size() + " topics",
        "applied V001__", "memfleet is up.");

    Result second = run(concat("up", stackArgs));
    assertThat(second.exit).as(second.out).isZero();
    assertThat(second.out).contains("already running, ClickHouse", "already running, broker",
        "all " + Topics.all().size() + " topics exist", "0 applied");

    String[] common = java.util.Arrays.copyOf(stackArgs, stackArgs.length - 1);
    Result status = run(concat("status", common));
    assertThat(status.exit).as(status.out).isZero();
    assertThat(status.out).contains("Kafka broker       running", "ClickHouse server  running",
        "data               events in the last 5 min 0; late for their aggregate window 0 in the"
            + " last hour, 0 in all (memfleet.late_events); rows ClickHouse refused 0");
    // an event that missed its window, as the pipeline stores one: the status line counts it
    int httpPort = Integer.parseInt(stackArgs[java.util.Arrays.asList(stackArgs)
        .indexOf("--clickhouse-http-port") + 1]);
    try (ClickHouseConnection ch =
        ClickHouseConnection.builder("http://127.0.0.1:" + httpPort).build()) {
      ch.execute("INSERT INTO " + DATABASE + ".late_events (event_time, detected_at, aggregate)"
          + " VALUES (now() - 600, now(), 'process_memory_10s')");
    } catch (ClickHouseException e) {
      throw new AssertionError(e);
    }
    Result withLate = run(concat("status", common));
    assertThat(withLate.out).contains("late for their aggregate window 1 in the last hour, 1 in"
        + " all");

    Result down = run(concat("down", common));
    assertThat(down.out).contains("Kafka broker: stopped", "ClickHouse server: stopped");
    Result after = run(concat("status", common));
    assertThat(after.exit).isEqualTo(3);
    assertThat(after.out).contains("not running");
    downArgs = null;
  }

  /** A JVM of a user's own, started without any memfleet flag. */
  public static final class PlainJvm {
    public static void main(String[] args) throws InterruptedException {
      System.out.println("plain JVM up");
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  /** A user's JVM that keeps allocating (a young collection every second or so), holds 16 MiB. */
  public static final class AllocatingJvm {
    public static void main(String[] args) throws InterruptedException {
      byte[][] held = new byte[16][];
      System.out.println("allocating JVM up");
      for (int i = 0; ; i++) {
        held[i % held.length] = new byte[1 << 20];
        Thread.sleep(25);
      }
    }
  }

  /**
   * {@code up --no-demo} watches every process of this host: a JVM that ran before it gets
   * memfleet's recording without a restart; a JVM, a Go and a C program started after it, all
   * unseen and without any flag, show in {@code memfleet watch} and reach ClickHouse within a
   * minute, the JVM with its JFR events once {@code memfleet attach} ran (the node collector may
   * have attached first: it attaches to every JVM it finds); {@code memfleet detach} stops the
   * recording.
   */
  @Test
  void upWithoutDemosWatchesThisHostsOwnProcesses() throws Exception {
    Capabilities.require(ClickHouseServer.findBinary().isPresent(), "a ClickHouse server binary");
    Capabilities.require(ScenarioBuilds.findTool("go").isPresent(), "Go (golang-go)");
    Capabilities.require(ScenarioBuilds.findTool("gcc").isPresent(), "gcc (gcc, libc6-dev)");
    int kafkaPort = FreePorts.find();
    int clickHousePort = FreePorts.find();
    String[] common = {"--home", home.toString(),
        "--kafka-port", String.valueOf(kafkaPort),
        "--kafka-controller-port", String.valueOf(FreePorts.find()),
        "--clickhouse-http-port", String.valueOf(clickHousePort),
        "--clickhouse-tcp-port", String.valueOf(FreePorts.find()),
        "--database", DATABASE};
    stackArgs = concat("--kafka-heap", concat("384m", concat("--web-ui-port",
        concat(String.valueOf(FreePorts.find()), concat("--no-demo", common)))));
    downArgs = common;
    Path goProgram = UnseenPrograms.buildGo(home.resolve("programs"));
    Path cProgram = UnseenPrograms.buildC(home.resolve("programs"));
    List<Process> started = new ArrayList<>();
    // a JVM that was running before memfleet: it must get memfleet's recording without a restart
    Process plain = start(started, "plain-jvm", javaCommand(PlainJvm.class));
    try {
      Result up = run(concat("up", stackArgs));
      assertThat(up.exit).as(up.out).isZero();
      assertThat(up.out).contains("Flink pipeline", "Collectors on this host", "collect ")
          .doesNotContain("exited at start");
      if (DebianPackages.isRoot()
          && java.nio.file.Files.isExecutable(Path.of("/usr/bin/bpftrace"))) {
        assertThat(up.out).contains("ebpf ").doesNotContain("eBPF collector skipped");
      }
      assertThat(jfrEventOf(plain.pid(), "127.0.0.1:" + kafkaPort, java.time.Duration
          .ofSeconds(120))).as("a JFR event of the JVM that ran before memfleet").isTrue();

      // programs started after memfleet, which it has never seen
      long since = System.nanoTime();
      Process jvm = start(started, "allocating-jvm", javaCommand(AllocatingJvm.class));
      Process go = start(started, "unseen-go", List.of(goProgram.toString()));
      Process c = start(started, "unseen-c", List.of(cProgram.toString()));
      Map<Long, String> runtimes = Map.of(jvm.pid(), "JVM", go.pid(), "GO", c.pid(), "NATIVE");
      awaitLog("allocating-jvm", "allocating JVM up", java.time.Duration.ofSeconds(30));
      String pid = String.valueOf(jvm.pid());
      Result attach = run("attach", pid);
      assertThat(attach.exit).as(attach.out).isZero();
      assertThat(attach.out).containsPattern("(started|was already running).* in pid " + pid);
      assertThat(jfrCheck(jvm.pid())).as("memfleet's recording after memfleet attach")
          .contains("(running)");

      Result watch = run("watch", "--kafka-bootstrap", "127.0.0.1:" + kafkaPort,
          "--duration", "20s", "--refresh", "15s", "--plain",
          "--rows", String.valueOf(WatchTable.MAX_PROCESSES));
      assertThat(watch.exit).as(watch.out).isZero();
      runtimes.forEach((p, runtime) -> assertThat(watch.out.lines()
          .filter(l -> l.startsWith(String.format("%7d  ", p))))
          .as("the row of pid %d in memfleet watch", p).singleElement(as(STRING))
          .contains(" " + runtime + " "));

      List<String> missing = missingRows(clickHousePort, runtimes, jvm.pid(),
          since + java.time.Duration.ofSeconds(60).toNanos());
      System.out.printf("ClickHouse rows of the three after %d s%n",
          (System.nanoTime() - since) / 1_000_000_000L);
      assertThat(missing).as(() -> "ClickHouse rows within a minute of the programs' start; "
          + whatClickHouseHolds(clickHousePort)).isEmpty();

      Result detach = run("detach", pid);
      assertThat(detach.exit).as(detach.out).isZero();
      assertThat(detach.out).contains("stopped memfleet's recording in pid " + pid);
      assertThat(jfrCheck(jvm.pid())).as("memfleet's recording after memfleet detach")
          .doesNotContain("(running)");

      Result down = run(concat("down", common));
      assertThat(down.out).contains("pipeline", "collect", "Kafka broker: stopped");
      downArgs = null;
      // the recording the node collector started in the JVM that ran before memfleet ends too
      assertThat(down.out)
          .containsPattern("JFR recording stopped in .*\\b" + plain.pid() + "\\b");
      assertThat(jfrCheck(plain.pid())).as("memfleet's recording after memfleet down")
          .doesNotContain("(running)");
    } finally {
      // the recording the node collector started in this very JVM too ends with the test
      run("detach", String.valueOf(ProcessHandle.current().pid()));
      for (Process p : started) {
        p.destroyForcibly().waitFor();
      }
    }
  }

  /**
   * Rows per table and source with the age of the newest, and the pipeline log's last warnings:
   * why rows may be missing.
   */
  private String whatClickHouseHolds(int httpPort) {
    StringBuilder s = new StringBuilder("rows, newest seconds ago:");
    try (ClickHouseConnection ch =
        ClickHouseConnection.builder("http://127.0.0.1:" + httpPort).build()) {
      String age = "toInt64(now()) - intDiv(max(utc_ns), 1000000000)";
      s.append(" events_raw by source ").append(ch.queryTsv("SELECT source, count(), " + age
          + " FROM " + DATABASE + ".events_raw GROUP BY source")).append("; gc_pauses ")
          .append(ch.queryTsv("SELECT count(), " + age + " FROM " + DATABASE + ".gc_pauses"))
          .append("; process_memory_10s ").append(ch.queryTsv("SELECT count(),"
              + " toInt64(now()) - toInt64(max(window_end)) FROM " + DATABASE
              + ".process_memory_10s"));
    } catch (io.memfleet.sql.ClickHouseException | RuntimeException e) {
      s.append(" ClickHouse did not answer: ").append(e.getMessage());
    }
    try {
      List<String> warnings = java.nio.file.Files.readAllLines(home.resolve("logs/pipeline.log"))
          .stream().filter(l -> (l.contains(" WARN ") || l.contains(" ERROR "))
              && !l.contains("MetricGroup")).toList();
      s.append("\nlast warnings of the pipeline log:\n").append(String.join("\n",
          warnings.subList(Math.max(0, warnings.size() - 20), warnings.size())));
    } catch (java.io.IOException e) {
      s.append("\nno pipeline log: ").append(e);
    }
    return s.toString();
  }

  private List<String> javaCommand(Class<?> main) {
    return List.of(BackgroundService.javaBinary(), "-Xmx64m", "-cp",
        System.getProperty("java.class.path"), main.getName());
  }

  private Process start(List<Process> started, String name, List<String> command)
      throws java.io.IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(home.resolve(name + ".log").toFile()).start();
    started.add(p);
    return p;
  }

  private void awaitLog(String name, String text, java.time.Duration timeout) throws Exception {
    Path log = home.resolve(name + ".log");
    long end = System.nanoTime() + timeout.toNanos();
    while (!java.nio.file.Files.readString(log).contains(text)) {
      assertThat(System.nanoTime()).as("%s says '%s'", name, text).isLessThan(end);
      Thread.sleep(100);
    }
  }

  /** What the JVM answers {@code jcmd PID JFR.check name=memfleet}. */
  private static String jfrCheck(long pid) throws java.io.IOException {
    return HotSpotAttach.to((int) pid).jcmd("JFR.check name=memfleet");
  }

  /**
   * Waits until ClickHouse holds, for every pid, a {@code process_memory_10s} window with its
   * resident set (the node collector's procfs samples) and the runtime it was recognised as, and
   * for {@code jfrPid} raw events and GC pauses from JFR; returns what is still missing at
   * {@code deadlineNanos}.
   */
  private static List<String> missingRows(int httpPort, Map<Long, String> runtimes, long jfrPid,
      long deadlineNanos) throws Exception {
    String pids = runtimes.keySet().stream().map(String::valueOf)
        .collect(java.util.stream.Collectors.joining(","));
    try (ClickHouseConnection ch =
        ClickHouseConnection.builder("http://127.0.0.1:" + httpPort).build()) {
      while (true) {
        List<String> missing = new ArrayList<>();
        Map<Long, List<String>> windows = new java.util.HashMap<>();
        for (List<String> row : ch.queryTsv("SELECT pid, runtime FROM " + DATABASE
            + ".process_memory_10s WHERE pid IN (" + pids + ") AND rss_last > 0"
            + " GROUP BY pid, runtime")) {
          windows.computeIfAbsent(Long.parseLong(row.get(0)), p -> new ArrayList<>())
              .add(row.get(1));
        }
        runtimes.forEach((pid, runtime) -> {
          if (!windows.getOrDefault(pid, List.of()).contains(runtime)) {
            missing.add("pid " + pid + ": no process_memory_10s window with its RSS as "
                + runtime + " (runtimes seen: " + windows.get(pid) + ")");
          }
        });
        String jfr = " WHERE pid = " + jfrPid + " AND source = 'JFR'";
        if (Long.parseLong(ch.queryValue("SELECT count() FROM " + DATABASE + ".events_raw"
            + jfr)) == 0) {
          missing.add("pid " + jfrPid + ": no events_raw row from JFR");
        }
        if (Long.parseLong(ch.queryValue("SELECT count() FROM " + DATABASE + ".gc_pauses"
            + jfr)) == 0) {
          missing.add("pid " + jfrPid + ": no gc_pauses row from JFR");
        }
        if (missing.isEmpty() || System.nanoTime() > deadlineNanos) {
          return missing;
        }
        Thread.sleep(2_000);
      }
    }
  }

  /** Whether an event from memfleet's JFR recording of {@code pid} reaches Kafka in time. */
  private static boolean jfrEventOf(long pid, String bootstrap, java.time.Duration timeout) {
    var codec = io.memfleet.schema.codec.EventCodec.fromClasspath();
    java.util.Map<String, Object> config = java.util.Map.of("bootstrap.servers", bootstrap,
        "group.id", "up-host-" + System.nanoTime(), "auto.offset.reset", "earliest",
        "enable.auto.commit", "false");
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
        config, new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.EVENTS_JFR));
      long end = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < end) {
        for (var r : consumer.poll(java.time.Duration.ofMillis(500))) {
          var event = codec.decode(r.value());
          var header = (io.memfleet.event.EventHeader) event.get(
              event.getSchema().getField("header").pos());
          if (header.getProcess().getPid() == pid) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Test
  void helpListsTheCommands() {
    Result help = run("--help");
    assertThat(help.exit).isZero();
    assertThat(help.out).contains("up", "down", "status", "migrate", "test");
  }

  private static String[] concat(String command, String[] args) {
    String[] all = new String[args.length + 1];
    all[0] = command;
    System.arraycopy(args, 0, all, 1, args.length);
    return all;
  }

  private record Result(int exit, String out) {}

  private static Result run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream original = System.out;
    PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    int exit;
    try {
      var cli = Memfleet.commandLine();
      cli.setOut(new java.io.PrintWriter(capture, true));
      cli.setErr(new java.io.PrintWriter(capture, true));
      exit = cli.execute(args);
    } finally {
      System.setOut(original);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    original.print(out);
    return new Result(exit, out);
  }

}
