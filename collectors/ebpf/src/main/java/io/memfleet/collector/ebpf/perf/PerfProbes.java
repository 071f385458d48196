package io.memfleet.collector.ebpf.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * perf uprobes on libc's allocator, for {@code perf record -e probe_libc:malloc}. There is no
 * upstream {@code mem-alloc} tracepoint: allocations are only visible through uprobes.
 *
 * <pre>{@code
 * String event = PerfProbes.addMallocProbe(perf, libc);   // "probe_libc:malloc", size=%di
 * try { ... record event ... } finally { PerfProbes.delete(perf, event); }
 * }</pre>
 *
 * <p>The size argument is read from the first argument register (x86-64 System V), so the
 * probe does not need libc debug info. Stacks recorded at function entry skip the direct caller
 * when it uses frame pointers (the return address is not yet in a frame).
 */
public final class PerfProbes {
  public static final String MALLOC_EVENT = "probe_libc:malloc";

  private PerfProbes() {}

  /** Adds {@code probe_libc:malloc} with a {@code size} argument; returns the event name. */
  public static String addMallocProbe(Path perf, Path libc) throws IOException,
      InterruptedException {
    delete(perf, MALLOC_EVENT);
    run(List.of(perf.toString(), "probe", "-q", "-x", libc.toString(), "--add",
        "malloc size=%di:u64"));
    return MALLOC_EVENT;
  }

  /** Deletes a probe event; absent probes are fine. */
  public static void delete(Path perf, String event) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(perf.toString(), "probe", "-q", "--del", event)
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): "
          + out);
    }
  }
}
