package io.memfleet.collector.ebpf.publish;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ebpf.bpftrace.ProbeEvent;
import io.memfleet.collector.ebpf.bpftrace.ProbeListener;
import io.memfleet.collector.ebpf.stack.Frame;
import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.ebpf.stack.ReturnAddresses;
import io.memfleet.collector.ebpf.stack.StackScan;
import io.memfleet.collector.ebpf.stack.Stacks;
import io.memfleet.collector.ebpf.track.FaultedInStacks;
import io.memfleet.collector.ebpf.track.MappingTracker;
import io.memfleet.collector.ebpf.track.OutstandingAllocations;
import io.memfleet.collector.ebpf.track.ResidentCounters;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.Free;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.PageFault;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.event.StackTrace;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the events of the per-process bpftrace scripts (malloc, mmap, faults, rss) for one
 * target process into memfleet events, keeping the trackers that give them meaning:
 * {@code alloc}/{@code free} → {@link Allocation} (MALLOC/CALLOC/REALLOC) and {@link Free},
 * tracked in {@link OutstandingAllocations} and reported per stack as {@link Allocation} kind
 * OUTSTANDING by {@link #reportOutstanding}; {@code mmap}/{@code munmap}/{@code mremap}/
 * {@code brk} → {@link MemoryMapping} with outstanding mapped bytes; {@code fault} →
 * {@link PageFault} (stacks that ended in the C library completed by {@link StackScan}, and
 * summed per stack in {@link #faultedIn}); {@code rss} → {@link ResidentMemory}. Every event is
 * stamped {@code source=EBPF, clockDomain=MONOTONIC, rawTimestamp=nsecs}.
 *
 * <pre>{@code
 * NativeMemoryPublisher pub = NativeMemoryPublisher.builder().sink(sink).headers(headers)
 *     .process(identities.forPid(pid)).stackDepth(16).build();
 * runner = BpftraceRunner.builder()...listener(pub).build();
 * pub.reportOutstanding(System.nanoTime(), Duration.ofSeconds(30), 20);   // periodically
 * }</pre>
 *
 * <p>Thread-safe: several runners and a reporting thread may call it at once.
 */
public final class NativeMemoryPublisher implements ProbeListener {
  private static final Logger LOG = LoggerFactory.getLogger(NativeMemoryPublisher.class);

  private final EventSink sink;
  private final EventHeaders headers;
  private final ProcessIdentity process;
  private final int stackDepth;
  private final OutstandingAllocations live;
  private final MappingTracker mappings = new MappingTracker();
  private final ResidentCounters resident;
  private final FaultedInStacks faulted = new FaultedInStacks(4096);
  private final ReturnAddresses returnAddresses;
  private volatile ModuleMap modules;
  private final AtomicLong recoveredStacks = new AtomicLong();
  private final AtomicLong ignored = new AtomicLong();
  private final AtomicLong droppedInKernel = new AtomicLong();
  private final AtomicLong problems = new AtomicLong();

  private NativeMemoryPublisher(Builder b) {
    this.sink = b.sink;
    this.headers = b.headers;
    this.process = b.process;
    this.stackDepth = b.stackDepth;
    this.live = OutstandingAllocations.withCapacity(b.maxTracked);
    this.modules = ModuleMap.readOrEmpty(process.getPid());
    this.returnAddresses = new ReturnAddresses(process.getPid(), () -> modules);
    this.resident = ResidentCounters.seededFrom(process.getPid());
    StartBrk.read(process.getPid()).ifPresent(mappings::brkBaseline);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void onEvent(ProbeEvent e) {
    switch (e.name()) {
      case "alloc" -> allocated(e);
      case "free" -> freed(e);
      case "stats" -> droppedInKernel.set(e.longField("dropped"));
      case "mmap", "munmap", "mremap", "brk" -> addressSpace(e);
      case "fault" -> fault(e);
      case "rss" -> rss(e);
      default -> {
        ignored.incrementAndGet();
        LOG.debug("ignored {} event", e.name());
      }
    }
  }

  @Override
  public void onProblem(String problem) {
    problems.incrementAndGet();
  }

  /**
   * Publishes one OUTSTANDING {@link Allocation} per stack (the {@code top} largest) holding
   * blocks older than {@code minAge}: outstandingBytes and weightBytes are the estimate (sampled
   * sizes times sampling periods), sizeBytes the sampled bytes. Returns what was published.
   */
  public List<OutstandingAllocations.StackTotal> reportOutstanding(long nowMonotonicNs,
      Duration minAge, int top) {
    List<OutstandingAllocations.StackTotal> totals;
    synchronized (live) {
      totals = live.byStack(nowMonotonicNs, minAge);
    }
    totals = totals.subList(0, Math.min(top, totals.size()));
    for (OutstandingAllocations.StackTotal t : totals) {
      sink.publish(Allocation.newBuilder()
          .setHeader(header(nowMonotonicNs))
          .setKind(AllocationKind.OUTSTANDING)
          .setSizeBytes(t.sampledBytes())
          .setWeightBytes(t.estimatedBytes())
          .setStack(t.stack())
          .setAgeNs(nowMonotonicNs - t.oldestAllocatedAtNs())
          .setOutstandingBytes(t.estimatedBytes())
          .build());
    }
    return List.copyOf(totals);
  }

  /** Outstanding bytes per stack right now, without publishing (for status views and tests). */
  public List<OutstandingAllocations.StackTotal> outstanding(long nowMonotonicNs,
      Duration minAge) {
    synchronized (live) {
      return live.byStack(nowMonotonicNs, minAge);
    }
  }

  /** Tracked mapped bytes plus heap growth since attach. */
  public long outstandingMappedBytes() {
    synchronized (mappings) {
      return mappings.outstandingBytes();
    }
  }

  /**
   * Estimated faulted-in bytes per stack since attach, most first: where native memory grew
   * (see {@link FaultedInStacks}).
   */
  public List<FaultedInStacks.Total> faultedIn(int top) {
    synchronized (faulted) {
      return faulted.top(top);
    }
  }

  /** Page-fault stacks that {@link StackScan} completed since the publisher was built. */
  public long recoveredFaultStacks() {
    return recoveredStacks.get();
  }

  /** Counters worth showing next to the runner's: evictions, unmatched frees, kernel drops. */
  public String describeCounters() {
    synchronized (live) {
      return "tracked=" + live.size() + " evicted=" + live.evictions() + " unmatchedFrees="
          + live.unmatchedFrees() + " replaced=" + live.replacedAddresses()
          + " droppedInKernel=" + droppedInKernel.get() + " ignored=" + ignored.get()
          + " recoveredFaultStacks=" + recoveredStacks.get();
    }
  }

  private void allocated(ProbeEvent e) {
    long address = e.longField("addr");
    long size = e.longField("size");
    long period = e.longField("period");
    StackTrace stack = stack(e);
    synchronized (live) {
      live.allocated(address, size, period, stack, e.timestampNs());
    }
    sink.publish(Allocation.newBuilder()
        .setHeader(header(e.timestampNs()))
        .setKind(kind(e))
        .setSizeBytes(size)
        .setWeightBytes(size * period)
        .setAddress(address)
        .setStack(stack)
        .build());
  }

  private void freed(ProbeEvent e) {
    long address = e.longField("addr");
    OptionalLong size;
    synchronized (live) {
      size = live.freed(address);
    }
    OptionalLong printed = e.optionalLong("size");
    Long sizeBytes = size.isPresent() ? Long.valueOf(size.getAsLong())
        : printed.isPresent() && printed.getAsLong() > 0 ? printed.getAsLong() : null;
    sink.publish(Free.newBuilder()
        .setHeader(header(e.timestampNs()))
        .setKind(kind(e))
        .setAddress(address)
        .setSizeBytes(sizeBytes)
        .build());
  }

  private void addressSpace(ProbeEvent e) {
    long ret = e.longField("ret");
    MemoryMapping.Builder m = MemoryMapping.newBuilder().setHeader(header(e.timestampNs()));
    synchronized (mappings) {
      switch (e.name()) {
        case "mmap" -> {
          if (ret < 0) {
            return; // failed mmap: nothing changed
          }
          long length = e.longField("len");
          mappings.mapped(ret, length, e.timestampNs());
          int fd = (int) e.longField("fd");
          m.setOp(MappingOp.MMAP).setAddress(ret).setLengthBytes(length)
              .setProtection(MmapFlags.protection(e.longField("prot")))
              .setFlags(MmapFlags.flags(e.longField("flags")))
              .setPath(fd >= 0 ? MmapFlags.fdPath(process.getPid(), fd) : null)
              .setStack(stack(e));
        }
        case "munmap" -> {
          if (ret != 0) {
            return;
          }
          long address = e.longField("addr");
          long length = e.longField("len");
          mappings.unmapped(address, length);
          m.setOp(MappingOp.MUNMAP).setAddress(address).setLengthBytes(length);
        }
        case "mremap" -> {
          if (ret < 0) {
            return;
          }
          long length = e.longField("len");
          mappings.remapped(e.longField("addr"), e.longField("old_len"), ret, length,
              e.timestampNs());
          m.setOp(MappingOp.MREMAP).setAddress(ret).setLengthBytes(length);
        }
        default -> { // brk
          long change = mappings.brk(ret);
          m.setOp(MappingOp.BRK).setAddress(ret).setLengthBytes(change);
        }
      }
      m.setOutstandingBytes(mappings.outstandingBytes());
    }
    sink.publish(m.build());
  }

  private void fault(ProbeEvent e) {
    List<Frame> frames = e.stack();
    String words = e.field("words");
    if (words != null && !frames.isEmpty()) {
      resolved(frames);
      try {
        List<Frame> recovered = StackScan.recover(frames,
            Long.parseUnsignedLong(e.field("sp"), 16), hexWords(words), returnAddresses);
        if (recovered != frames) {
          recoveredStacks.incrementAndGet();
          frames = recovered;
        }
      } catch (NumberFormatException bad) {
        // published with the walked stack only; the runner already counted well-formed lines
        problems.incrementAndGet();
      }
    }
    StackTrace stack = frames.isEmpty() ? null
        : Stacks.toStackTrace(frames, resolved(frames), stackDepth);
    long count = e.longField("count");
    synchronized (faulted) {
      faulted.add(stack, count);
    }
    sink.publish(PageFault.newBuilder()
        .setHeader(header(e.timestampNs()))
        .setCount(count)
        .setMajor(e.longField("major") != 0)
        .setStack(stack)
        .build());
  }

  private static long[] hexWords(String text) {
    String[] parts = text.split(",");
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parts[i].isEmpty() ? 0 : Long.parseUnsignedLong(parts[i], 16);
    }
    return out;
  }

  private void rss(ProbeEvent e) {
    ResidentMemory.Builder r = ResidentMemory.newBuilder().setHeader(header(e.timestampNs()));
    synchronized (resident) {
      if (!resident.update((int) e.longField("member"), e.longField("bytes"))) {
        ignored.incrementAndGet();
        return;
      }
      r.setRssBytes(resident.rssBytes()).setAnonBytes(resident.anonBytes())
          .setFileBytes(resident.fileBytes()).setShmemBytes(resident.shmemBytes())
          .setSwapBytes(resident.swapBytes());
    }
    sink.publish(r.build());
  }

  private StackTrace stack(ProbeEvent e) {
    if (e.stack().isEmpty()) {
      return null;
    }
    return Stacks.toStackTrace(e.stack(), resolved(e.stack()), stackDepth);
  }

  /** The module map, re-read once when a frame lies in no known mapping. */
  private ModuleMap resolved(List<Frame> frames) {
    ModuleMap m = modules;
    boolean unresolved = false;
    for (Frame f : frames) {
      unresolved |= f.symbol() == null && m.find(f.address()).isEmpty();
    }
    if (unresolved) {
      // a library loaded after the last read: refresh once, cheaply bounded by the event rate
      m = ModuleMap.readOrEmpty(process.getPid());
      if (!m.mappings().isEmpty()) {
        modules = m;
      }
    }
    return m;
  }

  private static AllocationKind kind(ProbeEvent e) {
    String kind = e.field("kind");
    return switch (kind == null ? "" : kind) {
      case "1" -> AllocationKind.MALLOC;
      case "2" -> AllocationKind.CALLOC;
      case "3" -> AllocationKind.REALLOC;
      default -> AllocationKind.UNKNOWN;
    };
  }

  private EventHeader header(long monotonicNs) {
    return headers.next(process, Source.EBPF, ClockDomain.MONOTONIC, monotonicNs);
  }

  /** Builds a {@link NativeMemoryPublisher}; {@link #build()} validates. */
  public static final class Builder {
    private EventSink sink;
    private EventHeaders headers;
    private ProcessIdentity process;
    private int stackDepth = 16;
    private int maxTracked = 1_000_000;

    private Builder() {}

    public Builder sink(EventSink sink) {
      this.sink = sink;
      return this;
    }

    public Builder headers(EventHeaders headers) {
      this.headers = headers;
      return this;
    }

    /** The target process every event is about. */
    public Builder process(ProcessIdentity process) {
      this.process = process;
      return this;
    }

    /** The ustack depth the scripts were rendered with (marks stacks as truncated). */
    public Builder stackDepth(int stackDepth) {
      this.stackDepth = stackDepth;
      return this;
    }

    /** Bound of the collector-side outstanding-allocation table. */
    public Builder maxTracked(int maxTracked) {
      this.maxTracked = maxTracked;
      return this;
    }

    public NativeMemoryPublisher build() {
      Objects.requireNonNull(sink, "sink");
      Objects.requireNonNull(headers, "headers");
      Objects.requireNonNull(process, "process");
      if (stackDepth < 1 || maxTracked < 1) {
        throw new IllegalArgumentException("stackDepth and maxTracked must be positive");
      }
      return new NativeMemoryPublisher(this);
    }
  }
}
