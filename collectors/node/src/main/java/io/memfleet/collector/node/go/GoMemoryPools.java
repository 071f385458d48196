package io.memfleet.collector.node.go;

import io.memfleet.event.MemoryPool;
import io.memfleet.event.PoolUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A Go program's memory by pool, from one expvar memstats reading (Go 1.19
 * {@code runtime.MemStats}; field meanings from the runtime package documentation).
 *
 * <pre>{@code
 * List<PoolUsage> pools = GoMemoryPools.of(memstats, goroutines, env.memoryLimitBytes());
 * }</pre>
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>pool</th><th>used</th><th>committed</th><th>limit / count</th></tr>
 *   <tr><td>HEAP</td><td>HeapAlloc (reachable and not yet swept objects)</td>
 *       <td>HeapSys (heap address space obtained from the OS; includes HeapReleased)</td>
 *       <td>GOMEMLIMIT from the environment (it bounds all runtime memory, the heap
 *       foremost)</td></tr>
 *   <tr><td>HEAP_RELEASED</td><td>HeapReleased (returned to the OS, not resident)</td>
 *       <td>–</td><td>–</td></tr>
 *   <tr><td>GOROUTINE_STACKS</td><td>StackInuse</td><td>StackSys</td>
 *       <td>count = goroutines, when the goroutine profile was read</td></tr>
 *   <tr><td>GC_METADATA</td><td>GCSys + MSpanInuse + MCacheInuse (mark bits, span and
 *       per-P cache structures: what the collector needs to manage the heap)</td>
 *       <td>GCSys + MSpanSys + MCacheSys</td><td>–</td></tr>
 *   <tr><td>RUNTIME_OTHER</td><td>OtherSys + BuckHashSys (other runtime allocations and the
 *       profiling bucket table)</td><td>–</td><td>–</td></tr>
 * </table>
 * Together they add up to memstats {@code Sys} (minus the idle span/cache memory), the
 * runtime's whole footprint; what RSS holds beyond it is cgo/mmap by the program.
 */
public final class GoMemoryPools {
  /** Share of the memory limit's heap goal from which a goal counts as set by the limit. */
  static final double LIMIT_GOAL_SHARE = 0.9;

  private GoMemoryPools() {}

  public static List<PoolUsage> of(ExpvarMemStats m, OptionalLong goroutines,
      OptionalLong memoryLimit) {
    ExpvarMemStats.RuntimeSys r = m.runtime();
    List<PoolUsage> pools = new ArrayList<>();
    pools.add(pool(MemoryPool.HEAP, m.heapAlloc(), m.heapSys(), memoryLimit,
        OptionalLong.empty()));
    pools.add(pool(MemoryPool.HEAP_RELEASED, m.heapReleased(), null, OptionalLong.empty(),
        OptionalLong.empty()));
    pools.add(pool(MemoryPool.GOROUTINE_STACKS, m.stackInuse(), r.stackSys(),
        OptionalLong.empty(), goroutines));
    pools.add(pool(MemoryPool.GC_METADATA, r.gcSys() + r.mSpanInuse() + r.mCacheInuse(),
        r.gcSys() + r.mSpanSys() + r.mCacheSys(), OptionalLong.empty(), OptionalLong.empty()));
    pools.add(pool(MemoryPool.RUNTIME_OTHER, r.otherSys() + r.buckHashSys(), null,
        OptionalLong.empty(), OptionalLong.empty()));
    return pools;
  }

  private static PoolUsage pool(MemoryPool pool, long used, Long committed, OptionalLong limit,
      OptionalLong count) {
    return PoolUsage.newBuilder()
        .setPool(pool)
        .setUsedBytes(used)
        .setCommittedBytes(committed)
        .setLimitBytes(limit.isPresent() ? limit.getAsLong() : null)
        .setCount(count.isPresent() ? count.getAsLong() : null)
        .build();
  }

  /**
   * The live heap after the latest GC estimated from its heap goal: {@code NextGC / (1 +
   * GOGC/100)}. Go 1.18+ sets the goal to {@code marked + (marked + stacks + globals) × GOGC/100}
   * (GC roots included), so the estimate exceeds the marked heap by about
   * {@code (stacks + globals) × GOGC/(100 + GOGC)}: for GOGC=100, half of the goroutine stacks
   * and globals scanned (kilobytes to a few MiB). It is wrong when the goal was not set by GOGC:
   * the 4 MiB minimum heap (× GOGC/100) of a small program (live over-estimated), a GOMEMLIMIT
   * that pulled the goal down (under-estimated: {@link #goalSetByMemoryLimit} tells), or a GOGC
   * changed at run time. Empty for GOGC=off (the goal then comes only from the memory limit) or
   * GOGC=0.
   */
  public static OptionalLong estimatedLiveBytes(long nextGc, java.util.OptionalInt gogcPercent) {
    if (gogcPercent.isEmpty() || gogcPercent.getAsInt() <= 0 || nextGc <= 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.round(nextGc / (1 + gogcPercent.getAsInt() / 100.0)));
  }

  /**
   * True when the heap goal of {@code m} was set by the memory limit rather than by GOGC, so
   * {@link #estimatedLiveBytes} does not apply. Under a memory limit the runtime caps the goal
   * at the limit less the memory outside the heap ({@code Sys − HeapSys}: stacks, GC metadata,
   * the rest) less a few percent of headroom; a goal at {@value #LIMIT_GOAL_SHARE} of that or
   * above is taken as the limit's. Past the limit the goal is the heap itself, above it.
   * Measured on a leak under {@code GOMEMLIMIT=200MiB} ({@code go-memlimit-heap-leak}): the goal
   * stayed at 180.6 MiB with 15 MiB outside the heap while the live heap rose from 90 to 180
   * MiB, and the GOGC estimate stayed at 90.
   */
  public static boolean goalSetByMemoryLimit(ExpvarMemStats m, OptionalLong memoryLimit) {
    if (memoryLimit.isEmpty() || m.nextGc() <= 0) {
      return false;
    }
    long outsideHeap = Math.max(0, m.sys() - m.heapSys());
    return m.nextGc() >= LIMIT_GOAL_SHARE * (memoryLimit.getAsLong() - outsideHeap);
  }
}
