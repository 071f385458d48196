package io.memfleet.collector.ebpf.escalate;

import io.memfleet.collector.ebpf.perf.PerfPipe;
import io.memfleet.collector.ebpf.track.OutstandingAllocations;
import io.memfleet.collector.ebpf.track.TracedProcess;
import io.memfleet.event.StackTrace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process under {@link MallocEscalation}: its perf pipe (the allocator probes' samples into
 * {@link AllocatorCalls}, whose blocks go into the process's {@link OutstandingAllocations} under
 * its lock) and the judgement, once per report interval, of whether its window should end
 * ({@link #stopReason}): the process exited, perf ended, the call rate went over the cap, the
 * window is over, or — from {@value #PROBATION_SECONDS} s on — no stack's outstanding bytes rose
 * by {@value #MIN_HELD_RISE_BYTES} bytes over the last {@value #RISE_INTERVALS} intervals (a
 * warm-up, a cache that filled: nothing held grows).
 *
 * <p>Not thread-safe: {@link #stopReason} from the escalation's tick only; the pipe calls the
 * tracker on its reader thread.
 */
final class EscalatedProcess {
  /** After this long, a window goes on only while some stack's outstanding level rises. */
  static final long PROBATION_SECONDS = 60;
  static final long MIN_HELD_RISE_BYTES = 1 << 20;
  /** Intervals the rise is measured over. */
  static final int RISE_INTERVALS = 2;

  /** The bounds of a window. */
  record Limits(Duration window, long maxCallsPerSecond, Duration minAge) {}

  final TracedProcess process;
  final HeapGrowthTrigger.Key key;
  final int slot;
  final AllocatorCalls calls;
  final PerfPipe pipe;
  final long startNs = System.nanoTime();
  private final Limits limits;
  private final ArrayDeque<Map<Long, Long>> levels = new ArrayDeque<>();
  private long lastCalls;
  private long lastTickNs = startNs;
  private long lastRate;
  private boolean overCap;
  /** Recording, and not yet asked to end (the tick's view; guarded by the escalation). */
  boolean started;

  EscalatedProcess(TracedProcess process, HeapGrowthTrigger.Key key, int slot,
      List<String> events, Path perf, int stackDepth, Path workDir, Limits limits) {
    this.process = process;
    this.key = key;
    this.slot = slot;
    this.limits = limits;
    this.calls = new AllocatorCalls(new AllocatorCalls.Blocks() {
      @Override
      public void allocated(long address, long sizeBytes, StackTrace stack, long atNs) {
        synchronized (process) {
          process.live().allocated(address, sizeBytes, 1, stack, atNs);
        }
      }

      @Override
      public void freed(long address) {
        synchronized (process) {
          if (process.hasLive()) {
            process.live().freed(address);
          }
        }
      }
    }, stackDepth);
    List<String> recorded = new ArrayList<>();
    for (String e : events) {
      // stacks only where they name the caller: at the returns (at an entry the walk skips
      // the direct caller, whose frame is not set up yet)
      recorded.add(e + (e.endsWith("__return") ? "/call-graph=fp/" : "/call-graph=no/"));
    }
    this.pipe = PerfPipe.builder().perf(perf).pid(process.pid()).events(recorded)
        .maxStack(stackDepth).workDir(workDir).consumer(calls).build();
  }

  /** Why the window should end now, or null while it goes on. */
  String stopReason(long nowNs) {
    long elapsedNs = nowNs - startNs;
    if (!ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false)) {
      return "the process exited";
    }
    PerfPipe.Stats ps = pipe.stats();
    if (ps.finished()) {
      return "perf ended" + (ps.problem() == null ? "" : ": " + ps.problem());
    }
    long n = calls.calls();
    lastRate = (n - lastCalls) * 1_000_000_000L / Math.max(1, nowNs - lastTickNs);
    lastCalls = n;
    lastTickNs = nowNs;
    if (lastRate > limits.maxCallsPerSecond()) {
      overCap = true;
      return lastRate + " allocator calls/s, over the cap of " + limits.maxCallsPerSecond();
    }
    if (elapsedNs >= limits.window().toNanos()) {
      return "its window of " + limits.window().toSeconds() + " s is over";
    }
    Map<Long, Long> now = new HashMap<>();
    synchronized (process) {
      if (process.hasLive()) {
        for (OutstandingAllocations.StackTotal t
            : process.live().byStack(nowNs, limits.minAge())) {
          now.put(t.stack() == null ? 0L : t.stack().getHash(), t.estimatedBytes());
        }
      }
    }
    levels.addLast(now);
    while (levels.size() > RISE_INTERVALS + 1) {
      levels.pollFirst();
    }
    if (elapsedNs >= TimeUnit.SECONDS.toNanos(PROBATION_SECONDS)
        && maxRise(levels.peekFirst(), now) < MIN_HELD_RISE_BYTES) {
      return "no stack's outstanding bytes rose by " + (MIN_HELD_RISE_BYTES >> 10)
          + " KiB over the last " + RISE_INTERVALS + " intervals";
    }
    return null;
  }

  /** Whether the last {@link #stopReason} ended the window for the call rate. */
  boolean overCap() {
    return overCap;
  }

  /** Allocator calls per second in the last interval. */
  long lastRate() {
    return lastRate;
  }

  /** The largest rise of one stack's level between two reports (a new stack rose from 0). */
  static long maxRise(Map<Long, Long> before, Map<Long, Long> now) {
    long max = 0;
    for (Map.Entry<Long, Long> e : now.entrySet()) {
      max = Math.max(max, e.getValue() - before.getOrDefault(e.getKey(), 0L));
    }
    return max;
  }
}
