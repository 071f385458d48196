package io.memfleet.collector.jfr.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordingFlagsTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden/procfs");

  @Test
  void capturedJvmWithMemfleetsFlagsInCommandLineAndJavaToolOptions() throws Exception {
    List<String> cmdline = nulSeparated(GOLDEN.resolve("jvm-flags.cmdline"));
    Map<String, String> env = new HashMap<>();
    for (String kv : nulSeparated(GOLDEN.resolve("jvm-flags.environ"))) {
      env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    assertThat(RecordingFlags.parse(cmdline, env))
        .contains(new RecordingFlags("/tmp/memfleet-golden/tool"));
    // without JAVA_TOOL_OPTIONS the repository is JFR's default, java.io.tmpdir
    assertThat(RecordingFlags.parse(cmdline, Map.of())).contains(new RecordingFlags("/tmp"));
  }

  @Test
  void repositoryComesFromTheLastFlagThenTmpdir() {
    assertThat(parse("java -XX:StartFlightRecording:name=memfleet -XX:FlightRecorderOptions:"
        + "stackdepth=96,repository=/a -Djava.io.tmpdir=/t -jar app.jar")).isEqualTo("/a");
    assertThat(parse("java -Djava.io.tmpdir=/scratch -XX:StartFlightRecording=name=memfleet,"
        + "settings=/m.jfc Main")).isEqualTo("/scratch");
    assertThat(RecordingFlags.parse(List.of("java", "-cp", "a.jar", "Main"),
        Map.of("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=name=memfleet",
            "_JAVA_OPTIONS", "-XX:FlightRecorderOptions=repository=/late")))
        .contains(new RecordingFlags("/late"));
  }

  @Test
  void otherRecordingsAndApplicationArgumentsDoNotCount() {
    assertThat(RecordingFlags.parse(words("java -XX:StartFlightRecording=name=profile Main"),
        Map.of())).isEmpty();
    assertThat(RecordingFlags.parse(words("java -XX:StartFlightRecording Main"), Map.of()))
        .isEmpty();
    // the old-object stacks' recording alone is not memfleet's; beside it, memfleet's counts
    assertThat(RecordingFlags.parse(words("java -XX:StartFlightRecording=name=memfleet-old-"
        + "object-stacks,settings=/s.jfc,disk=false Main"), Map.of())).isEmpty();
    assertThat(RecordingFlags.parse(words("java -XX:StartFlightRecording=name=memfleet,"
        + "settings=/m.jfc -XX:StartFlightRecording=name=memfleet-old-object-stacks,"
        + "settings=/s.jfc,disk=false -XX:FlightRecorderOptions=repository=/r Main"), Map.of()))
        .contains(new RecordingFlags("/r"));
    assertThat(RecordingFlags.parse(words("java -cp a.jar Main "
        + "-XX:StartFlightRecording=name=memfleet"), Map.of())).isEmpty();
    // the class path's value is not the main class
    assertThat(parse("java -cp lib/* -XX:StartFlightRecording=name=memfleet Main"))
        .isEqualTo("/tmp");
    assertThat(RecordingFlags.parse(words("java -jar app.jar "
        + "-XX:StartFlightRecording=name=memfleet"), Map.of())).isEmpty();
  }

  private static String parse(String cmdline) {
    return RecordingFlags.parse(words(cmdline), Map.of()).orElseThrow().repositoryBase();
  }

  private static List<String> words(String s) {
    return Arrays.asList(s.split(" "));
  }

  static List<String> nulSeparated(Path file) throws Exception {
    String raw = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    return Arrays.stream(raw.split("\0")).filter(s -> !s.isEmpty()).toList();
  }
}
