package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.jfr.JfrSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The launcher carries the commands of memfleet's JFR recording. */
class JfrCommandsTest {
  @TempDir Path dir;

  @Test
  void attachDetachAndJfrFlagsAreMemfleetCommands() {
    CommandLine cli = Memfleet.commandLine();
    assertThat(cli.getSubcommands()).containsKeys("attach", "detach", "jfr-flags", "collect");
    assertThat(cli.getSubcommands().get("collect").getCommandSpec().optionsMap())
        .containsKeys("--jfr", "--jfr-attach", "--jfr-probe", "--jfr-shared-root",
            "--jfr-storm-gcs");
  }

  @Test
  void jfrFlagsWritesTheSettingsAndPrintsTheFlags() throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    int exit;
    try {
      exit = Memfleet.commandLine().execute("jfr-flags", "--repository",
          dir.resolve("jfr").toString(), "--throttle", "50/s");
    } finally {
      System.setOut(out);
    }
    assertThat(exit).isZero();
    Path jfc = dir.resolve("jfr/memfleet.jfc");
    assertThat(printed.toString(StandardCharsets.UTF_8).strip()).isEqualTo(
        "-XX:StartFlightRecording=name=memfleet,settings=" + jfc + ",disk=true,maxsize=32m,"
            + "maxage=15m -XX:StartFlightRecording=name=memfleet-old-object-stacks,settings="
            + dir.resolve("jfr/memfleet-old-object-stacks.jfc") + ",disk=false"
            + " -XX:FlightRecorderOptions=repository=" + dir.resolve("jfr"));
    assertThat(Files.readString(jfc)).contains("<setting name=\"throttle\">50/s</setting>")
        .isNotEqualTo(JfrSettings.defaults().toJfc());
  }
}
