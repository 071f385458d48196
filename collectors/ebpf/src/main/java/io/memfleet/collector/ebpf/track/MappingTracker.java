package io.memfleet.collector.ebpf.track;

import io.memfleet.event.StackTrace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The address ranges a process mapped (mmap, mremap) and released (munmap) since the collector
 * attached, plus its heap break (brk), so memfleet can report outstanding mapped bytes — a leak
 * of mappings shows as a total that only grows.
 *
 * <pre>{@code
 * MappingTracker maps = new MappingTracker();
 * maps.mapped(addr, 65536, nowNs, stack);
 * maps.unmapped(addr, 65536);          // exact, whole-range and partial unmaps all handled
 * List<StackLevel> top = maps.byStack(3); // who mapped what is still mapped
 * maps.brk(newBreak);                  // first call sets the baseline unless one was given
 * long total = maps.outstandingBytes();
 * }</pre>
 *
 * <p>Only ranges mapped after attach are known: unmapping an older range changes nothing, and
 * mremap of an older range counts only its growth. An unmap cuts every tracked range it overlaps
 * (trimming an end or splitting the middle out), as the kernel does. Bounded when built with
 * {@code maxRanges}: a mapping that would exceed it is not tracked (its bytes are not counted,
 * it is counted in {@link #untrackedMappings()}; adjacent mappings of one stack are joined into
 * one range). A mapping made with its stack counts for
 * that stack while it stays ({@link #byStack}): the stack that maps and never unmaps is named,
 * not the one that maps the most. Not thread-safe.
 */
public final class MappingTracker {
  /** A tracked range [start, start + length). */
  public record Range(long start, long length, long mappedAtNs, StackTrace stack) {
    long end() {
      return start + length;
    }
  }

  private final TreeMap<Long, Range> ranges = new TreeMap<>(Long::compareUnsigned);
  private final int maxRanges;
  private long mappedBytes;
  private long brkBaseline = -1;
  private long brkCurrent = -1;
  private long untracked;
  private final Map<Long, long[]> bytesByStack = new HashMap<>();
  private final Map<Long, StackTrace> stacks = new HashMap<>();

  /** Unbounded: every range is tracked. */
  public MappingTracker() {
    this(Integer.MAX_VALUE);
  }

  /** Tracks at most {@code maxRanges} ranges (a host-wide collector bounds each process). */
  public MappingTracker(int maxRanges) {
    if (maxRanges < 1) {
      throw new IllegalArgumentException("maxRanges must be positive");
    }
    this.maxRanges = maxRanges;
  }

  /** Sets where the heap started (e.g. start_brk from /proc/PID/stat), before any brk event. */
  public void brkBaseline(long startBrk) {
    this.brkBaseline = startBrk;
  }

  /** Records a successful mmap whose stack is unknown. */
  public void mapped(long address, long length, long atNs) {
    mapped(address, length, atNs, null);
  }

  /** Records a successful mmap made at {@code stack} (null when unknown). */
  public void mapped(long address, long length, long atNs, StackTrace stack) {
    if (length <= 0) {
      return;
    }
    unmapped(address, length); // MAP_FIXED over an existing range replaces it
    Range range = new Range(address, length, atNs, stack);
    // a range next to one of the same stack joins it, as the kernel merges adjacent anonymous
    // mappings: a program mapping segment after segment stays one range, not thousands
    Map.Entry<Long, Range> below = ranges.lowerEntry(address);
    if (below != null && below.getValue().end() == address && sameStack(below.getValue(), range)) {
      drop(below.getValue());
      range = new Range(below.getKey(), below.getValue().length() + length,
          below.getValue().mappedAtNs(), stack);
    }
    Range above = ranges.get(address + length);
    if (above != null && sameStack(above, range)) {
      drop(above);
      range = new Range(range.start(), range.length() + above.length(),
          Math.min(range.mappedAtNs(), above.mappedAtNs()), stack);
    }
    if (ranges.size() >= maxRanges) {
      untracked++;
      return;
    }
    keep(range);
  }

  private static boolean sameStack(Range a, Range b) {
    return a.stack() == null ? b.stack() == null
        : b.stack() != null && a.stack().getHash() == b.stack().getHash();
  }

  /** Mappings not tracked because {@code maxRanges} ranges were tracked already. */
  public long untrackedMappings() {
    return untracked;
  }

  /** Records a successful munmap; returns how many tracked bytes it released. */
  public long unmapped(long address, long length) {
    if (length <= 0) {
      return 0;
    }
    long end = address + length;
    List<Range> hit = new ArrayList<>();
    Map.Entry<Long, Range> before = ranges.lowerEntry(address);
    if (before != null && Long.compareUnsigned(before.getValue().end(), address) > 0) {
      hit.add(before.getValue());
    }
    for (Range r : ranges.subMap(address, true, end, false).values()) {
      hit.add(r);
    }
    long released = 0;
    for (Range r : hit) {
      drop(r);
      if (Long.compareUnsigned(r.start(), address) < 0) {
        keep(new Range(r.start(), address - r.start(), r.mappedAtNs(), r.stack()));
      }
      if (Long.compareUnsigned(r.end(), end) > 0) {
        keep(new Range(end, r.end() - end, r.mappedAtNs(), r.stack()));
      }
      long overlapStart = Long.compareUnsigned(r.start(), address) > 0 ? r.start() : address;
      long overlapEnd = Long.compareUnsigned(r.end(), end) < 0 ? r.end() : end;
      released += overlapEnd - overlapStart;
    }
    return released;
  }

  /** Records a successful mremap: the range keeps the stack that mapped it. */
  public void remapped(long oldAddress, long oldLength, long newAddress, long newLength,
      long atNs) {
    Map.Entry<Long, Range> at = ranges.floorEntry(oldAddress);
    StackTrace stack = at != null && Long.compareUnsigned(at.getValue().end(), oldAddress) > 0
        ? at.getValue().stack() : null;
    long moved = unmapped(oldAddress, oldLength);
    if (moved > 0) {
      mapped(newAddress, newLength, atNs, stack);
    } else if (newLength > oldLength) {
      mapped(newAddress + oldLength, newLength - oldLength, atNs);
    }
  }

  /** The {@code n} stacks whose mappings are still mapped, most bytes first. */
  public List<StackLevel> byStack(int n) {
    List<StackLevel> out = new ArrayList<>();
    bytesByStack.forEach((hash, bytes) -> out.add(new StackLevel(stacks.get(hash), bytes[0])));
    out.sort(Comparator.comparingLong(StackLevel::bytes).reversed());
    return List.copyOf(out.subList(0, Math.min(n, out.size())));
  }

  /**
   * Records the break returned by brk; returns the signed change since the previous one (0 for
   * the first when no baseline was set).
   */
  public long brk(long newBreak) {
    long previous = brkCurrent >= 0 ? brkCurrent : (brkBaseline >= 0 ? brkBaseline : newBreak);
    if (brkBaseline < 0) {
      brkBaseline = newBreak;
    }
    brkCurrent = newBreak;
    return newBreak - previous;
  }

  /** Bytes in tracked mappings. */
  public long mappedBytes() {
    return mappedBytes;
  }

  /** Heap growth since the baseline (never negative). */
  public long brkBytes() {
    return brkCurrent < 0 || brkBaseline < 0 ? 0 : Math.max(0, brkCurrent - brkBaseline);
  }

  /** Mapped bytes plus heap growth: what this process's address space gained since attach. */
  public long outstandingBytes() {
    return mappedBytes + brkBytes();
  }

  public int rangeCount() {
    return ranges.size();
  }

  private void keep(Range r) {
    ranges.put(r.start(), r);
    mappedBytes += r.length();
    if (r.stack() != null) {
      long hash = r.stack().getHash();
      stacks.putIfAbsent(hash, r.stack());
      bytesByStack.computeIfAbsent(hash, h -> new long[1])[0] += r.length();
    }
  }

  private void drop(Range r) {
    ranges.remove(r.start());
    mappedBytes -= r.length();
    if (r.stack() != null) {
      long hash = r.stack().getHash();
      long[] bytes = bytesByStack.get(hash);
      if (bytes != null && (bytes[0] -= r.length()) <= 0) {
        bytesByStack.remove(hash);
        stacks.remove(hash);
      }
    }
  }
}
