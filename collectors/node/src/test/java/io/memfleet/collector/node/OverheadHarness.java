package io.memfleet.collector.node;

import io.memfleet.collector.DurationConverter;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.SinkStats;
import io.memfleet.event.ResidentMemory;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import picocli.CommandLine;

/**
 * Measures what the node collector daemon costs: runs the real {@link NodeCollector}, configured
 * from {@code memfleet collect} flags by {@link CollectCommand}, on its own scheduler at its
 * interval over every process of this host, and prints its CPU as a fraction of one core.
 *
 * <pre>
 * java -cp CLASSPATH io.memfleet.collector.node.OverheadHarness --name default \
 *     --warmup-scans 30 --warmup 5s --measure 30s --sink count [--fleet-pid PID] \
 *     -- [collect flags...]
 * </pre>
 *
 * <p>The warm-up first runs {@code --warmup-scans} scans back to back on the main thread, so the
 * JIT compiles the scan's hot code as it would after some minutes of a long-running daemon
 * (at one scan per second it takes that long), then starts the collector and lets it run for
 * {@code --warmup}. Then it measures over the window: the CPU of
 * the scanning thread (ThreadMXBean, as the collector counts it; the sum over the window's
 * scans, and the median scan) and the CPU of this whole JVM ({@code utime + stime} of
 * {@code /proc/self/stat}, so GC and JIT threads count too), each over the window's wall time,
 * plus the threads that used the most CPU ({@code /proc/self/task/TID/stat}) and the host's
 * load average at both ends. The harness's own work is in "whole JVM" too: its main thread
 * wakes once per collector interval, half an interval after a scan is due, to read the last
 * scan's CPU (shown as the thread {@code java}). The sink either
 * only counts ({@code --sink count}) or also does what the Kafka sink does on the scanning
 * thread ({@code --sink encode}: topic, key and Avro single-object encoding, then drops the
 * bytes); the Kafka producer's own thread is not part of either. With {@code --fleet-pid}, it
 * checks at the end that every child of that process had its resident memory published.
 *
 * <p>Prints one machine-readable line starting with {@code OVERHEAD} (read by
 * {@code ScanOverheadIT}), one starting with {@code JVM} (this JVM's options, collector, heap
 * and processors, as its ergonomics chose them) and one human-readable block.
 */
public final class OverheadHarness {
  private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

  private OverheadHarness() {}

  /** The collector's sink: counts, optionally encodes like the Kafka sink, and drops. */
  static final class MeasuringSink implements EventSink {
    final AtomicLong published = new AtomicLong();
    final AtomicLong encodedBytes = new AtomicLong();
    final Set<Integer> residentPids = ConcurrentHashMap.newKeySet();
    volatile boolean recordPids;
    private final EventCodec codec;

    MeasuringSink(boolean encode) {
      this.codec = encode ? EventCodec.fromClasspath() : null;
    }

    @Override
    public void publish(SpecificRecord event) {
      published.incrementAndGet();
      if (codec != null) {
        // the caller-thread part of KafkaEventSink.publish
        var header = Events.header(event);
        String topic = Topics.forRecord(event);
        byte[] key = Topics.key(header.getProcess());
        byte[] value = codec.encode(event);
        encodedBytes.addAndGet(topic.length() + key.length + value.length);
      }
      if (recordPids && event instanceof ResidentMemory rm) {
        residentPids.add(rm.getHeader().getProcess().getPid());
      }
    }

    @Override
    public SinkStats stats() {
      long n = published.get();
      return new SinkStats(n, n, 0, 0, 0, Map.of(), 0, true);
    }

    @Override
    public boolean flush(Duration timeout) {
      return true;
    }

    @Override
    public void close() {}
  }

  public static void main(String[] argv) throws Exception {
    String name = "default";
    Duration warmup = Duration.ofSeconds(10);
    int warmupScans = 30;
    Duration measure = Duration.ofSeconds(30);
    String sinkMode = "count";
    long fleetPid = -1;
    List<String> collectArgs = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      switch (argv[i]) {
        case "--name" -> name = argv[++i];
        case "--warmup" -> warmup = DurationConverter.parse(argv[++i]);
        case "--warmup-scans" -> warmupScans = Integer.parseInt(argv[++i]);
        case "--measure" -> measure = DurationConverter.parse(argv[++i]);
        case "--sink" -> sinkMode = argv[++i];
        case "--fleet-pid" -> fleetPid = Long.parseLong(argv[++i]);
        case "--" -> {
          collectArgs.addAll(Arrays.asList(argv).subList(i + 1, argv.length));
          i = argv.length;
        }
        default -> throw new IllegalArgumentException("unknown argument " + argv[i]);
      }
    }
    CollectCommand command = new CollectCommand();
    new CommandLine(command).parseArgs(collectArgs.toArray(String[]::new));
    NodeCollectorOptions options = command.nodeOptions();
    MeasuringSink sink = new MeasuringSink(sinkMode.equals("encode"));
    try (NodeCollector collector = NodeCollector.builder().options(options)
        .identities(ProcessIdentities.builder().cluster("overhead").build())
        .headers(new EventHeaders("overhead/" + ProcessHandle.current().pid()))
        .sink(sink).build()) {
      long t0 = System.nanoTime();
      for (int i = 0; i < warmupScans; i++) {
        collector.scanOnce();
      }
      System.err.printf(Locale.ROOT, "%s: %d warm-up scans in %.1f s%n", name, warmupScans,
          (System.nanoTime() - t0) / 1e9);
      long started = System.nanoTime();
      collector.start();
      Thread.sleep(warmup.toMillis());
      Snapshot before = Snapshot.take(collector, sink);
      List<Double> scanCpuMs = new ArrayList<>();
      // per-scan CPU from the collector's own cumulative counter, read half an interval after
      // each scan is due (scans run at a fixed rate from start()): one wake-up per scan, so the
      // harness adds little to "whole JVM"; a poll that finds no scan or two since the last
      // (a late scan on a busy machine) gives no per-scan figure
      long end = before.wallNanos + measure.toNanos();
      long interval = options.interval().toNanos();
      long lastScans = before.scans;
      double lastCpuMs = before.scanCpuMs;
      long next = started + ((before.wallNanos - started) / interval + 1) * interval
          + interval / 2;
      while (next < end) {
        sleepUntil(next);
        next += interval;
        NodeCollector.Status s = collector.status();
        double cpuMs = s.meanScanCpuMillis() * s.scans();
        if (s.scans() == lastScans + 1) {
          scanCpuMs.add(cpuMs - lastCpuMs);
        }
        lastScans = s.scans();
        lastCpuMs = cpuMs;
      }
      sleepUntil(end);
      Snapshot after = Snapshot.take(collector, sink);
      System.err.printf(Locale.ROOT, "%s: measured %d scans%n", name, after.scans - before.scans);
      int fleetSeen = -1;
      int fleetSize = -1;
      if (fleetPid > 0) {
        sink.recordPids = true;
        long scans = collector.status().scans();
        while (collector.status().scans() < scans + 2) {
          Thread.sleep(50);
        }
        Set<Integer> children = children(fleetPid);
        fleetSize = children.size();
        children.retainAll(sink.residentPids);
        fleetSeen = children.size();
      }
      report(name, sinkMode, options, collectArgs, before, after, scanCpuMs, fleetSeen,
          fleetSize);
    }
  }

  private static void report(String name, String sinkMode, NodeCollectorOptions options,
      List<String> collectArgs, Snapshot before, Snapshot after, List<Double> scanCpuMs,
      int fleetSeen, int fleetSize) {
    double wallS = (after.wallNanos - before.wallNanos) / 1e9;
    long scans = after.scans - before.scans;
    double scanCpuS = (after.scanCpuMs - before.scanCpuMs) / 1e3;
    double processCpuS = (after.processTicks - before.processTicks) / TICKS_PER_SECOND;
    double processSysS = (after.processSysTicks - before.processSysTicks) / TICKS_PER_SECOND;
    double median = median(scanCpuMs);
    int tracked = after.tracked;
    String flags = collectArgs.isEmpty() ? "(defaults)" : String.join(" ", collectArgs);
    System.out.printf(Locale.ROOT, "OVERHEAD name=%s sink=%s tracked=%d fleet=%d/%d scans=%d"
            + " wall_s=%.1f scan_thread_core_pct=%.3f process_core_pct=%.3f"
            + " process_sys_core_pct=%.3f scan_cpu_median_ms=%.3f"
            + " per_process_us=%.1f events_per_scan=%.0f smaps_reads_per_scan=%.1f"
            + " smaps_deferred_per_scan=%.1f load=%s-%s flags=%s%n",
        name, sinkMode, tracked, fleetSeen, fleetSize, scans, wallS, 100 * scanCpuS / wallS,
        100 * processCpuS / wallS, 100 * processSysS / wallS, median,
        median * 1000 / Math.max(1, tracked),
        (after.events - before.events) / (double) Math.max(1, scans),
        (after.smapsReads - before.smapsReads) / (double) Math.max(1, scans),
        (after.smapsDeferred - before.smapsDeferred) / (double) Math.max(1, scans),
        before.loadAverage, after.loadAverage, flags);
    System.out.println(jvmLine(name));
    StringBuilder top = new StringBuilder();
    after.threadTicks.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.threadTicks.getOrDefault(
            e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(8)
        .forEach(e -> top.append(String.format(Locale.ROOT, " %s %.0f ms;",
            e.getKey().substring(e.getKey().indexOf(' ') + 1),
            e.getValue() * 1000 / TICKS_PER_SECOND)));
    System.out.printf(Locale.ROOT, "  %s [%s; smaps %s, every %s, max %.2f%% cpu]: %d processes"
            + " tracked, %d scans"
            + " in %.1f s; scanning thread %.2f%% of a core, whole JVM %.2f%% (%.2f%% in the"
            + " kernel); per scan median %.2f ms (min %.2f, max %.2f), %.1f us per process;"
            + " load average %s to %s; top threads:%s%n",
        name, flags, options.readSmapsRollup() ? "on" : "off", options.smapsInterval(),
        options.smapsMaxCpuPercent(), tracked,
        scans, wallS, 100 * scanCpuS / wallS, 100 * processCpuS / wallS,
        100 * processSysS / wallS, median,
        scanCpuMs.stream().mapToDouble(d -> d).min().orElse(0),
        scanCpuMs.stream().mapToDouble(d -> d).max().orElse(0),
        median * 1000 / Math.max(1, tracked), before.loadAverage, after.loadAverage, top);
  }

  /**
   * This JVM as its ergonomics made it: {@code JVM name=N gc=G1,... cpus=2 heap_max_mib=M
   * options=[...]} (the options as given on the command line, without the class path).
   */
  static String jvmLine(String name) {
    String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName).map(n -> n.replace(' ', '_'))
        .collect(Collectors.joining(","));
    return String.format(Locale.ROOT, "JVM name=%s gc=%s cpus=%d heap_max_mib=%d options=%s",
        name, gcs, java.lang.Runtime.getRuntime().availableProcessors(),
        java.lang.Runtime.getRuntime().maxMemory() >> 20,
        ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }

  /** Counters at one instant of the run. */
  private record Snapshot(long wallNanos, long scans, double scanCpuMs, long events,
      long smapsReads, long smapsDeferred, int tracked, long processTicks,
      long processSysTicks, Map<String, Long> threadTicks, String loadAverage) {
    static Snapshot take(NodeCollector c, MeasuringSink sink) throws IOException {
      NodeCollector.Status s = c.status();
      String stat = Files.readString(Path.of("/proc/self/stat"));
      return new Snapshot(System.nanoTime(), s.scans(), s.meanScanCpuMillis() * s.scans(),
          sink.published.get(), c.smapsReads(), c.smapsDeferred(), s.trackedProcesses(),
          ticks(stat), systemTicks(stat), readThreadTicks(),
          Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }
  }

  /** utime + stime of a stat line (fields 14 and 15). */
  static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** stime of a stat line (field 15): CPU spent in the kernel on this JVM's behalf. */
  static long systemTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(f[12]);
  }

  /** "tid comm" to CPU ticks of every thread of this JVM. */
  private static Map<String, Long> readThreadTicks() throws IOException {
    Map<String, Long> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          out.put(t.getFileName() + " " + comm, ticks(stat));
        } catch (IOException gone) {
          // the thread ended while listed
        }
      }
    }
    return out;
  }

  /** Child pids of {@code pid} ({@code /proc/PID/task/PID/children}). */
  static Set<Integer> children(long pid) throws IOException {
    Set<Integer> out = new HashSet<>();
    String text = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children"));
    for (String w : text.trim().split("\\s+")) {
      if (!w.isEmpty()) {
        out.add(Integer.parseInt(w));
      }
    }
    return out;
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(d -> d).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  /**
   * An idle JVM holding a pre-touched heap and a live array, so the host has processes with
   * large, JVM-shaped address spaces for {@code smaps_rollup} to walk.
   */
  public static final class IdleJvm {
    private IdleJvm() {}

    public static void main(String[] args) throws InterruptedException {
      byte[][] live = new byte[64][];
      for (int i = 0; i < live.length; i++) {
        live[i] = new byte[512 * 1024];
        Arrays.fill(live[i], (byte) i);
      }
      System.out.println("idle jvm " + ProcessHandle.current().pid() + " " + live.length);
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
