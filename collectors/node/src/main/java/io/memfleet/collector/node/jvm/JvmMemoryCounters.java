package io.memfleet.collector.node.jvm;

import io.memfleet.event.MemoryPool;
import io.memfleet.event.PoolUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's memory pools as its HotSpot performance counters show them, in memfleet's pool
 * vocabulary: what {@code jstat -gc} prints, without attaching to the JVM.
 *
 * <pre>{@code
 * JvmMemoryCounters jvm = JvmMemoryCounters.read(perfDataBuffer);
 * long heapUsed = jvm.heapUsed();
 * List<PoolUsage> pools = jvm.pools();
 * }</pre>
 *
 * <p>Mapping (counter names as HotSpot 17–25 publish them):
 * <ul>
 *   <li>HEAP: used = sum of {@code sun.gc.generation.G.space.S.used} over every generation and
 *       space; committed = sum of {@code sun.gc.generation.G.capacity}; limit = the maximum
 *       heap: {@code -Xmx}/{@code -XX:MaxHeapSize} from {@code java.rt.vmArgs} when given,
 *       else, for G1 (whose generations share one set of regions, each reporting the whole heap
 *       as its maximum) the largest generation {@code maxCapacity}, for the other collectors
 *       their sum (ZGC and Shenandoah have one generation).
 *   <li>METASPACE: the non-class part, as JFR's {@code jdk.MetaspaceSummary} {@code dataSpace}
 *       reports it: {@code sun.gc.metaspace.used/capacity} minus the class space's (HotSpot's
 *       metaspace counters cover both parts), so METASPACE + CLASS_SPACE is the whole metaspace
 *       whichever source reported it; limit only when {@code -XX:MaxMetaspaceSize} was given
 *       (it bounds both parts; {@code maxCapacity} is the reserved space, not a limit).
 *   <li>CLASS_SPACE: {@code sun.gc.compressedclassspace.used/capacity/maxCapacity}
 *       (CompressedClassSpaceSize is a hard limit).
 *   <li>THREAD_STACKS: count = {@code java.threads.live} (Java threads; the JVM's own GC and
 *       compiler threads are not counted); used = count × the thread stack size
 *       ({@code -Xss}/{@code -XX:ThreadStackSize} from the VM arguments, else the 1 MiB Linux
 *       x64/aarch64 default) — an estimate: an upper bound of what the stacks reserve, more than
 *       they touch.
 *   <li>CODE_CACHE: used = {@code sun.ci.nmethodCodeSize}, the code of compiled methods — a
 *       lower bound of the code cache (stubs, adapters and nmethod metadata are not counted);
 *       only when the counter exists.
 * </ul>
 * Settings: {@code gc} (G1, Parallel, Serial, Z, Shenandoah, from the collector counters),
 * {@code MaxHeapSize} (the heap limit in bytes, when known), {@code ThreadStackSize} (bytes
 * used for the estimate), {@code MaxMetaspaceSize} when set.
 */
public record JvmMemoryCounters(
    long heapUsed,
    long heapCommitted,
    OptionalLong heapMax,
    List<PoolUsage> pools,
    Map<String, String> settings) {

  /** HotSpot's default thread stack size on Linux x64 and aarch64 (ThreadStackSize=1M). */
  public static final long DEFAULT_THREAD_STACK_BYTES = 1024 * 1024;

  private static final Pattern SPACE_USED =
      Pattern.compile("sun\\.gc\\.generation\\.(\\d+)\\.space\\.(\\d+)\\.used");
  private static final Pattern GENERATION =
      Pattern.compile("sun\\.gc\\.generation\\.(\\d+)\\.(capacity|maxCapacity)");

  /** The counters {@link #read} needs, for {@link PerfDataBuffer#index}'s filter. */
  public static boolean needed(String name) {
    return name.startsWith("sun.gc.generation.") && !name.contains(".agetable.")
        || name.startsWith("sun.gc.metaspace.") || name.startsWith("sun.gc.compressedclassspace.")
        || name.equals("java.threads.live") || name.equals("sun.ci.nmethodCodeSize")
        || name.equals("sun.gc.policy.name") || name.startsWith("sun.gc.collector.")
        && name.endsWith(".name") || name.equals("java.rt.vmArgs");
  }

  /**
   * Reads the pools from the current counter values.
   *
   * @throws PerfDataBuffer.MalformedPerfDataException when the buffer has no heap counters (not
   *     a HotSpot JVM's, or one that publishes none)
   */
  public static JvmMemoryCounters read(PerfDataBuffer perf) {
    return layout(perf).read();
  }

  /**
   * Finds, once per index of a JVM's buffer, what {@link Layout#read} needs: which counters make
   * up the heap, and what the JVM's arguments and collector fix for its life.
   *
   * @throws PerfDataBuffer.MalformedPerfDataException when the buffer has no heap counters (not
   *     a HotSpot JVM's, or one that publishes none)
   */
  public static Layout layout(PerfDataBuffer perf) {
    List<String> spaceUsed = new ArrayList<>();
    Map<Integer, String> capacity = new LinkedHashMap<>();
    Map<Integer, String> maxCapacity = new LinkedHashMap<>();
    for (String name : perf.names()) {
      Matcher m = SPACE_USED.matcher(name);
      if (m.matches()) {
        spaceUsed.add(name);
        continue;
      }
      m = GENERATION.matcher(name);
      if (m.matches()) {
        (m.group(2).equals("capacity") ? capacity : maxCapacity)
            .put(Integer.parseInt(m.group(1)), name);
      }
    }
    if (spaceUsed.isEmpty()) {
      throw new PerfDataBuffer.MalformedPerfDataException("no heap space counters");
    }
    String vmArgs = perf.stringValue("java.rt.vmArgs");
    return new Layout(perf, List.copyOf(spaceUsed), List.copyOf(capacity.values()),
        List.copyOf(maxCapacity.values()), collector(perf),
        vmSize(vmArgs, "-Xmx", "-XX:MaxHeapSize="),
        vmSize(vmArgs, null, "-XX:MaxMetaspaceSize="),
        vmSize(vmArgs, "-Xss", "-XX:ThreadStackSize=").orElse(DEFAULT_THREAD_STACK_BYTES));
  }

  /**
   * One JVM's counters as {@link #layout} found them: the scan reads the pools through it at
   * every interval, so the name matching and the parsing of the JVM's arguments happen once per
   * index of its buffer, not per scan (HsperfdataSampler keeps one per JVM). Not thread-safe
   * only as the buffer it reads is not: one scan thread reads it.
   */
  public static final class Layout {
    private final PerfDataBuffer perf;
    private final List<String> spaceUsed;
    private final List<String> capacity;
    private final List<String> maxCapacity;
    private final String gc;
    private final OptionalLong heapMaxFromArgs;
    private final OptionalLong maxMetaspace;
    private final long stackBytes;

    private Layout(PerfDataBuffer perf, List<String> spaceUsed, List<String> capacity,
        List<String> maxCapacity, String gc, OptionalLong heapMaxFromArgs,
        OptionalLong maxMetaspace, long stackBytes) {
      this.perf = perf;
      this.spaceUsed = spaceUsed;
      this.capacity = capacity;
      this.maxCapacity = maxCapacity;
      this.gc = gc;
      this.heapMaxFromArgs = heapMaxFromArgs;
      this.maxMetaspace = maxMetaspace;
      this.stackBytes = stackBytes;
    }

    /** The pools from the counters' current values. */
    public JvmMemoryCounters read() {
      long used = 0;
      for (String name : spaceUsed) {
        used += perf.longValue(name).orElse(0);
      }
      long committed = 0;
      for (String name : capacity) {
        committed += perf.longValue(name).orElse(0);
      }
      OptionalLong heapMax = heapMaxFromArgs;
      if (heapMax.isEmpty() && !maxCapacity.isEmpty()) {
        long largest = Long.MIN_VALUE;
        long sum = 0;
        for (String name : maxCapacity) {
          long v = perf.longValue(name).orElse(0);
          largest = Math.max(largest, v);
          sum += v;
        }
        heapMax = OptionalLong.of(gc.equals("G1") ? largest : sum);
      }

      List<PoolUsage> pools = new ArrayList<>();
      pools.add(pool(MemoryPool.HEAP, used, committed, heapMax, OptionalLong.empty()));
      long classUsed = perf.longValue("sun.gc.compressedclassspace.used").orElse(0);
      long classCommitted = perf.longValue("sun.gc.compressedclassspace.capacity").orElse(0);
      OptionalLong metaspaceCommitted = perf.longValue("sun.gc.metaspace.capacity");
      perf.longValue("sun.gc.metaspace.used").ifPresent(u -> pools.add(pool(
          MemoryPool.METASPACE, Math.max(0, u - classUsed), metaspaceCommitted.isPresent()
              ? Math.max(0, metaspaceCommitted.getAsLong() - classCommitted) : -1,
          maxMetaspace, OptionalLong.empty())));
      perf.longValue("sun.gc.compressedclassspace.used").ifPresent(u -> pools.add(pool(
          MemoryPool.CLASS_SPACE, u,
          perf.longValue("sun.gc.compressedclassspace.capacity").orElse(-1),
          perf.longValue("sun.gc.compressedclassspace.maxCapacity"), OptionalLong.empty())));
      OptionalLong threads = perf.longValue("java.threads.live");
      threads.ifPresent(n -> pools.add(pool(MemoryPool.THREAD_STACKS, n * stackBytes, -1,
          OptionalLong.empty(), OptionalLong.of(n))));
      perf.longValue("sun.ci.nmethodCodeSize").ifPresent(c -> pools.add(pool(
          MemoryPool.CODE_CACHE, c, -1, OptionalLong.empty(), OptionalLong.empty())));

      Map<String, String> settings = new LinkedHashMap<>();
      if (!gc.isEmpty()) {
        settings.put("gc", gc);
      }
      heapMax.ifPresent(v -> settings.put("MaxHeapSize", Long.toString(v)));
      settings.put("ThreadStackSize", Long.toString(stackBytes));
      maxMetaspace.ifPresent(v -> settings.put("MaxMetaspaceSize", Long.toString(v)));
      return new JvmMemoryCounters(used, committed, heapMax, List.copyOf(pools),
          java.util.Collections.unmodifiableMap(settings));
    }
  }

  private static PoolUsage pool(MemoryPool pool, long used, long committed, OptionalLong limit,
      OptionalLong count) {
    return PoolUsage.newBuilder()
        .setPool(pool)
        .setUsedBytes(used)
        .setCommittedBytes(committed < 0 ? null : committed)
        .setLimitBytes(limit.isPresent() ? limit.getAsLong() : null)
        .setCount(count.isPresent() ? count.getAsLong() : null)
        .build();
  }

  /**
   * The collector: the first word of {@code sun.gc.collector.N.name} ("G1 young collection
   * pauses", "Parallel full collection pauses", "Z concurrent cycle pauses"), else the policy
   * name; "" when neither is there.
   */
  private static String collector(PerfDataBuffer perf) {
    for (String name : perf.names()) {
      if (name.startsWith("sun.gc.collector.") && name.endsWith(".name")) {
        String v = perf.stringValue(name);
        if (v != null && !v.isBlank()) {
          String first = v.strip().split("\\s+")[0];
          // JDK 8-era names: "PSScavenge", "PSParallelCompact", "Copy", "MSC"
          return first.startsWith("PS") ? "Parallel" : first;
        }
      }
    }
    String policy = perf.stringValue("sun.gc.policy.name");
    if (policy == null) {
      return "";
    }
    return policy.equals("GarbageFirst") ? "G1" : policy.startsWith("ParScav") ? "Parallel"
        : policy;
  }

  /**
   * The last {@code -Xmx512m}-style or {@code -XX:MaxHeapSize=...} value in the VM arguments,
   * in bytes (suffixes k, m, g, t, either case); empty when not given or unreadable.
   */
  static OptionalLong vmSize(String vmArgs, String shortFlag, String longFlag) {
    if (vmArgs == null) {
      return OptionalLong.empty();
    }
    OptionalLong found = OptionalLong.empty();
    for (String arg : vmArgs.split("\\s+")) {
      String v = null;
      boolean kilobytes = false;
      if (shortFlag != null && arg.startsWith(shortFlag)) {
        v = arg.substring(shortFlag.length());
      } else if (arg.startsWith(longFlag)) {
        v = arg.substring(longFlag.length());
        kilobytes = longFlag.equals("-XX:ThreadStackSize="); // in KiB, unlike the others
      }
      if (v != null) {
        OptionalLong bytes = bytes(v, kilobytes);
        if (bytes.isPresent()) {
          found = bytes; // the last one wins, as in the JVM
        }
      }
    }
    return found;
  }

  private static OptionalLong bytes(String v, boolean defaultKilobytes) {
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    char unit = Character.toLowerCase(v.charAt(v.length() - 1));
    long multiplier;
    String digits = v.substring(0, v.length() - 1);
    switch (unit) {
      case 'k': multiplier = 1L << 10; break;
      case 'm': multiplier = 1L << 20; break;
      case 'g': multiplier = 1L << 30; break;
      case 't': multiplier = 1L << 40; break;
      default:
        digits = v;
        // -XX:ThreadStackSize is in KiB; the others in bytes
        multiplier = defaultKilobytes ? 1L << 10 : 1;
    }
    try {
      long n = Long.parseLong(digits);
      return n < 0 ? OptionalLong.empty() : OptionalLong.of(Math.multiplyExact(n, multiplier));
    } catch (NumberFormatException | ArithmeticException e) {
      return OptionalLong.empty();
    }
  }
}
