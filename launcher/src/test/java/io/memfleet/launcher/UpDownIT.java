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

  @AfterEach
  void downAnyway() {
    if (stackArgs != null) {
      run(concat("down", java.util.Arrays.copyOf(stackArgs, stackArgs.length - 1)));
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
        "--kafka-heap", "384m", "--no-demo"};

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
    stackArgs = null;
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
