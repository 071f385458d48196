package io.memfleet.collector.ebpf.track;

import io.memfleet.event.StackTrace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sampled page faults of one process kept by the page they touched, so what a stack faulted in
 * is counted only while the page is still there: a page released by munmap, a shrinking break
 * (malloc trimming its heap) or madvise(MADV_DONTNEED/FREE) takes its sample's bytes off the
 * stack that touched it. {@link FaultedInStacks} sums every fault and so names the code that
 * churns (a request handler whose scratch buffers malloc trims and hands out again faults over
 * and over); this names the code whose pages stay — a leak's.
 *
 * <pre>{@code
 * FaultedInPages pages = new FaultedInPages(65_536, 256);
 * pages.faulted(0x7f00_0000_1000L, stack, 100 * 4096, tsNs);  // a sample standing for 100 faults
 * pages.released(0x7f00_0000_0000L, 1 << 20, laterNs);         // munmap of that range
 * List<StackLevel> top = pages.top(3);
 * }</pre>
 *
 * <p>The fault and the mapping events come from two scripts read by two threads, so a sample
 * can arrive after the release of its page: releases of the last {@value #RECENT_NS} ns are
 * kept, and a sample older than a release that covers its page is dropped ({@link #late()}).
 * Bounded: at most {@code maxPages} pages are kept by address — beyond, the oldest page's bytes
 * stay with its stack but can no longer be released ({@link #spilled()}) — and at most
 * {@code maxStacks} stacks (samples at other stacks are counted in {@link #overflow()}).
 * Not thread-safe; callers lock the process.
 */
public final class FaultedInPages {
  static final long RECENT_NS = 5_000_000_000L;
  private static final int MAX_RECENT = 1024;
  private static final long PAGE_MASK = ~4095L;

  private record Sample(StackTrace stack, long bytes) {}

  private record Release(long start, long end, long atNs) {}

  private static final class Level {
    final StackTrace stack;
    long bytes;

    Level(StackTrace stack) {
      this.stack = stack;
    }
  }

  private final int maxPages;
  private final int maxStacks;
  private final TreeMap<Long, Sample> pages = new TreeMap<>(Long::compareUnsigned);
  private final ArrayDeque<Long> order = new ArrayDeque<>();
  private final Map<Long, Level> levels = new HashMap<>();
  private final ArrayDeque<Release> recent = new ArrayDeque<>();
  private long late;
  private long spilled;
  private long overflow;

  public FaultedInPages(int maxPages, int maxStacks) {
    if (maxPages < 1 || maxStacks < 1) {
      throw new IllegalArgumentException("maxPages and maxStacks must be positive");
    }
    this.maxPages = maxPages;
    this.maxStacks = maxStacks;
  }

  /** A fault sample at {@code address} by {@code stack}, standing for {@code bytes}. */
  public void faulted(long address, StackTrace stack, long bytes, long atNs) {
    if (stack == null || bytes <= 0) {
      return;
    }
    long page = address & PAGE_MASK;
    for (Release r : recent) {
      if (r.atNs >= atNs && Long.compareUnsigned(page, r.start) >= 0
          && Long.compareUnsigned(page, r.end) < 0) {
        late++;
        return;
      }
    }
    if (!levels.containsKey(stack.getHash()) && levels.size() >= maxStacks) {
      overflow++;
      return;
    }
    Sample before = pages.put(page, new Sample(stack, bytes));
    if (before != null) {
      take(before); // touched again without a release seen (copy on write, swapped back in)
    } else {
      order.addLast(page);
    }
    levels.computeIfAbsent(stack.getHash(), h -> new Level(stack)).bytes += bytes;
    while (pages.size() > maxPages) {
      Long oldest = order.pollFirst();
      if (oldest != null && pages.remove(oldest) != null) {
        spilled++;
      }
    }
    if (order.size() > 2 * Math.max(maxPages, pages.size())) {
      order.removeIf(p -> !pages.containsKey(p)); // drop the addresses released since
    }
  }

  /** The range [address, address + length) left the address space (or its pages were freed). */
  public void released(long address, long length, long atNs) {
    if (length <= 0) {
      return;
    }
    long end = address + length;
    recent.addLast(new Release(address & PAGE_MASK, end, atNs));
    while (recent.size() > MAX_RECENT || recent.peekFirst().atNs < atNs - RECENT_NS) {
      recent.pollFirst();
    }
    Iterator<Sample> hit = pages.subMap(address & PAGE_MASK, true, end, false).values()
        .iterator();
    while (hit.hasNext()) {
      take(hit.next());
      hit.remove();
    }
  }

  /** The {@code n} stacks whose touched pages are still there, most bytes first. */
  public List<StackLevel> top(int n) {
    List<StackLevel> out = new ArrayList<>();
    for (Level l : levels.values()) {
      if (l.bytes > 0) {
        out.add(new StackLevel(l.stack, l.bytes));
      }
    }
    out.sort(Comparator.comparingLong(StackLevel::bytes).reversed());
    return List.copyOf(out.subList(0, Math.min(n, out.size())));
  }

  /** Pages kept by address. */
  public int pages() {
    return pages.size();
  }

  /** Samples dropped because their page was released after they were taken. */
  public long late() {
    return late;
  }

  /** Pages no longer kept by address (over {@code maxPages}); their bytes stay counted. */
  public long spilled() {
    return spilled;
  }

  /** Samples not counted because {@code maxStacks} stacks were known. */
  public long overflow() {
    return overflow;
  }

  private void take(Sample s) {
    Level level = levels.get(s.stack.getHash());
    if (level == null) {
      return;
    }
    level.bytes -= s.bytes;
    if (level.bytes <= 0) {
      levels.remove(s.stack.getHash());
    }
  }
}
