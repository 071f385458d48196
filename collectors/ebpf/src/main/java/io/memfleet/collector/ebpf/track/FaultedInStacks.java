package io.memfleet.collector.ebpf.track;

import io.memfleet.event.StackTrace;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Page faults since attach, summed per user stack: with the default scripts (no allocator
 * probes) this is memfleet's answer to "where does native memory grow" — the first touch of a
 * new anonymous page faults at the code that uses it, so estimated faulted-in bytes
 * (sampled faults × period × page size) by stack point at the code growing the footprint.
 * It counts growth, not what is still held: a page freed and touched again faults again.
 *
 * <pre>{@code
 * FaultedInStacks faulted = new FaultedInStacks(4096);
 * faulted.add(stack, 100);                       // one sample standing for 100 faults
 * List<FaultedInStacks.Total> top = faulted.top(5);
 * }</pre>
 *
 * <p>Bounded: once {@code maxStacks} stacks are known, faults at new stacks are only counted
 * in {@link #overflowFaults()}. Not thread-safe; callers synchronise.
 */
public final class FaultedInStacks {
  /** Faults at one stack; bytes assume one base page per fault. */
  public record Total(StackTrace stack, long faults, long bytes) {}

  private final int maxStacks;
  private final long pageSize;
  private final Map<Long, StackTrace> stacks = new HashMap<>();
  private final Map<Long, Long> faults = new HashMap<>();
  private long overflow;

  public FaultedInStacks(int maxStacks) {
    this(maxStacks, 4096);
  }

  public FaultedInStacks(int maxStacks, long pageSize) {
    if (maxStacks < 1 || pageSize < 1) {
      throw new IllegalArgumentException("maxStacks and pageSize must be positive");
    }
    this.maxStacks = maxStacks;
    this.pageSize = pageSize;
  }

  /** Adds {@code count} estimated faults at {@code stack} (ignored when null). */
  public void add(StackTrace stack, long count) {
    if (stack == null || count <= 0) {
      return;
    }
    long key = stack.getHash();
    if (!faults.containsKey(key) && faults.size() >= maxStacks) {
      overflow += count;
      return;
    }
    stacks.putIfAbsent(key, stack);
    faults.merge(key, count, Long::sum);
  }

  /** The {@code n} stacks with the most faults, most first. */
  public List<Total> top(int n) {
    return faults.entrySet().stream()
        .sorted(Map.Entry.<Long, Long>comparingByValue(Comparator.reverseOrder()))
        .limit(n)
        .map(e -> new Total(stacks.get(e.getKey()), e.getValue(), e.getValue() * pageSize))
        .toList();
  }

  public int size() {
    return faults.size();
  }

  /** Faults not attributed because the table was full. */
  public long overflowFaults() {
    return overflow;
  }
}
