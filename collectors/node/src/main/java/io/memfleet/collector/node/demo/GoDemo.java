package io.memfleet.collector.node.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Builds and runs {@code memfleet-demo}, the leaking Go program shipped with this module
 * ({@code src/main/go/memfleet-demo}, packaged in the jar under {@code memfleet/go/}).
 *
 * <pre>{@code
 * Path binary = GoDemo.build(Path.of("target/go-demo"));      // once per source version
 * try (GoDemo.Running demo = GoDemo.runner(binary).modes("heap-leak").rate(20)
 *     .gctraceLog(dir.resolve("demo.stderr")).start()) {
 *   URI expvar = demo.baseUrl().resolve("/debug/vars");
 * }
 * }</pre>
 *
 * <p>The build needs only Debian's {@code golang-go}: the program uses the standard library
 * only, and GOCACHE/GOPATH live under the work directory with the module proxy off, so it works
 * offline, as root, on a fresh machine. The binary is cached under a hash of the sources, so it
 * is built once per version (a file lock keeps parallel builders from racing).
 */
public final class GoDemo {
  static final String RESOURCE_DIR = "/memfleet/go/memfleet-demo/";
  static final List<String> SOURCES = List.of("go.mod", "main.go");
  private static final Map<Path, Path> BUILT = new ConcurrentHashMap<>();

  private GoDemo() {}

  /** The {@code go} tool from PATH or Debian's default location. */
  public static Optional<Path> findGo() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "go"));
        }
      }
    }
    candidates.add(Path.of("/usr/lib/go/bin/go"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * Builds the demo under {@code workDir} (or returns the binary already built there for the
   * same sources).
   *
   * @throws IOException when Go is missing or the build fails (with the compiler's output)
   */
  public static Path build(Path workDir) throws IOException, InterruptedException {
    Path dir = workDir.toAbsolutePath().normalize();
    Path cached = BUILT.get(dir);
    if (cached != null && Files.isExecutable(cached)) {
      return cached;
    }
    Map<String, byte[]> sources = new java.util.LinkedHashMap<>();
    for (String name : SOURCES) {
      try (InputStream in = GoDemo.class.getResourceAsStream(RESOURCE_DIR + name)) {
        if (in == null) {
          throw new IOException("memfleet-demo source " + name + " is not on the classpath");
        }
        sources.put(name, in.readAllBytes());
      }
    }
    String hash = hash(sources);
    Path binary = dir.resolve("bin-" + hash).resolve("memfleet-demo");
    Files.createDirectories(dir);
    try (FileChannel lockFile = FileChannel.open(dir.resolve(".build.lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = lockFile.lock()) {
      if (!Files.isExecutable(binary)) {
        compile(dir, hash, sources, binary);
      }
    }
    BUILT.put(dir, binary);
    return binary;
  }

  private static void compile(Path dir, String hash, Map<String, byte[]> sources, Path binary)
      throws IOException, InterruptedException {
    Path go = findGo().orElseThrow(() ->
        new IOException("no go tool on PATH (apt-get install golang-go)"));
    Path src = dir.resolve("src-" + hash);
    Files.createDirectories(src);
    for (Map.Entry<String, byte[]> e : sources.entrySet()) {
      Files.write(src.resolve(e.getKey()), e.getValue());
    }
    Path tmp = binary.resolveSibling("memfleet-demo.tmp");
    Files.createDirectories(binary.getParent());
    ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-trimpath", "-o",
        tmp.toString(), ".")
        .directory(src.toFile())
        .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("GOCACHE", dir.resolve("gocache").toString());
    env.put("GOPATH", dir.resolve("gopath").toString());
    env.put("GOPROXY", "off");
    env.put("GOFLAGS", "-mod=mod");
    env.put("GO111MODULE", "on");
    env.put("GOTOOLCHAIN", "local");
    env.put("CGO_ENABLED", "0");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("go build of memfleet-demo failed: " + output.strip());
    }
    Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String hash(Map<String, byte[]> sources) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sources.forEach((name, bytes) -> {
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update(bytes);
      });
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Runner runner(Path binary) {
    return new Runner(binary);
  }

  /** Options of one demo process; see main.go for what each mode does. */
  public static final class Runner {
    private final Path binary;
    private String modes = "healthy";
    private double rate = 10;
    private long chunkBytes = 64 * 1024;
    private Duration forceGc;
    private Path gctraceLog;
    private Path cgroupDir;
    private Duration startTimeout = Duration.ofSeconds(15);

    private Runner(Path binary) {
      this.binary = binary;
    }

    /** Comma-separated: healthy, goroutine-leak, heap-leak, mmap-leak. */
    public Runner modes(String modes) {
      this.modes = modes;
      return this;
    }

    /** Leak operations per second per leak mode. */
    public Runner rate(double rate) {
      this.rate = rate;
      return this;
    }

    public Runner chunkBytes(long chunkBytes) {
      this.chunkBytes = chunkBytes;
      return this;
    }

    /** Calls runtime.GC() this often, for {@code (forced)} gctrace lines. */
    public Runner forceGc(Duration every) {
      this.forceGc = every;
      return this;
    }

    /** Runs with {@code GODEBUG=gctrace=1}, stderr appended to this file. */
    public Runner gctraceLog(Path file) {
      this.gctraceLog = file;
      return this;
    }

    /** Starts the demo inside this cgroup directory (its {@code cgroup.procs} is written). */
    public Runner cgroup(Path dir) {
      this.cgroupDir = dir;
      return this;
    }

    public Running start() throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>();
      if (cgroupDir != null) {
        // join the cgroup first, then become the demo: same pid, no unaccounted allocation
        cmd.addAll(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && shift && exec \"$@\"",
            cgroupDir.resolve("cgroup.procs").toString(), "--"));
      }
      cmd.add(binary.toString());
      cmd.add("-mode=" + modes);
      cmd.add("-rate=" + rate);
      cmd.add("-chunk=" + chunkBytes);
      cmd.add("-listen=127.0.0.1:0");
      if (forceGc != null) {
        cmd.add("-force-gc=" + forceGc.toMillis() + "ms");
      }
      ProcessBuilder pb = new ProcessBuilder(cmd);
      if (gctraceLog != null) {
        pb.environment().put("GODEBUG", "gctrace=1");
        pb.redirectError(ProcessBuilder.Redirect.appendTo(gctraceLog.toFile()));
      } else {
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
      }
      Process process = pb.start();
      try {
        return new Running(process, awaitAddress(process, startTimeout));
      } catch (IOException | InterruptedException | RuntimeException e) {
        process.destroyForcibly();
        throw e;
      }
    }

    private static String awaitAddress(Process process, Duration timeout)
        throws IOException, InterruptedException {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          return null;
        }
      });
      String first;
      try {
        first = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        throw new IOException("memfleet-demo did not report its address within " + timeout);
      }
      String prefix = "memfleet-demo listening on ";
      if (first == null || !first.startsWith(prefix)) {
        throw new IOException("memfleet-demo did not start (exit "
            + (process.isAlive() ? "none" : process.exitValue()) + "): " + first);
      }
      // drain the rest so a full pipe can never block the demo
      Thread drain = new Thread(() -> {
        try {
          while (out.readLine() != null) {
            // discard
          }
        } catch (IOException ignored) {
          // process ended
        }
      }, "memfleet-demo-stdout");
      drain.setDaemon(true);
      drain.start();
      return first.substring(prefix.length()).split(" ")[0];
    }
  }

  /** A running demo; {@link #close()} kills it. */
  public static final class Running implements AutoCloseable {
    private final Process process;
    private final String address;

    Running(Process process, String address) {
      this.process = process;
      this.address = address;
    }

    public int pid() {
      return (int) process.pid();
    }

    /** {@code host:port} it serves expvar and pprof on. */
    public String address() {
      return address;
    }

    public java.net.URI baseUrl() {
      return java.net.URI.create("http://" + address);
    }

    public Process process() {
      return process;
    }

    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
