package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.FreePorts;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.schema.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `memfleet up` twice, `status`, `down`: the commands a newcomer types, run in-process. */
class UpDownIT {
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
    assertThat(status.out).contains("Kafka broker       running", "ClickHouse server  running");

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

  @Test
  void upWithoutDemosWatchesThisHostsOwnProcesses() throws Exception {
    Capabilities.require(ClickHouseServer.findBinary().isPresent(), "a ClickHouse server binary");
    int kafkaPort = FreePorts.find();
    String[] common = {"--home", home.toString(),
        "--kafka-port", String.valueOf(kafkaPort),
        "--kafka-controller-port", String.valueOf(FreePorts.find()),
        "--clickhouse-http-port", String.valueOf(FreePorts.find()),
        "--clickhouse-tcp-port", String.valueOf(FreePorts.find())};
    stackArgs = concat("--kafka-heap", concat("384m", concat("--web-ui-port",
        concat(String.valueOf(FreePorts.find()), concat("--no-demo", common)))));
    downArgs = common;
    // a JVM that was running before memfleet: it must get memfleet's recording without a restart
    Process plain = new ProcessBuilder(BackgroundService.javaBinary(), "-Xmx64m", "-cp",
        System.getProperty("java.class.path"), PlainJvm.class.getName())
        .redirectErrorStream(true).redirectOutput(home.resolve("plain-jvm.log").toFile()).start();
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

      Result down = run(concat("down", common));
      assertThat(down.out).contains("pipeline", "collect", "Kafka broker: stopped");
      downArgs = null;
    } finally {
      // the recording the node collector started in this very JVM too ends with the test
      run("detach", String.valueOf(ProcessHandle.current().pid()));
      plain.destroyForcibly().waitFor();
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
