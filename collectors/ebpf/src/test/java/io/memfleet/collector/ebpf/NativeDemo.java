package io.memfleet.collector.ebpf;

import io.memfleet.localstack.testing.Capabilities;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bundled C demos (leaky.c, control.c), compiled with gcc into target/demo by the test and
 * run as child processes that are always killed on close.
 *
 * <pre>{@code
 * try (NativeDemo leaky = NativeDemo.start("leaky", "200", "4096", "0", "0")) { leaky.pid(); }
 * }</pre>
 */
public final class NativeDemo implements AutoCloseable {
  private static final Path DIR = Path.of("target", "demo");

  private final Process process;
  private final int pid;

  private NativeDemo(Process process, int pid) {
    this.process = process;
    this.pid = pid;
  }

  /** Compiles (once per build) and returns the demo binary. */
  public static Path binary(String name) throws IOException, InterruptedException {
    return binary(name, false);
  }

  /**
   * Compiles (once per build) and returns the demo binary, statically linked when asked: then its
   * malloc is in the executable, not in a shared libc.
   */
  public static synchronized Path binary(String name, boolean staticLink) throws IOException,
      InterruptedException {
    Capabilities.require(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc (apt-get install gcc)");
    Path out = DIR.resolve(staticLink ? name + "-static" : name).toAbsolutePath();
    if (Files.isExecutable(out)) {
      return out;
    }
    Files.createDirectories(DIR);
    Path source = DIR.resolve(name + ".c");
    try (InputStream in = NativeDemo.class.getResourceAsStream(
        "/io/memfleet/collector/ebpf/demo/" + name + ".c")) {
      Files.write(source, in.readAllBytes());
    }
    // frame pointers and no optimisation: bpftrace and perf unwind the demo's own frames
    List<String> command = new ArrayList<>(List.of("gcc", "-g", "-O0", "-fno-omit-frame-pointer",
        "-Wall", "-o", out.toString(), source.toString()));
    if (staticLink) {
      command.add("-static");
    }
    Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
    String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
      gcc.destroyForcibly();
      throw new IOException("gcc failed for " + name + ": " + log);
    }
    return out;
  }

  /** Starts a demo: {@code [rate, block-bytes, seconds, mmap-every]}. */
  public static NativeDemo start(String name, String... args) throws IOException,
      InterruptedException {
    return startWrapped(List.of(), name, args);
  }

  /** Starts the statically linked build of a demo. */
  public static NativeDemo startStatic(String name, String... args) throws IOException,
      InterruptedException {
    return launch(List.of(binary(name, true).toString()), name, args);
  }

  /** Starts a demo behind a prefix command (e.g. a shell that joins a cgroup and execs). */
  public static NativeDemo startWrapped(List<String> prefix, String name, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(prefix);
    command.add(binary(name).toString());
    return launch(command, name, args);
  }

  /**
   * Compiles (once per build) a C program of the test resources ({@code resource} is its path,
   * e.g. {@code /io/memfleet/collector/ebpf/hostwide/request_leak.c}) with {@code gccFlags},
   * dynamically linked, into target/demo.
   */
  public static synchronized Path compile(String resource, List<String> gccFlags)
      throws IOException, InterruptedException {
    Capabilities.require(Files.isExecutable(Path.of("/usr/bin/gcc")), "gcc (apt-get install gcc)");
    String file = resource.substring(resource.lastIndexOf('/') + 1);
    String name = file.substring(0, file.length() - 2);
    Path out = DIR.resolve(name).toAbsolutePath();
    if (Files.isExecutable(out)) {
      return out;
    }
    Files.createDirectories(DIR);
    Path source = DIR.resolve(file);
    try (InputStream in = NativeDemo.class.getResourceAsStream(resource)) {
      Files.write(source, in.readAllBytes());
    }
    List<String> command = new ArrayList<>(List.of("gcc"));
    command.addAll(gccFlags);
    command.addAll(List.of("-Wall", "-o", out.toString(), source.toString()));
    Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
    String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
      gcc.destroyForcibly();
      throw new IOException("gcc failed for " + name + ": " + log);
    }
    return out;
  }

  /**
   * Starts a compiled program that prints {@code ready pid=N} first, with {@code env} added to
   * its environment, behind {@code prefix} (may be empty).
   */
  public static NativeDemo startProgram(List<String> prefix, Path binary,
      Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(binary.toString());
    return launch(command, env, binary.getFileName().toString(), args);
  }

  private static NativeDemo launch(List<String> binaryCommand, String name, String... args)
      throws IOException {
    return launch(binaryCommand, Map.of(), name, args);
  }

  private static NativeDemo launch(List<String> binaryCommand, Map<String, String> env,
      String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(binaryCommand);
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      if (ready == null || !ready.startsWith("ready pid=")) {
        throw new IOException(name + " did not start: " + ready);
      }
      Thread drain = new Thread(() -> {
        try {
          out.transferTo(java.io.Writer.nullWriter());
        } catch (IOException e) {
          // process gone
        }
      }, name + "-stdout");
      drain.setDaemon(true);
      drain.start();
      return new NativeDemo(p, Integer.parseInt(ready.substring("ready pid=".length()).trim()));
    } catch (IOException | RuntimeException e) {
      p.destroyForcibly();
      throw e;
    }
  }

  public int pid() {
    return pid;
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
