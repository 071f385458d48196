package io.memfleet.collector.ebpf.escalate;

import io.memfleet.collector.ebpf.perf.PerfSample;
import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.ebpf.stack.Stacks;
import io.memfleet.event.StackTrace;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns the perf samples of the allocator probes ({@code PerfProbes#addAllocatorProbes}) into
 * blocks: a malloc/calloc/realloc entry carries the size (and realloc's old pointer), its return
 * on the same thread the address and the call chain, free the address freed. Entries wait on a
 * per-thread stack for their return (glibc's realloc(NULL, n) enters malloc from inside realloc:
 * the inner return matches the inner entry).
 *
 * <pre>{@code
 * OutstandingAllocations live = OutstandingAllocations.withCapacity(65_536);
 * AllocatorCalls calls = new AllocatorCalls(AllocatorCalls.Blocks.of(live), 16);
 * new PerfScriptParser(calls).parse(reader);
 * live.byStack(nowNs, Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>Every call is seen (perf records every probe hit), so each block stands for itself
 * (period 1). A realloc that moved or resized a block frees the old one and allocates the new
 * one at the realloc's stack; a failed realloc (NULL for a non-zero size) keeps the old block.
 * A return without its entry (lost by perf, or the entry before the recording began) is counted
 * in {@link #unmatchedReturns()}. Not thread-safe: perf's reader thread calls it.
 */
public final class AllocatorCalls implements Consumer<PerfSample> {
  /** Entries a thread may have waiting; deeper is a lost return, the oldest is dropped. */
  private static final int MAX_PENDING = 8;

  /** Where blocks go: the process's {@code OutstandingAllocations}, under its lock. */
  public interface Blocks {
    void allocated(long address, long sizeBytes, StackTrace stack, long atNs);

    void freed(long address);

    /** Blocks of a tracker with no locking (tests, single-threaded use). */
    static Blocks of(io.memfleet.collector.ebpf.track.OutstandingAllocations live) {
      return new Blocks() {
        @Override
        public void allocated(long address, long sizeBytes, StackTrace stack, long atNs) {
          live.allocated(address, sizeBytes, 1, stack, atNs);
        }

        @Override
        public void freed(long address) {
          live.freed(address);
        }
      };
    }
  }

  private enum Function { MALLOC, CALLOC, REALLOC, FREE }

  private record Entry(Function function, long sizeBytes, long oldAddress) {}

  private final Blocks blocks;
  private final int stackDepth;
  private final Map<Integer, ArrayDeque<Entry>> pending = new HashMap<>();
  // written by the reader thread only, read by the escalation's tick
  private volatile long calls;
  private volatile long allocations;
  private volatile long frees;
  private volatile long unmatchedReturns;
  private volatile long ignored;

  public AllocatorCalls(Blocks blocks, int stackDepth) {
    this.blocks = blocks;
    this.stackDepth = stackDepth;
  }

  @Override
  public void accept(PerfSample s) {
    try {
      call(s);
    } catch (NumberFormatException e) {
      ignored++; // an argument perf printed in a form not expected: the sample is skipped
    }
  }

  private void call(PerfSample s) {
    String event = s.event();
    boolean isReturn = event.endsWith("__return");
    Function f = function(event);
    if (f == null) {
      ignored++;
      return;
    }
    if (f == Function.FREE) {
      calls++;
      frees++;
      long address = hex(s.arguments().get("ptr"));
      if (address != 0) {
        blocks.freed(address);
      }
      return;
    }
    if (!isReturn) {
      calls++;
      long size = f == Function.CALLOC
          ? number(s.arguments().get("nmemb")) * number(s.arguments().get("size"))
          : number(s.arguments().get("size"));
      long old = f == Function.REALLOC ? hex(s.arguments().get("old")) : 0;
      ArrayDeque<Entry> waiting = pending.computeIfAbsent(s.tid(), t -> new ArrayDeque<>());
      waiting.push(new Entry(f, size, old));
      if (waiting.size() > MAX_PENDING) {
        waiting.pollLast();
      }
      return;
    }
    Entry entry = take(s.tid(), f);
    if (entry == null) {
      unmatchedReturns++;
      return;
    }
    long address = hex(s.arguments().get("ptr"));
    if (f == Function.REALLOC && entry.oldAddress() != 0
        && (address != 0 || entry.sizeBytes() == 0)) {
      blocks.freed(entry.oldAddress());
    }
    if (address != 0 && entry.sizeBytes() > 0) {
      allocations++;
      StackTrace stack = s.frames().isEmpty() ? null
          : Stacks.toStackTrace(s.frames(), ModuleMap.empty(), stackDepth);
      blocks.allocated(address, entry.sizeBytes(), stack, s.timestampNs());
    }
  }

  /** The innermost waiting entry of {@code f} on thread {@code tid}; those above it were lost. */
  private Entry take(int tid, Function f) {
    ArrayDeque<Entry> waiting = pending.get(tid);
    if (waiting == null) {
      return null;
    }
    Iterator<Entry> it = waiting.iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      it.remove();
      if (e.function() == f) {
        if (waiting.isEmpty()) {
          pending.remove(tid);
        }
        return e;
      }
    }
    pending.remove(tid);
    return null;
  }

  /**
   * The allocator function of a probe event: {@code memfleet_812_0:malloc_812_0__return} →
   * MALLOC (group, the pid suffix and {@code __return} dropped); null for other events.
   */
  private static Function function(String event) {
    String name = event.substring(event.indexOf(':') + 1);
    if (name.endsWith("__return")) {
      name = name.substring(0, name.length() - "__return".length());
    }
    name = name.replaceFirst("(?:_\\d+)+$", "");
    return switch (name) {
      case "malloc" -> Function.MALLOC;
      case "calloc" -> Function.CALLOC;
      case "realloc" -> Function.REALLOC;
      case "free" -> Function.FREE;
      default -> null;
    };
  }

  private static long hex(String value) {
    if (value == null || value.isEmpty()) {
      return 0;
    }
    return value.startsWith("0x") ? Long.parseUnsignedLong(value.substring(2), 16)
        : Long.parseUnsignedLong(value, 16);
  }

  private static long number(String value) {
    if (value == null || value.isEmpty()) {
      return 0;
    }
    return value.startsWith("0x") ? Long.parseUnsignedLong(value.substring(2), 16)
        : Long.parseUnsignedLong(value);
  }

  /** Allocator calls seen: malloc, calloc and realloc entries and frees. */
  public long calls() {
    return calls;
  }

  /** Blocks handed out (successful returns with a size). */
  public long allocations() {
    return allocations;
  }

  public long frees() {
    return frees;
  }

  /** Returns whose entry was not seen. */
  public long unmatchedReturns() {
    return unmatchedReturns;
  }

  /** Samples of other events. */
  public long ignored() {
    return ignored;
  }
}
