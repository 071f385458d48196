package io.memfleet.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Builds a Go or C scenario from the sources shipped in this module's jar into a directory and
 * returns the executable — so the harness can build wherever memfleet runs, from the jar alone.
 *
 * <pre>{@code
 * Path binary = ScenarioBuilds.build(Corpus.byId("c-malloc-leak"), workDir);
 * // binary = workDir/ingest-proxy
 * }</pre>
 *
 * <ul>
 *   <li>Go: {@code go build -trimpath -o DIR/PROGRAM main.go} on the single-file program, outside
 *       any module ({@code GO111MODULE=off}, {@code CGO_ENABLED=0}, no proxy), so it builds
 *       offline with Debian's {@code golang-go}.</li>
 *   <li>C: {@code gcc -O1 -g -fno-omit-frame-pointer -o DIR/PROGRAM PROGRAM.c -static}, and
 *       dynamically linked where no static libc is installed, with {@code scenario.h} (the
 *       options, pacing and signal handling every C program shares) copied beside the source.
 *       Symbols and frame pointers stay so eBPF and perf can name the leaking function (a
 *       static binary defines its own {@code malloc}, which the malloc probes attach to).</li>
 * </ul>
 *
 * <p>Sources are copied to {@code DIR/src/}; the binary is written under a temporary name and
 * moved into place, so concurrent builds of different scenarios into one directory are safe.
 * A JVM scenario needs no build: it runs from this module's jar.
 */
public final class ScenarioBuilds {
  /** Class-path folder of the Go programs, one sub-folder each holding {@code main.go}. */
  public static final String GO_SOURCES = "io/memfleet/scenarios/go/";
  /** Class-path folder of the C programs, {@code <program>.c}, and their shared header. */
  public static final String C_SOURCES = "io/memfleet/scenarios/c/";
  /** The header every C program includes: options, sizes, pacing, SIGTERM. */
  public static final String C_SHARED_HEADER = C_SOURCES + "scenario.h";
  /** Class-path folder of the JVM programs' Java sources (for reading; they are compiled). */
  public static final String JAVA_SOURCES = "io/memfleet/scenarios/java/";

  private static final long GO_TIMEOUT_MINUTES = 5;
  private static final long GCC_TIMEOUT_MINUTES = 2;

  private ScenarioBuilds() {}

  /**
   * Builds {@code scenario} into {@code dir} (created if missing).
   *
   * @return the executable, {@code dir/<program>}
   * @throws IllegalArgumentException for a JVM scenario
   * @throws IOException when the tool is missing or the build fails, with the compiler's output
   */
  public static Path build(Scenario scenario, Path dir) throws IOException, InterruptedException {
    Path out = dir.toAbsolutePath().normalize();
    Files.createDirectories(out);
    return switch (scenario.runtime()) {
      case GO -> buildGo(scenario, out);
      case NATIVE -> buildC(scenario, out);
      case JVM -> throw new IllegalArgumentException(scenario.id() + " is a JVM scenario: run "
          + scenario.program() + " from the memfleet-scenarios jar, there is nothing to build");
    };
  }

  /**
   * The class-path resource holding the scenario's source: {@code .../go/<program>/main.go},
   * {@code .../c/<program>.c} or, for a JVM scenario, {@code .../java/<SimpleName>.java}.
   */
  public static String sourceResource(Scenario scenario) {
    String program = scenario.program();
    return switch (scenario.runtime()) {
      case GO -> GO_SOURCES + program + "/main.go";
      case NATIVE -> C_SOURCES + program + ".c";
      case JVM -> JAVA_SOURCES + program.substring(program.lastIndexOf('.') + 1) + ".java";
    };
  }

  /** The executable {@code name} from PATH (or Debian's Go location for {@code go}). */
  public static Optional<Path> findTool(String name) {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(":")) {
        if (!d.isEmpty()) {
          candidates.add(Path.of(d, name));
        }
      }
    }
    if (name.equals("go")) {
      candidates.add(Path.of("/usr/lib/go/bin/go"));
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  private static Path buildGo(Scenario scenario, Path dir)
      throws IOException, InterruptedException {
    Path go = findTool("go").orElseThrow(() ->
        new IOException("cannot build " + scenario.id() + ": no go tool on PATH"
            + " (apt-get install golang-go)"));
    Path src = dir.resolve("src").resolve("go").resolve(scenario.program());
    Files.createDirectories(src);
    copy(scenario, src.resolve("main.go"));
    Path tmp = Files.createTempFile(dir, "." + scenario.program(), ".tmp");
    ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-trimpath", "-o",
        tmp.toString(), "main.go").directory(src.toFile());
    Map<String, String> env = pb.environment();
    // one file outside any module: GOPATH mode, no module flags, no network, no cgo
    env.put("GO111MODULE", "off");
    env.remove("GOFLAGS");
    env.put("GOPROXY", "off");
    env.put("GOTOOLCHAIN", "local");
    env.put("CGO_ENABLED", "0");
    if (!env.containsKey("GOCACHE") && !writableHome(env)) {
      env.put("GOCACHE", dir.resolve(".cache").resolve("go-build").toString());
    }
    if (!env.containsKey("GOPATH") && !writableHome(env)) {
      env.put("GOPATH", dir.resolve(".gopath").toString());
    }
    Result r = run(pb, dir, GO_TIMEOUT_MINUTES);
    if (!r.ok()) {
      Files.deleteIfExists(tmp);
      throw new IOException("go build of " + scenario.id() + " (" + src.resolve("main.go")
          + ") failed: " + r.output());
    }
    return place(tmp, dir.resolve(scenario.program()));
  }

  private static Path buildC(Scenario scenario, Path dir)
      throws IOException, InterruptedException {
    Path gcc = findTool("gcc").orElseThrow(() ->
        new IOException("cannot build " + scenario.id() + ": no gcc on PATH"
            + " (apt-get install gcc libc6-dev)"));
    Path src = dir.resolve("src").resolve("c");
    Files.createDirectories(src);
    Path file = src.resolve(scenario.program() + ".c");
    copy(scenario, file);
    copyShared(C_SHARED_HEADER, src.resolve("scenario.h"));
    Path tmp = Files.createTempFile(dir, "." + scenario.program(), ".tmp");
    List<String> cmd = new ArrayList<>(List.of(gcc.toString(), "-O1", "-g",
        "-fno-omit-frame-pointer", "-o", tmp.toString(), file.toString()));
    List<String> staticCmd = new ArrayList<>(cmd);
    staticCmd.add("-static");
    Result linkedStatic = run(new ProcessBuilder(staticCmd), dir, GCC_TIMEOUT_MINUTES);
    if (!linkedStatic.ok()) {
      Result dynamic = run(new ProcessBuilder(cmd), dir, GCC_TIMEOUT_MINUTES);
      if (!dynamic.ok()) {
        Files.deleteIfExists(tmp);
        throw new IOException("gcc of " + scenario.id() + " (" + file + ") failed: "
            + dynamic.output() + "\n(static link: " + linkedStatic.output() + ")");
      }
    }
    return place(tmp, dir.resolve(scenario.program()));
  }

  private static void copy(Scenario scenario, Path target) throws IOException {
    String resource = sourceResource(scenario);
    try (InputStream in = ScenarioBuilds.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("source of " + scenario.id() + " is not on the class path: "
            + resource);
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Copies a file every program of a runtime shares. Written under a temporary name and moved
   * into place, since another build into the same directory may be compiling against it.
   */
  private static void copyShared(String resource, Path target) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try (InputStream in = ScenarioBuilds.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("shared source is not on the class path: " + resource);
      }
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Path place(Path tmp, Path binary) throws IOException {
    if (!tmp.toFile().setExecutable(true, false)) {
      throw new IOException("cannot make " + tmp + " executable");
    }
    Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return binary;
  }

  private static boolean writableHome(Map<String, String> env) {
    String home = env.get("HOME");
    return home != null && !home.isBlank() && Files.isWritable(Path.of(home));
  }

  private record Result(boolean ok, String output) {}

  private static Result run(ProcessBuilder pb, Path dir, long timeoutMinutes)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(dir, ".build", ".log");
    try {
      pb.redirectErrorStream(true).redirectOutput(log.toFile());
      Process p = pb.start();
      if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        return new Result(false, String.join(" ", pb.command()) + " did not finish within "
            + timeoutMinutes + " min");
      }
      String output = Files.readString(log, StandardCharsets.UTF_8).strip();
      return new Result(p.exitValue() == 0, output.isEmpty()
          ? "(no output, exit " + p.exitValue() + ")" : output);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
