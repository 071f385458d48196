package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.SimulatedHost.SimulatedProcess;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.Free;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.event.StackCount;
import io.memfleet.event.StackTrace;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/**
 * The events a process's collectors publish, in the proportions and clock domains they publish
 * them: JFR in REALTIME (allocation samples with stacks, GC cycles and pauses, heap summaries,
 * thread counts with the stacks that started the live threads, memory pools with the stacks that
 * defined the live classes); Go gctrace in process-relative time and expvar in REALTIME (goroutine
 * counts with the goroutine profile's groups); eBPF malloc/free, mmap and rss_stat in
 * CLOCK_MONOTONIC (the events clock alignment must calibrate); procfs RSS and thread counts in
 * REALTIME for every process. The stacks are as many and as deep as the collectors publish at
 * most (8 thread and 8 class groups of 8 frames from JFR, 16 goroutine groups from Go), their
 * counts one higher every other time: what the pipeline's per-process stack levels keep.
 *
 * <pre>{@code
 * SpecificRecord event = EventMix.next(host, process, utcNs, random);
 * }</pre>
 */
final class EventMix {
  private static final long MB = 1L << 20;

  private static final StackTrace JAVA_STACK = StackTrace.newBuilder()
      .setHash(0x5a3c_91e2_07bd_4f18L)
      .setFrames(List.of("java.util.HashMap.resize", "java.util.HashMap.putVal",
          "java.util.HashMap.put", "com.example.checkout.PriceCache.remember",
          "com.example.checkout.CheckoutService.quote"))
      .setTruncated(false).build();
  private static final StackTrace NATIVE_STACK = StackTrace.newBuilder()
      .setHash(0x1f0e_2d3c_4b5a_6978L)
      .setFrames(List.of("malloc", "png_create_read_struct", "decode_tile", "imgproc+0x41f2c",
          "start_thread"))
      .setTruncated(false).build();
  /** JFR's top groups of live threads by the stack that started them (8 at most, 8 frames). */
  private static final List<StackCount> THREAD_STARTS = groups(8, 12,
      "java.lang.Thread.start", "java.util.concurrent.ThreadPoolExecutor.addWorker",
      "java.util.concurrent.ThreadPoolExecutor.execute",
      "com.example.checkout.pool%d.WorkerPool.submit", "com.example.checkout.CheckoutService.quote",
      "com.example.checkout.http.Routes.handle", "org.eclipse.jetty.server.HttpChannel.handle",
      "org.eclipse.jetty.util.thread.QueuedThreadPool.runJob");
  /** JFR's top groups of live classes by the stack that defined them (8 at most, 8 frames). */
  private static final List<StackCount> CLASS_DEFINES = groups(8, 400,
      "java.lang.ClassLoader.defineClass1", "java.lang.ClassLoader.defineClass",
      "java.security.SecureClassLoader.defineClass",
      "com.example.plugins.loader%d.PluginClassLoader.findClass",
      "java.lang.ClassLoader.loadClass", "com.example.plugins.PluginHost.load",
      "com.example.checkout.Extensions.start", "com.example.checkout.Main.main");
  /** The goroutine profile's groups by where they are parked (16 at most, 8 frames). */
  private static final List<StackCount> GOROUTINE_GROUPS = groups(16, 40,
      "runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1",
      "example.com/gateway/worker%d.(*Pool).loop", "example.com/gateway/internal.Serve",
      "net/http.(*conn).serve", "net/http.(*Server).Serve", "main.main");
  private static final String[] JAVA_CLASSES = {"byte[]", "java.lang.String",
      "java.util.HashMap$Node", "com.example.checkout.Quote", "java.lang.Object[]"};

  private EventMix() {}

  /** The next event of {@code p} at UTC {@code utcNs}, drawn from its runtime's mix. */
  static SpecificRecord next(SimulatedHost host, SimulatedProcess p, long utcNs, Random random) {
    int dice = random.nextInt(100);
    switch (p.runtime) {
      case JVM:
        if (dice < 45) {
          return javaAllocation(p, utcNs, random);
        } else if (dice < 53) {
          return gcPause(p, Source.JFR, ClockDomain.REALTIME, utcNs, random);
        } else if (dice < 59) {
          return gcCycle(p, Source.JFR, ClockDomain.REALTIME, utcNs, random);
        } else if (dice < 68) {
          return heapSummary(p, Source.JFR, utcNs, random);
        } else if (dice < 71) {
          return memoryPools(p, utcNs);
        } else if (dice < 75) {
          return threads(p, Source.JFR, ThreadKind.JAVA_THREADS, utcNs);
        }
        return procfs(p, utcNs, dice < 90);
      case GO:
        long relative = utcNs - p.identity.getProcessStartTimeMs() * 1_000_000L;
        if (dice < 20) {
          return gcCycle(p, Source.GO_GCTRACE, ClockDomain.GO_PROCESS_RELATIVE, relative, random);
        } else if (dice < 40) {
          return gcPause(p, Source.GO_GCTRACE, ClockDomain.GO_PROCESS_RELATIVE, relative, random);
        } else if (dice < 60) {
          return heapSummary(p, Source.GO_EXPVAR, utcNs, random);
        } else if (dice < 70) {
          return threads(p, Source.GO_EXPVAR, ThreadKind.GOROUTINES, utcNs);
        }
        return procfs(p, utcNs, dice < 90);
      default:
        long mono = host.monotonicAt(utcNs);
        if (dice < 40) {
          return malloc(p, mono, random);
        } else if (dice < 70) {
          return free(p, mono, random);
        } else if (dice < 80) {
          return mapping(p, mono, random);
        } else if (dice < 85) {
          return ResidentMemory.newBuilder()
              .setHeader(header(p, Source.EBPF, ClockDomain.MONOTONIC, mono))
              .setRssBytes(rss(p)).setAnonBytes(rss(p) - 12 * MB).build();
        }
        return procfs(p, utcNs, dice < 95);
    }
  }

  private static EventHeader header(SimulatedProcess p, Source s, ClockDomain d, long raw) {
    return EventHeader.newBuilder().setProcess(p.identity).setSource(s).setClockDomain(d)
        .setRawTimestamp(raw)
        .setCollector("memfleet-" + s.name().toLowerCase() + "-" + p.identity.getNode())
        .setSequence(++p.sequence).build();
  }

  private static long rss(SimulatedProcess p) {
    return p.heapUsed + 180 * MB + (p.nextAddress & 0xff_ffff);
  }

  private static SpecificRecord procfs(SimulatedProcess p, long utcNs, boolean rss) {
    if (!rss) {
      return threads(p, Source.PROCFS, ThreadKind.OS_THREADS, utcNs);
    }
    long bytes = rss(p);
    return ResidentMemory.newBuilder()
        .setHeader(header(p, Source.PROCFS, ClockDomain.REALTIME, utcNs))
        .setRssBytes(bytes).setPssBytes(bytes - 4 * MB).setAnonBytes(bytes - 30 * MB)
        .setFileBytes(26 * MB).setShmemBytes(MB).setSwapBytes(0L).setVmSizeBytes(4 * bytes)
        .setCgroupVersion(1).setCgroupUsageBytes(bytes + 40 * MB)
        .setCgroupLimitBytes(2048 * MB).setCgroupOomKills(0L).build();
  }

  private static ThreadCount threads(SimulatedProcess p, Source s, ThreadKind kind, long utcNs) {
    p.threads += p.sequence % 7 == 0 ? 1 : 0;
    List<StackCount> stacks = kind == ThreadKind.JAVA_THREADS ? flapping(THREAD_STARTS, p)
        : kind == ThreadKind.GOROUTINES ? flapping(GOROUTINE_GROUPS, p) : List.of();
    return ThreadCount.newBuilder().setHeader(header(p, s, ClockDomain.REALTIME, utcNs))
        .setKind(kind).setCount(p.threads).setPeakCount(p.threads + 3).setStacks(stacks).build();
  }

  /** The JVM's pools as the JFR collector reads them, metaspace with its class groups. */
  private static MemoryPools memoryPools(SimulatedProcess p, long utcNs) {
    return MemoryPools.newBuilder().setHeader(header(p, Source.JFR, ClockDomain.REALTIME, utcNs))
        .setPools(List.of(
            PoolUsage.newBuilder().setPool(MemoryPool.HEAP).setUsedBytes(p.heapUsed)
                .setCommittedBytes(p.heapUsed + 64 * MB).setLimitBytes(1024 * MB).build(),
            PoolUsage.newBuilder().setPool(MemoryPool.METASPACE).setUsedBytes(96 * MB)
                .setCommittedBytes(100 * MB).setStacks(flapping(CLASS_DEFINES, p)).build(),
            PoolUsage.newBuilder().setPool(MemoryPool.CLASS_SPACE).setUsedBytes(12 * MB)
                .setCommittedBytes(13 * MB).setLimitBytes(1024 * MB).build(),
            PoolUsage.newBuilder().setPool(MemoryPool.DIRECT_BUFFERS).setUsedBytes(8 * MB)
                .setCount(64L).setLimitBytes(1024 * MB).build()))
        .setSettings(Map.of("gc", "G1")).build();
  }

  /** The groups with every count one higher in every other event: pools come and go a little. */
  private static List<StackCount> flapping(List<StackCount> groups, SimulatedProcess p) {
    if (p.sequence % 2 == 0) {
      return groups;
    }
    List<StackCount> flapped = new ArrayList<>(groups.size());
    for (StackCount g : groups) {
      flapped.add(StackCount.newBuilder(g).setCount(g.getCount() + 1).build());
    }
    return flapped;
  }

  /** {@code n} groups of the same frames, {@code %d} in them numbered, counts from {@code base}. */
  private static List<StackCount> groups(int n, long base, String... frames) {
    List<StackCount> groups = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> numbered = new ArrayList<>();
      for (String f : frames) {
        numbered.add(f.contains("%d") ? String.format(Locale.ROOT, f, i) : f);
      }
      groups.add(StackCount.newBuilder()
          .setStack(StackTrace.newBuilder().setHash(String.join("\n", numbered).hashCode())
              .setFrames(numbered).setTruncated(false).build())
          .setCount(base / (i + 1)).build());
    }
    return List.copyOf(groups);
  }

  private static Allocation javaAllocation(SimulatedProcess p, long utcNs, Random random) {
    long size = 16L << random.nextInt(12);
    p.heapUsed += size;
    return Allocation.newBuilder()
        .setHeader(header(p, Source.JFR, ClockDomain.REALTIME, utcNs))
        .setKind(AllocationKind.JAVA_SAMPLE)
        .setObjectClass(JAVA_CLASSES[random.nextInt(JAVA_CLASSES.length)])
        .setSizeBytes(size).setWeightBytes(size * 512).setStack(JAVA_STACK)
        .setThreadName("http-nio-8080-exec-" + (1 + random.nextInt(16))).build();
  }

  private static GcCycle gcCycle(
      SimulatedProcess p, Source s, ClockDomain d, long raw, Random random) {
    long before = p.heapUsed;
    p.heapUsed = Math.max(32 * MB, before - before / 3);
    boolean go = s == Source.GO_GCTRACE;
    return GcCycle.newBuilder().setHeader(header(p, s, d, raw)).setGcId(++p.gcId)
        .setCollectorName(go ? "go" : "G1 Young").setCause(go ? null : "G1 Evacuation Pause")
        .setGeneration(go ? GcGeneration.CONCURRENT : GcGeneration.YOUNG)
        .setHeapBeforeBytes(before).setHeapAfterBytes(p.heapUsed).setLiveBytes(p.heapUsed)
        .setHeapGoalBytes(go ? 2 * p.heapUsed : null)
        .setDurationNs(1_000_000L + random.nextInt(9_000_000))
        .setSumOfPausesNs(200_000L + random.nextInt(800_000))
        .setGcCpuFraction(go ? 0.01 + random.nextDouble() / 20 : null).build();
  }

  private static GcPause gcPause(
      SimulatedProcess p, Source s, ClockDomain d, long raw, Random random) {
    return GcPause.newBuilder().setHeader(header(p, s, d, raw)).setGcId(p.gcId)
        .setPhase(s == Source.JFR ? "GC Pause" : "sweep termination")
        .setDurationNs(50_000L + random.nextInt(2_000_000)).build();
  }

  private static HeapSummary heapSummary(
      SimulatedProcess p, Source s, long utcNs, Random random) {
    boolean jfr = s == Source.JFR;
    return HeapSummary.newBuilder()
        .setHeader(header(p, s, ClockDomain.REALTIME, utcNs))
        .setPhase(jfr ? (random.nextBoolean() ? HeapPhase.BEFORE_GC : HeapPhase.AFTER_GC)
            : HeapPhase.PERIODIC)
        .setGcId(jfr ? p.gcId : null).setUsedBytes(p.heapUsed)
        .setCommittedBytes(p.heapUsed + 64 * MB).setReservedBytes(jfr ? 2048 * MB : null)
        .setMaxBytes(jfr ? 1024 * MB : null).setNextGcBytes(jfr ? null : 2 * p.heapUsed)
        .setObjects(jfr ? null : p.heapUsed / 48).build();
  }

  private static Allocation malloc(SimulatedProcess p, long mono, Random random) {
    long size = 32L << random.nextInt(10);
    p.nextAddress += size + 16;
    return Allocation.newBuilder()
        .setHeader(header(p, Source.EBPF, ClockDomain.MONOTONIC, mono))
        .setKind(AllocationKind.MALLOC).setSizeBytes(size).setWeightBytes(size * 64)
        .setAddress(p.nextAddress).setStack(NATIVE_STACK).build();
  }

  private static Free free(SimulatedProcess p, long mono, Random random) {
    return Free.newBuilder().setHeader(header(p, Source.EBPF, ClockDomain.MONOTONIC, mono))
        .setKind(AllocationKind.MALLOC).setAddress(p.nextAddress - random.nextInt(1 << 20))
        .build();
  }

  private static MemoryMapping mapping(SimulatedProcess p, long mono, Random random) {
    boolean map = random.nextInt(3) != 0;
    long length = (1L + random.nextInt(64)) << 12;
    return MemoryMapping.newBuilder()
        .setHeader(header(p, Source.EBPF, ClockDomain.MONOTONIC, mono))
        .setOp(map ? MappingOp.MMAP : MappingOp.MUNMAP).setAddress(0x7f00_0000_0000L + mono % MB)
        .setLengthBytes(length).setProtection(map ? "rw-p" : null)
        .setFlags(map ? "MAP_PRIVATE|MAP_ANONYMOUS" : null)
        .setStack(map ? NATIVE_STACK : null).build();
  }
}
