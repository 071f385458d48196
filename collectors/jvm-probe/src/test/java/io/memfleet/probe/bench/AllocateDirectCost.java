package io.memfleet.probe.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the probe adds to {@code ByteBuffer.allocateDirect(64 KiB)} + release: child JVMs without
 * and with the probe (default options), alternating, several rounds; prints the medians and their
 * ratio. A manual run, not part of the test suite (see the module README):
 *
 * <pre>{@code
 * flock /tmp/memfleet-eval.lock java -cp target/test-classes \
 *     io.memfleet.probe.bench.AllocateDirectCost \
 *     target/memfleet-collector-jvm-probe-<version>.jar \
 *     [agent options, e.g. sampleBytes=1048576]
 * }</pre>
 *
 * <p>Each op allocates a buffer, touches it and frees its memory at once
 * ({@code Unsafe.invokeCleaner}), so the loop measures allocation, not the collector.
 */
public final class AllocateDirectCost {
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final int ROUNDS = 5;
  private static final int WARMUP_OPS = 100_000;
  private static final int MEASURED_OPS = 200_000;
  private static final int BATCHES = 3;

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--measure")) {
      measure();
      return;
    }
    String jar = Path.of(args[0]).toAbsolutePath().toString();
    String agent = "-javaagent:" + jar + (args.length > 1 ? "=" + args[1] : "");
    List<Double> without = new ArrayList<>();
    List<Double> with = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      without.add(childNanosPerOp(List.of()));
      with.add(childNanosPerOp(List.of(agent)));
      System.out.printf("round %d: without %.0f ns/op, with probe %.0f ns/op%n", round + 1,
          without.get(round), with.get(round));
    }
    double base = median(without);
    double probed = median(with);
    System.out.printf("median: without %.0f ns/op, with probe %.0f ns/op, ratio %.3f%n", base,
        probed, probed / base);
  }

  private static double childNanosPerOp(List<String> flags) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.addAll(flags);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        AllocateDirectCost.class.getName(), "--measure", "child"));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    double nanosPerOp = Double.NaN;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("ns/op ")) {
          nanosPerOp = Double.parseDouble(line.substring(6));
        } else {
          System.out.println("  child: " + line);
        }
      }
    }
    if (child.waitFor() != 0 || Double.isNaN(nanosPerOp)) {
      throw new IllegalStateException("child failed: " + command);
    }
    return nanosPerOp;
  }

  /** In the child: the median of a few timed batches, after a warm-up. */
  private static void measure() throws Exception {
    Field theUnsafe = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
    theUnsafe.setAccessible(true);
    sun.misc.Unsafe unsafe = (sun.misc.Unsafe) theUnsafe.get(null);
    long sink = allocateAndRelease(unsafe, WARMUP_OPS);
    List<Double> batches = new ArrayList<>();
    for (int batch = 0; batch < BATCHES; batch++) {
      long start = System.nanoTime();
      sink += allocateAndRelease(unsafe, MEASURED_OPS);
      batches.add((System.nanoTime() - start) / (double) MEASURED_OPS);
    }
    System.out.println("sink " + sink);
    System.out.println("ns/op " + median(batches));
  }

  private static long allocateAndRelease(sun.misc.Unsafe unsafe, int ops) {
    long sink = 0;
    for (int i = 0; i < ops; i++) {
      ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
      buffer.put(i & (BUFFER_BYTES - 1), (byte) i);
      sink += buffer.get(i & (BUFFER_BYTES - 1));
      unsafe.invokeCleaner(buffer);
    }
    return sink;
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
