package io.memfleet.collector.ebpf.track;

import io.memfleet.event.StackTrace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Sampled native blocks that are still allocated (address → size, stack, time), so memfleet
 * can report "bytes still outstanding per allocating stack, older than N seconds", the memleak
 * question, continuously.
 *
 * <pre>{@code
 * OutstandingAllocations live = OutstandingAllocations.withCapacity(1_000_000);
 * live.allocated(addr, 4096, 10, stack, nowNs);      // a sampled malloc standing for 10 calls
 * live.freed(addr);                                 // its free
 * for (StackTotal t : live.byStack(nowNs, Duration.ofSeconds(5))) { ... t.estimatedBytes() ... }
 * }</pre>
 *
 * <p>Bounded: beyond {@code capacity} blocks the oldest is evicted and counted (the malloc
 * script bounds its own live map first, see malloc.bt). An allocation at an address already
 * tracked replaces the old block (its free was missed, e.g. realloc(NULL, n) reported twice) and
 * is counted. Not thread-safe: feed it from one thread, or synchronise.
 */
public final class OutstandingAllocations {
  /** One live sampled block. */
  public record Block(long sizeBytes, long period, long stackHash, long allocatedAtNs) {}

  /**
   * What one stack still holds.
   *
   * @param stack the allocating stack
   * @param blocks sampled blocks still live
   * @param sampledBytes their sizes summed
   * @param estimatedBytes sizes times their sampling periods: the estimate of all bytes
   * @param oldestAllocatedAtNs allocation time of the oldest block (MONOTONIC ns)
   */
  public record StackTotal(StackTrace stack, long blocks, long sampledBytes, long estimatedBytes,
      long oldestAllocatedAtNs) {}

  private final int capacity;
  private final LinkedHashMap<Long, Block> blocks = new LinkedHashMap<>();
  private final Map<Long, StackTrace> stacks = new HashMap<>();
  private final Map<Long, Integer> stackRefs = new HashMap<>();
  private long sampledBytes;
  private long estimatedBytes;
  private long evictions;
  private long replaced;
  private long unmatchedFrees;

  private OutstandingAllocations(int capacity) {
    this.capacity = capacity;
  }

  public static OutstandingAllocations withCapacity(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    return new OutstandingAllocations(capacity);
  }

  /** Records a sampled allocation; {@code period} is how many calls the sample stands for. */
  public void allocated(long address, long sizeBytes, long period, StackTrace stack, long atNs) {
    if (blocks.containsKey(address)) {
      remove(address);
      replaced++;
    }
    long hash = stack == null ? 0L : stack.getHash();
    if (stack != null) {
      stacks.putIfAbsent(hash, stack);
    }
    stackRefs.merge(hash, 1, Integer::sum);
    Block block = new Block(sizeBytes, Math.max(1, period), hash, atNs);
    blocks.put(address, block);
    sampledBytes += block.sizeBytes();
    estimatedBytes += block.sizeBytes() * block.period();
    while (blocks.size() > capacity) {
      Iterator<Long> oldest = blocks.keySet().iterator();
      long victim = oldest.next();
      remove(victim);
      evictions++;
    }
  }

  /** Records a free; returns the block's size when it was tracked. */
  public OptionalLong freed(long address) {
    Block block = remove(address);
    if (block == null) {
      unmatchedFrees++;
      return OptionalLong.empty();
    }
    return OptionalLong.of(block.sizeBytes());
  }

  /** The block at {@code address}, or {@code null}. */
  public Block get(long address) {
    return blocks.get(address);
  }

  /**
   * Outstanding bytes per stack, counting only blocks at least {@code minAge} old at
   * {@code nowNs}; largest estimate first.
   */
  public List<StackTotal> byStack(long nowNs, Duration minAge) {
    long cutoff = nowNs - minAge.toNanos();
    Map<Long, long[]> sums = new HashMap<>();
    for (Block b : blocks.values()) {
      if (b.allocatedAtNs() > cutoff) {
        continue;
      }
      long[] s = sums.computeIfAbsent(b.stackHash(), k -> new long[] {0, 0, 0, Long.MAX_VALUE});
      s[0]++;
      s[1] += b.sizeBytes();
      s[2] += b.sizeBytes() * b.period();
      s[3] = Math.min(s[3], b.allocatedAtNs());
    }
    List<StackTotal> totals = new ArrayList<>();
    for (Map.Entry<Long, long[]> e : sums.entrySet()) {
      long[] s = e.getValue();
      totals.add(new StackTotal(stacks.get(e.getKey()), s[0], s[1], s[2], s[3]));
    }
    totals.sort(Comparator.comparingLong(StackTotal::estimatedBytes).reversed());
    return totals;
  }

  public int size() {
    return blocks.size();
  }

  public long sampledBytes() {
    return sampledBytes;
  }

  /** All live sampled bytes times their periods, regardless of age. */
  public long estimatedBytes() {
    return estimatedBytes;
  }

  /** Blocks dropped because the tracker was full. */
  public long evictions() {
    return evictions;
  }

  /** Allocations at an address that was still tracked. */
  public long replacedAddresses() {
    return replaced;
  }

  /** Frees of addresses not tracked (evicted, or allocated before tracking began). */
  public long unmatchedFrees() {
    return unmatchedFrees;
  }

  private Block remove(long address) {
    Block block = blocks.remove(address);
    if (block == null) {
      return null;
    }
    sampledBytes -= block.sizeBytes();
    estimatedBytes -= block.sizeBytes() * block.period();
    stackRefs.computeIfPresent(block.stackHash(), (k, n) -> n > 1 ? n - 1 : null);
    if (!stackRefs.containsKey(block.stackHash())) {
      stacks.remove(block.stackHash());
    }
    return block;
  }
}
