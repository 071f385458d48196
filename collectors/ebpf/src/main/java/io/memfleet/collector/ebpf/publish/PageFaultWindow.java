package io.memfleet.collector.ebpf.publish;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.PageFault;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.event.StackTrace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Page-fault samples summed per process, stack and kind over a window (a second by default) and
 * published as one {@link PageFault} each, {@code count} = the faults the samples stand for:
 * host-wide, thousands of samples a second become at most {@code maxEvents} events per window.
 * The pairs with the most faults are published; the others are dropped and counted
 * ({@link #droppedEvents()}, {@link #droppedFaults()}), as are samples that found the window's
 * table full ({@code maxKeys} pairs).
 *
 * <pre>{@code
 * PageFaultWindow window = new PageFaultWindow(sink, headers, 200, 4096);
 * window.add(process, stack, false, 100, nsecs);   // one sample standing for 100 faults
 * window.flush();                                  // every second: publishes and starts anew
 * }</pre>
 *
 * <p>An event's header carries the first sample's time of its pair in the window. Thread-safe.
 */
public final class PageFaultWindow {
  private record Key(int pid, long startMs, long stackHash, boolean major) {}

  private static final class Sum {
    final ProcessIdentity process;
    final StackTrace stack;
    final boolean major;
    final long firstNs;
    long faults;

    Sum(ProcessIdentity process, StackTrace stack, boolean major, long firstNs) {
      this.process = process;
      this.stack = stack;
      this.major = major;
      this.firstNs = firstNs;
    }
  }

  private final EventSink sink;
  private final EventHeaders headers;
  private final int maxEvents;
  private final int maxKeys;
  private Map<Key, Sum> sums = new HashMap<>();
  private long samples;
  private long published;
  private long droppedEvents;
  private long droppedFaults;

  public PageFaultWindow(EventSink sink, EventHeaders headers, int maxEvents, int maxKeys) {
    if (maxEvents < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("maxEvents and maxKeys must be positive");
    }
    this.sink = Objects.requireNonNull(sink, "sink");
    this.headers = Objects.requireNonNull(headers, "headers");
    this.maxEvents = maxEvents;
    this.maxKeys = maxKeys;
  }

  /** Adds one sample standing for {@code count} faults of {@code process} at {@code stack}. */
  public synchronized void add(ProcessIdentity process, StackTrace stack, boolean major,
      long count, long monotonicNs) {
    samples++;
    Key key = new Key(process.getPid(), process.getProcessStartTimeMs(),
        stack == null ? 0 : stack.getHash(), major);
    Sum sum = sums.get(key);
    if (sum == null) {
      if (sums.size() >= maxKeys) {
        droppedEvents++;
        droppedFaults += count;
        return;
      }
      sum = new Sum(process, stack, major, monotonicNs);
      sums.put(key, sum);
    }
    sum.faults += count;
  }

  /** Publishes the window's largest sums (at most maxEvents) and starts a new window. */
  public void flush() {
    Map<Key, Sum> window;
    synchronized (this) {
      window = sums;
      sums = new HashMap<>();
    }
    List<Sum> all = new ArrayList<>(window.values());
    all.sort(Comparator.comparingLong((Sum s) -> s.faults).reversed());
    long dropped = 0;
    long droppedCount = 0;
    int n = 0;
    for (Sum s : all) {
      if (n++ >= maxEvents) {
        dropped++;
        droppedCount += s.faults;
        continue;
      }
      sink.publish(PageFault.newBuilder()
          .setHeader(headers.next(s.process, Source.EBPF, ClockDomain.MONOTONIC, s.firstNs))
          .setCount(s.faults)
          .setMajor(s.major)
          .setStack(s.stack)
          .build());
    }
    synchronized (this) {
      published += Math.min(all.size(), maxEvents);
      droppedEvents += dropped;
      droppedFaults += droppedCount;
    }
  }

  /** Samples added since the start. */
  public synchronized long samples() {
    return samples;
  }

  /** PageFault events published. */
  public synchronized long published() {
    return published;
  }

  /** (process, stack) sums not published: beyond maxEvents in their window, or table full. */
  public synchronized long droppedEvents() {
    return droppedEvents;
  }

  /** Faults those dropped sums stood for. */
  public synchronized long droppedFaults() {
    return droppedFaults;
  }
}
