package io.memfleet.collector.ebpf.overhead;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of the malloc-heavy C benchmark ({@code bench/malloc_bench.c}, compiled with gcc
 * {@code -O2 -fno-omit-frame-pointer} on first use): started, held at its start line until
 * {@link #go()} so a tracer can attach first, then read back as one {@link Result} per
 * workload. Always killed on close.
 *
 * <pre>{@code
 * try (MallocBench bench = MallocBench.start(binary, 2, List.of("documents", "churn"))) {
 *   attachTracer(bench.pid());
 *   bench.go();
 *   Map<String, MallocBench.Result> results = bench.awaitResults(Duration.ofSeconds(60));
 * }
 * }</pre>
 */
public final class MallocBench implements AutoCloseable {
  /** The workloads the benchmark knows (see the C source). */
  public static final List<String> WORKLOADS = List.of("documents", "churn", "pages");

  /**
   * What one workload did: operations, allocator calls, wall time, operations per second, and the
   * benchmark's own CPU time (user + system) in it.
   */
  public record Result(String workload, long ops, long mallocs, double seconds, double rate,
      double cpuSeconds) {
    /** Operations per CPU second of the benchmark: what tracing costs the process itself. */
    public double cpuRate() {
      return cpuSeconds > 0 ? ops / cpuSeconds : Double.NaN;
    }
  }

  private final Process process;
  private final BufferedReader out;
  private final int pid;
  private final int workloads;

  private MallocBench(Process process, BufferedReader out, int pid, int workloads) {
    this.process = process;
    this.out = out;
    this.pid = pid;
    this.workloads = workloads;
  }

  /** Compiles the benchmark into {@code dir} unless it is there already; returns the binary. */
  public static synchronized Path compile(Path dir) throws IOException, InterruptedException {
    Path binary = dir.resolve("malloc_bench").toAbsolutePath();
    Path source = dir.resolve("malloc_bench.c");
    byte[] text;
    try (InputStream in = MallocBench.class.getResourceAsStream(
        "/io/memfleet/collector/ebpf/bench/malloc_bench.c")) {
      text = in.readAllBytes();
    }
    if (Files.isExecutable(binary) && Files.exists(source)
        && java.util.Arrays.equals(Files.readAllBytes(source), text)) {
      return binary; // built from this very source
    }
    Files.createDirectories(dir);
    Files.write(source, text);
    // optimised like production code, but with frame pointers so stacks reach the callers
    Process gcc = new ProcessBuilder("gcc", "-O2", "-g", "-fno-omit-frame-pointer", "-Wall",
        "-o", binary.toString(), source.toString()).redirectErrorStream(true).start();
    String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
      gcc.destroyForcibly();
      throw new IOException("gcc failed for malloc_bench: " + log);
    }
    return binary;
  }

  /** Starts the benchmark; it waits for {@link #go()} before running anything. */
  public static MallocBench start(Path binary, double seconds, List<String> workloads)
      throws IOException {
    List<String> command = List.of(binary.toString(), Double.toString(seconds),
        String.join(",", workloads));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String ready = out.readLine();
      if (ready == null || !ready.startsWith("ready pid=")) {
        throw new IOException("malloc_bench did not start: " + ready);
      }
      return new MallocBench(p, out, Integer.parseInt(ready.substring(10).trim()),
          workloads.size());
    } catch (IOException | RuntimeException e) {
      p.destroyForcibly();
      throw e;
    }
  }

  public int pid() {
    return pid;
  }

  /** Releases the benchmark: it runs its workloads one after the other. */
  public void go() throws IOException {
    OutputStream in = process.getOutputStream();
    in.write("go\n".getBytes(StandardCharsets.US_ASCII));
    in.flush();
  }

  /**
   * Reads one result line per workload; throws when the benchmark exits early or prints
   * something else. (The timeout is enforced by {@link #close()} from the caller's side.)
   */
  public Map<String, Result> awaitResults() throws IOException {
    Map<String, Result> results = new LinkedHashMap<>();
    List<String> other = new ArrayList<>();
    while (results.size() < workloads) {
      String line = out.readLine();
      if (line == null) {
        throw new IOException("malloc_bench ended after " + results.size() + " results; other "
            + "output: " + other);
      }
      if (!line.startsWith("result ")) {
        other.add(line);
        continue;
      }
      Map<String, String> f = new LinkedHashMap<>();
      for (String part : line.substring(7).split(" ")) {
        int eq = part.indexOf('=');
        f.put(part.substring(0, eq), part.substring(eq + 1));
      }
      Result r = new Result(f.get("workload"), Long.parseLong(f.get("ops")),
          Long.parseLong(f.get("mallocs")), Double.parseDouble(f.get("seconds")),
          Double.parseDouble(f.get("rate")), Double.parseDouble(f.getOrDefault("cpu", "NaN")));
      results.put(r.workload(), r);
    }
    return results;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
