package io.memfleet.pipeline.aggregate;

import io.memfleet.event.Allocation;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.pipeline.model.Shmem;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Folds one process's events of a window into a {@link ProcessWindowAccumulator}: RSS and cgroup
 * usage from {@code ResidentMemory}, managed heap from {@code HeapSummary}, live set from
 * after-GC summaries and {@code GcCycle}, native memory from the join's {@code NativeMemory}
 * events, pauses from {@code GcPause}, threads and goroutines from {@code ThreadCount}, sampled
 * allocation volume from {@code Allocation} samples (not the OUTSTANDING totals, which are levels).
 *
 * <p>The memory breakdown ({@link BreakdownMeasure}): each pool's latest reading from
 * {@code MemoryPools} (JFR, hsperfdata, Go expvar) and {@code HeapSummary}, the kernel's view
 * (anon, file, shmem, swap; the cgroup's anon, page cache, shmem, swap and working set) from
 * {@code ResidentMemory}, and the lowest live set of a {@code GcCycle} that shows it.
 */
public final class ProcessWindowAggregate
    implements AggregateFunction<TimedEvent, ProcessWindowAccumulator, ProcessWindowAccumulator> {
  private static final long serialVersionUID = 1L;
  private transient EventCodec codec;

  @Override
  public ProcessWindowAccumulator createAccumulator() {
    return new ProcessWindowAccumulator();
  }

  @Override
  public ProcessWindowAccumulator add(TimedEvent e, ProcessWindowAccumulator acc) {
    acc.samples++;
    rememberIdentity(e, acc);
    if (TimedEvent.NATIVE_MEMORY_KIND.equals(e.kind)) {
      if (e.nativeBytes != null) {
        acc.nativeMax = Math.max(acc.nativeMax, e.nativeBytes);
        if (e.utcNs >= acc.nativeLastUtcNs) {
          acc.nativeLast = e.nativeBytes;
          acc.nativeLastUtcNs = e.utcNs;
        }
      }
      return acc;
    }
    SpecificRecord record = e.payload == null ? null : e.record(codec());
    if (record instanceof ResidentMemory r) {
      acc.rssMax = Math.max(acc.rssMax, r.getRssBytes());
      acc.rssSum += r.getRssBytes();
      acc.rssCount++;
      if (e.utcNs >= acc.rssLastUtcNs) {
        acc.rssLast = r.getRssBytes();
        acc.rssLastUtcNs = e.utcNs;
      }
      if (r.getCgroupUsageBytes() != null) {
        acc.cgroupUsageMax = Math.max(acc.cgroupUsageMax, r.getCgroupUsageBytes());
      }
      if (r.getCgroupLimitBytes() != null) {
        acc.cgroupLimit = Math.max(acc.cgroupLimit, r.getCgroupLimitBytes());
      }
      kernelView(r, e.utcNs, acc);
    } else if (record instanceof MemoryPools p) {
      pools(p, e.utcNs, acc);
    } else if (record instanceof HeapSummary h) {
      acc.managedUsedMax = Math.max(acc.managedUsedMax, h.getUsedBytes());
      acc.managedCommittedMax = Math.max(acc.managedCommittedMax, h.getCommittedBytes());
      if (h.getMaxBytes() != null) {
        acc.managedLimit = Math.max(acc.managedLimit, h.getMaxBytes());
      }
      if (h.getPhase() == HeapPhase.AFTER_GC) {
        acc.heapAfterGcMin = Math.min(acc.heapAfterGcMin, h.getUsedBytes());
      }
      acc.observe(BreakdownMeasure.HEAP_USED, h.getUsedBytes(), e.utcNs);
      acc.observe(BreakdownMeasure.HEAP_COMMITTED, h.getCommittedBytes(), e.utcNs);
    } else if (record instanceof GcCycle c) {
      acc.gcCount++;
      acc.heapAfterGcMin = Math.min(acc.heapAfterGcMin, c.getHeapAfterBytes());
      Long live = liveSet(c);
      if (live != null) {
        acc.liveSetMin = Math.min(acc.liveSetMin, live);
      }
      if (c.getGcCpuFraction() != null) {
        acc.gcCpuFraction = Math.max(acc.gcCpuFraction, c.getGcCpuFraction());
      }
    } else if (record instanceof GcPause p) {
      acc.addPause(p.getDurationNs());
    } else if (record instanceof ThreadCount t) {
      if (t.getKind() == ThreadKind.GOROUTINES) {
        acc.goroutinesMax = Math.max(acc.goroutinesMax, t.getCount());
        acc.observe(BreakdownMeasure.GOROUTINE_COUNT, t.getCount(), e.utcNs);
      } else {
        acc.threadsMax = Math.max(acc.threadsMax, t.getCount());
        if (t.getKind() == ThreadKind.JAVA_THREADS) {
          // the count hsperfdata's THREAD_STACKS carries (java.threads.live); OS threads are more
          acc.observe(BreakdownMeasure.THREAD_COUNT, t.getCount(), e.utcNs);
        }
      }
    } else if (record instanceof Allocation a
        && !AllocationWindowAggregate.isLevel(a.getKind())) {
      acc.allocBytes += a.getWeightBytes();
    }
    return acc;
  }

  private static void kernelView(ResidentMemory r, long utcNs, ProcessWindowAccumulator acc) {
    acc.observe(BreakdownMeasure.RSS_ANON, r.getAnonBytes(), utcNs);
    acc.observe(BreakdownMeasure.RSS_FILE, r.getFileBytes(), utcNs);
    acc.observe(BreakdownMeasure.RSS_SHMEM, r.getShmemBytes(), utcNs);
    acc.observe(BreakdownMeasure.SWAP, r.getSwapBytes(), utcNs);
    acc.observe(BreakdownMeasure.CGROUP_ANON, r.getCgroupAnonBytes(), utcNs);
    acc.observe(BreakdownMeasure.CGROUP_PAGE_CACHE, r.getCgroupFileBytes(), utcNs);
    acc.observe(BreakdownMeasure.CGROUP_SHMEM, r.getCgroupShmemBytes(), utcNs);
    acc.observe(BreakdownMeasure.CGROUP_SWAP, r.getCgroupSwapBytes(), utcNs);
    Long workingSet = r.getCgroupWorkingSetBytes();
    if (workingSet == null && r.getCgroupUsageBytes() != null
        && r.getCgroupInactiveFileBytes() != null) {
      workingSet = Math.max(0, r.getCgroupUsageBytes() - r.getCgroupInactiveFileBytes());
    }
    acc.observe(BreakdownMeasure.CGROUP_WORKING_SET, workingSet, utcNs);
  }

  private static void pools(MemoryPools p, long utcNs, ProcessWindowAccumulator acc) {
    int views = Shmem.heapViews(p.getSettings().get("gc"));
    if (views > 0) {
      acc.heapViews = views;
    }
    for (PoolUsage u : p.getPools()) {
      BreakdownMeasure measure = switch (u.getPool()) {
        case HEAP -> BreakdownMeasure.HEAP_USED;
        case METASPACE -> BreakdownMeasure.METASPACE;
        case CLASS_SPACE -> BreakdownMeasure.CLASS_SPACE;
        case CODE_CACHE -> BreakdownMeasure.CODE_CACHE;
        case GC_METADATA -> BreakdownMeasure.GC_METADATA;
        case DIRECT_BUFFERS -> BreakdownMeasure.DIRECT_BUFFERS;
        case MAPPED_BUFFERS -> BreakdownMeasure.MAPPED_BUFFERS;
        case THREAD_STACKS -> BreakdownMeasure.THREAD_STACKS;
        case GOROUTINE_STACKS -> BreakdownMeasure.GOROUTINE_STACKS;
        case HEAP_RELEASED -> BreakdownMeasure.HEAP_RELEASED;
        case RUNTIME_OTHER -> BreakdownMeasure.RUNTIME_OTHER;
        case NATIVE_TRACKED -> BreakdownMeasure.NATIVE_TRACKED;
        // eBPF's MALLOC/MMAP are by stack in allocations_1m; NATIVE is derived; PAGE_CACHE and
        // SHMEM come from the cgroup in ResidentMemory
        default -> null;
      };
      if (measure == null) {
        continue;
      }
      acc.observe(measure, u.getUsedBytes(), utcNs);
      switch (u.getPool()) {
        case HEAP -> acc.observe(BreakdownMeasure.HEAP_COMMITTED, u.getCommittedBytes(), utcNs);
        case THREAD_STACKS -> acc.observe(BreakdownMeasure.THREAD_COUNT, u.getCount(), utcNs);
        case GOROUTINE_STACKS ->
            acc.observe(BreakdownMeasure.GOROUTINE_COUNT, u.getCount(), utcNs);
        default -> { }
      }
    }
  }

  /**
   * The live set a GC cycle shows, or null: the marked live bytes where the runtime reports them
   * (Go, ZGC, Shenandoah, a G1 marking), else the heap after a full or old collection. A young or
   * mixed collection leaves garbage in the old regions it did not collect, so its heap-after is
   * no live set (the detection rules read cycles the same way).
   */
  static Long liveSet(GcCycle c) {
    if (c.getLiveBytes() != null) {
      return c.getLiveBytes();
    }
    GcGeneration g = c.getGeneration();
    return g == GcGeneration.FULL || g == GcGeneration.OLD ? c.getHeapAfterBytes() : null;
  }

  private static void rememberIdentity(TimedEvent e, ProcessWindowAccumulator acc) {
    acc.service = e.service != null ? e.service : acc.service;
    acc.namespace = e.namespace != null ? e.namespace : acc.namespace;
    acc.pod = e.pod != null ? e.pod : acc.pod;
    acc.container = e.container != null ? e.container : acc.container;
    acc.comm = e.comm != null ? e.comm : acc.comm;
    if (e.runtime != null && e.runtime != io.memfleet.event.Runtime.UNKNOWN) {
      acc.runtime = e.runtime;
    }
  }

  @Override
  public ProcessWindowAccumulator getResult(ProcessWindowAccumulator acc) {
    return acc;
  }

  @Override
  public ProcessWindowAccumulator merge(ProcessWindowAccumulator a, ProcessWindowAccumulator b) {
    return a.merge(b);
  }

  private EventCodec codec() {
    if (codec == null) {
      codec = EventCodec.fromClasspath();
    }
    return codec;
  }
}
