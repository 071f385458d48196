package io.memfleet.collector.jfr.repository;

import io.memfleet.collector.jfr.MemfleetRecording;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a JVM was started with memfleet's recording, and where its JFR repository is, from its
 * flags: the command line ({@code /proc/PID/cmdline}) and the option variables of its environment
 * ({@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}, {@code _JAVA_OPTIONS}), read from outside
 * the JVM.
 *
 * <pre>{@code
 * Optional<RecordingFlags> f = RecordingFlags.parse(cmdline, environment);
 * f.get().repositoryBase();   // "/var/lib/memfleet/jfr", as the JVM sees it
 * }</pre>
 *
 * <p>memfleet's recording is an {@code -XX:StartFlightRecording} (after {@code =} or {@code :})
 * whose options include {@code name=memfleet}. The repository base is the last
 * {@code repository=} of {@code -XX:FlightRecorderOptions}, else {@code -Djava.io.tmpdir}, else
 * {@code /tmp} (JFR's default). Options are split on whitespace, as the JVM splits these
 * variables (quoted values are not supported here).
 */
public record RecordingFlags(String repositoryBase) {
  /** Environment variables the JVM (or its launcher) reads options from, in the JVM's order. */
  static final List<String> OPTION_VARIABLES =
      List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
  /** Launcher options whose value is the next argument. */
  private static final Set<String> TAKES_VALUE = Set.of("-cp", "-classpath", "--class-path",
      "-p", "--module-path", "--upgrade-module-path", "--add-modules", "--limit-modules",
      "--add-reads", "--add-exports", "--add-opens", "--patch-module", "--enable-native-access");

  /**
   * @param cmdline the JVM's arguments, {@code argv[0]} first
   * @param environment its environment (only {@link #OPTION_VARIABLES} are looked at)
   * @return the flags when they start memfleet's recording
   */
  public static Optional<RecordingFlags> parse(List<String> cmdline,
      Map<String, String> environment) {
    // JAVA_TOOL_OPTIONS come before the command line's options, _JAVA_OPTIONS after them
    List<String> args = new ArrayList<>(words(environment.get("JAVA_TOOL_OPTIONS")));
    args.addAll(words(environment.get("JDK_JAVA_OPTIONS")));
    args.addAll(jvmOptions(cmdline));
    args.addAll(words(environment.get("_JAVA_OPTIONS")));
    boolean memfleet = false;
    String repository = null;
    String tmpdir = null;
    for (String a : args) {
      String start = options(a, "-XX:StartFlightRecording");
      if (start != null && option(start, "name").filter(MemfleetRecording.NAME::equals)
          .isPresent()) {
        memfleet = true;
      }
      String recorder = options(a, "-XX:FlightRecorderOptions");
      if (recorder != null) {
        repository = option(recorder, "repository").orElse(repository);
      }
      if (a.startsWith("-Djava.io.tmpdir=")) {
        tmpdir = a.substring("-Djava.io.tmpdir=".length());
      }
    }
    if (!memfleet) {
      return Optional.empty();
    }
    return Optional.of(new RecordingFlags(repository != null ? repository
        : tmpdir != null ? tmpdir : "/tmp"));
  }

  /** The command line's JVM options: up to the main class, jar or module. */
  private static List<String> jvmOptions(List<String> cmdline) {
    List<String> options = new ArrayList<>();
    for (int i = 1; i < cmdline.size(); i++) {
      String a = cmdline.get(i);
      if (TAKES_VALUE.contains(a)) {
        i++; // -cp PATH: the value is not the main class
        continue;
      }
      if (!a.startsWith("-") || a.equals("-jar") || a.equals("-m") || a.equals("--module")) {
        break; // what follows belongs to the application
      }
      options.add(a);
    }
    return options;
  }

  /** The options of {@code -XX:Flag=opts} or {@code -XX:Flag:opts}; "" for a bare flag. */
  private static String options(String arg, String flag) {
    if (!arg.startsWith(flag)) {
      return null;
    }
    String rest = arg.substring(flag.length());
    if (rest.isEmpty()) {
      return "";
    }
    return rest.charAt(0) == '=' || rest.charAt(0) == ':' ? rest.substring(1) : null;
  }

  private static Optional<String> option(String options, String key) {
    String found = null;
    for (String kv : options.split(",")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(0, eq).strip().equals(key)) {
        found = kv.substring(eq + 1).strip();
      }
    }
    return Optional.ofNullable(found);
  }

  private static List<String> words(String value) {
    return value == null || value.isBlank() ? List.of() : List.of(value.strip().split("\\s+"));
  }
}
