package io.memfleet.collector.ebpf.publish;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.ProbeEvent;
import io.memfleet.collector.ebpf.bpftrace.ProbeListener;
import io.memfleet.collector.ebpf.stack.Symbolizer;
import io.memfleet.collector.ebpf.track.FaultedInStacks;
import io.memfleet.collector.ebpf.track.OutstandingAllocations;
import io.memfleet.collector.ebpf.track.ProcessScope;
import io.memfleet.collector.ebpf.track.StackLevel;
import io.memfleet.collector.ebpf.track.TracedProcess;
import io.memfleet.collector.ebpf.track.TracedProcesses;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.Free;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.event.StackTrace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the events of the process scripts (malloc, mmap, faults, rss) into memfleet events for
 * the process each one belongs to — one target ({@code --pid}), the processes of some cgroups, or
 * every process on the host ({@link TracedProcesses} decides and keeps per-process state) — and
 * keeps the trackers that give them meaning: {@code alloc}/{@code free} → {@link Allocation}
 * (MALLOC/CALLOC/REALLOC) and {@link Free}, reported per stack as OUTSTANDING by
 * {@link #reportOutstanding}; {@code mmap}/{@code munmap}/{@code mremap}/{@code brk} →
 * {@link MemoryMapping} with the process's outstanding mapped bytes (at most so many a second,
 * {@link EventBudget}); {@code fault} → summed per process and stack into
 * {@link io.memfleet.event.PageFault}s by {@link PageFaultWindow} (published by
 * {@link #flushFaults}) and into faulted-in bytes per stack ({@link #faultedIn});
 * {@code rss} → {@link ResidentMemory}. Every event is stamped {@code source=EBPF,
 * clockDomain=MONOTONIC, rawTimestamp=nsecs}.
 *
 * <p>Stacks: frames the script printed without names are named here, per process
 * ({@link Symbolizer}); mmap and fault stacks that end in the C library get the program's own
 * frames back from the stack words the scripts print ({@link ProcessStacks}).
 *
 * <pre>{@code
 * NativeMemoryPublisher pub = NativeMemoryPublisher.builder().sink(sink).headers(headers)
 *     .processes(TracedProcesses.builder().identities(ids).scope(ProcessScope.host()).build())
 *     .build();
 * runner = BpftraceRunner.builder()...listener(pub).build();
 * pub.flushFaults();                                           // every second
 * pub.reportOutstanding(System.nanoTime(), Duration.ofSeconds(30), 20);   // with malloc
 * }</pre>
 *
 * <p>Thread-safe: several runners and a reporting thread may call it at once.
 */
public final class NativeMemoryPublisher implements ProbeListener {
  private static final Logger LOG = LoggerFactory.getLogger(NativeMemoryPublisher.class);
  /** What one page fault brings in (base pages). */
  private static final long PAGE_BYTES = 4096;

  private final EventSink sink;
  private final EventHeaders headers;
  private final TracedProcesses processes;
  private final ProcessStacks stacks;
  private final PageFaultWindow faults;
  private final AddressSpaceEvents addressSpace;
  private final AtomicLong ignored = new AtomicLong();
  private final AtomicLong droppedInKernel = new AtomicLong();
  private final AtomicLong faultSamplesOverBudget = new AtomicLong();
  private final AtomicLong problems = new AtomicLong();

  private NativeMemoryPublisher(Builder b) {
    this.sink = b.sink;
    this.headers = b.headers;
    this.processes = b.processes;
    this.stacks = new ProcessStacks(new Symbolizer(processes.images()), b.stackDepth);
    this.faults = new PageFaultWindow(sink, headers, b.maxFaultEvents, b.maxFaultKeys);
    this.addressSpace = new AddressSpaceEvents(sink, headers, stacks,
        new EventBudget(b.mappingEventsPerSecond, b.mappingEventsPerProcessPerSecond),
        new EventBudget(b.mappingEventsPerSecond, b.mappingEventsPerProcessPerSecond));
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void onEvent(ProbeEvent e) {
    switch (e.name()) {
      case "stats" -> droppedInKernel.set(e.longField("dropped"));
      case "faultstats" -> faultSamplesOverBudget.addAndGet(e.longField("over"));
      case "exec" -> processes.forget(e.pid());
      case "alloc", "free", "mmap", "munmap", "mremap", "brk", "madvise", "fault", "rss" ->
          processes.get(e.pid(), mainThreadComm(e)).ifPresent(p -> onProcessEvent(p, e));
      default -> {
        ignored.incrementAndGet();
        LOG.debug("ignored {} event", e.name());
      }
    }
  }

  /** The comm= of an event of a process's main thread (tid == pid), else null. */
  private static String mainThreadComm(ProbeEvent e) {
    String tid = e.field("tid");
    return tid != null && tid.equals(e.field("pid")) ? e.field("comm") : null;
  }

  private void onProcessEvent(TracedProcess p, ProbeEvent e) {
    switch (e.name()) {
      case "alloc" -> allocated(p, e);
      case "free" -> freed(p, e);
      case "fault" -> fault(p, e);
      case "rss" -> rss(p, e);
      default -> addressSpace.apply(p, e);
    }
  }

  @Override
  public void onProblem(String problem) {
    problems.incrementAndGet();
  }

  /** Publishes the page faults summed since the last call (call it every window). */
  public void flushFaults() {
    faults.flush();
  }

  /** Drops the state of processes that exited; returns how many. */
  public int sweep() {
    return processes.sweep().size();
  }

  /**
   * Publishes, per process, one OUTSTANDING {@link Allocation} per stack (the {@code top}
   * largest) holding blocks older than {@code minAge}: outstandingBytes and weightBytes are the
   * estimate (sampled sizes times sampling periods), sizeBytes the sampled bytes. Returns what
   * was published.
   */
  public List<OutstandingAllocations.StackTotal> reportOutstanding(long nowMonotonicNs,
      Duration minAge, int top) {
    List<OutstandingAllocations.StackTotal> all = new ArrayList<>();
    for (TracedProcess p : processes.snapshot()) {
      List<OutstandingAllocations.StackTotal> totals;
      synchronized (p) {
        if (!p.hasLive()) {
          continue;
        }
        totals = p.live().byStack(nowMonotonicNs, minAge);
      }
      totals = totals.subList(0, Math.min(top, totals.size()));
      for (OutstandingAllocations.StackTotal t : totals) {
        sink.publish(Allocation.newBuilder()
            .setHeader(header(p.identity(), nowMonotonicNs))
            .setKind(AllocationKind.OUTSTANDING)
            .setSizeBytes(t.sampledBytes())
            .setWeightBytes(t.estimatedBytes())
            .setStack(t.stack())
            .setAgeNs(nowMonotonicNs - t.oldestAllocatedAtNs())
            .setOutstandingBytes(t.estimatedBytes())
            .build());
      }
      all.addAll(totals);
    }
    return List.copyOf(all);
  }

  /**
   * Publishes, per process whose address space changed since the last call, what each of its
   * {@code top} heaviest stacks added and is still there: {@link AllocationKind#MAPPED} (bytes
   * mapped at the stack and not unmapped) and {@link AllocationKind#FAULTED_IN} (estimated bytes
   * of the pages first touched at the stack and not released) — levels in
   * {@code outstandingBytes}, so the pipeline names the stack whose level grows, not the one that
   * maps or faults the most (churn releases what it takes). Returns how many were published.
   */
  public int reportAddressSpace(long nowMonotonicNs, int top) {
    int published = 0;
    for (TracedProcess p : processes.snapshot()) {
      List<StackLevel> mapped;
      List<StackLevel> faultedIn;
      synchronized (p) {
        if (!p.takeAddressSpaceChanged()) {
          continue;
        }
        mapped = p.mappings().byStack(top);
        faultedIn = p.pages().top(top);
      }
      published += publishLevels(p, AllocationKind.MAPPED, mapped, nowMonotonicNs);
      published += publishLevels(p, AllocationKind.FAULTED_IN, faultedIn, nowMonotonicNs);
    }
    return published;
  }

  private int publishLevels(TracedProcess p, AllocationKind kind,
      List<StackLevel> levels, long nowMonotonicNs) {
    int published = 0;
    for (var level : levels) {
      if (level.stack() == null || level.stack().getFrames().isEmpty()) {
        continue;
      }
      sink.publish(Allocation.newBuilder()
          .setHeader(header(p.identity(), nowMonotonicNs))
          .setKind(kind)
          .setSizeBytes(0)
          .setWeightBytes(0)
          .setStack(level.stack())
          .setOutstandingBytes(level.bytes())
          .build());
      published++;
    }
    return published;
  }

  /** Outstanding bytes per stack right now (all processes), without publishing. */
  public List<OutstandingAllocations.StackTotal> outstanding(long nowMonotonicNs,
      Duration minAge) {
    List<OutstandingAllocations.StackTotal> all = new ArrayList<>();
    for (TracedProcess p : processes.snapshot()) {
      synchronized (p) {
        if (p.hasLive()) {
          all.addAll(p.live().byStack(nowMonotonicNs, minAge));
        }
      }
    }
    all.sort(Comparator.comparingLong(OutstandingAllocations.StackTotal::estimatedBytes)
        .reversed());
    return all;
  }

  /** Tracked mapped bytes plus heap growth since attach, summed over the traced processes. */
  public long outstandingMappedBytes() {
    long sum = 0;
    for (TracedProcess p : processes.snapshot()) {
      synchronized (p) {
        sum += p.mappings().outstandingBytes();
      }
    }
    return sum;
  }

  /** Faulted-in bytes of one stack of one process. */
  public record ProcessFaults(ProcessIdentity process, FaultedInStacks.Total total) {}

  /**
   * Estimated faulted-in bytes per process and stack since each process was first seen, most
   * first: where native memory grew (see {@link FaultedInStacks}).
   */
  public List<ProcessFaults> faultedInByProcess(int top) {
    List<ProcessFaults> all = new ArrayList<>();
    for (TracedProcess p : processes.snapshot()) {
      synchronized (p) {
        p.faulted().top(top).forEach(t -> all.add(new ProcessFaults(p.identity(), t)));
      }
    }
    all.sort(Comparator.comparingLong((ProcessFaults f) -> f.total().faults()).reversed());
    return List.copyOf(all.subList(0, Math.min(top, all.size())));
  }

  /** The stacks of {@link #faultedInByProcess}, without the process. */
  public List<FaultedInStacks.Total> faultedIn(int top) {
    return faultedInByProcess(top).stream().map(ProcessFaults::total).toList();
  }

  /** Page-fault and mmap stacks completed through the C library since the publisher was built. */
  public long recoveredFaultStacks() {
    return stacks.recovered();
  }

  /** The processes traced and the counts of what was decided about the others. */
  public TracedProcesses.Stats processStats() {
    return processes.stats();
  }

  /** The page-fault window: samples, events published, sums and faults dropped. */
  public PageFaultWindow faultWindow() {
    return faults;
  }

  /** Fault samples the kernel counted but did not print (over the per-CPU budget). */
  public long faultSamplesOverBudget() {
    return faultSamplesOverBudget.get();
  }

  /** MemoryMapping events not published because their second's budget was spent. */
  public long mappingEventsOverBudget() {
    return addressSpace.overBudget();
  }

  /** Counters worth showing next to the runner's. */
  public String describeCounters() {
    long tracked = 0;
    long evicted = 0;
    long unmatched = 0;
    long replaced = 0;
    long untracked = 0;
    long pages = 0;
    long latePages = 0;
    for (TracedProcess p : processes.snapshot()) {
      synchronized (p) {
        untracked += p.mappings().untrackedMappings();
        pages += p.pages().pages();
        latePages += p.pages().late();
        if (p.hasLive()) {
          tracked += p.live().size();
          evicted += p.live().evictions();
          unmatched += p.live().unmatchedFrees();
          replaced += p.live().replacedAddresses();
        }
      }
    }
    return "tracked=" + tracked + " evicted=" + evicted + " unmatchedFrees=" + unmatched
        + " replaced=" + replaced + " droppedInKernel=" + droppedInKernel.get()
        + " untrackedMappings=" + untracked + " faultPages=" + pages + " lateFaults=" + latePages
        + " ignored=" + ignored.get()
        + " recoveredFaultStacks=" + stacks.recovered();
  }

  private void allocated(TracedProcess p, ProbeEvent e) {
    long address = e.longField("addr");
    long size = e.longField("size");
    long period = e.longField("period");
    StackTrace stack = stacks.of(p, e, false);
    synchronized (p) {
      p.live().allocated(address, size, period, stack, e.timestampNs());
    }
    sink.publish(Allocation.newBuilder()
        .setHeader(header(p.identity(), e.timestampNs()))
        .setKind(kind(e))
        .setSizeBytes(size)
        .setWeightBytes(size * period)
        .setAddress(address)
        .setStack(stack)
        .build());
  }

  private void freed(TracedProcess p, ProbeEvent e) {
    long address = e.longField("addr");
    OptionalLong size;
    synchronized (p) {
      size = p.live().freed(address);
    }
    OptionalLong printed = e.optionalLong("size");
    Long sizeBytes = size.isPresent() ? Long.valueOf(size.getAsLong())
        : printed.isPresent() && printed.getAsLong() > 0 ? printed.getAsLong() : null;
    sink.publish(Free.newBuilder()
        .setHeader(header(p.identity(), e.timestampNs()))
        .setKind(kind(e))
        .setAddress(address)
        .setSizeBytes(sizeBytes)
        .build());
  }

  private void fault(TracedProcess p, ProbeEvent e) {
    StackTrace stack = stacks.of(p, e, true);
    long count = e.longField("count");
    OptionalLong address = e.hexField("addr");
    synchronized (p) {
      p.faulted().add(stack, count);
      if (address.isPresent() && address.getAsLong() != 0) {
        p.pages().faulted(address.getAsLong(), stack, count * PAGE_BYTES, e.timestampNs());
        p.addressSpaceChanged();
      }
    }
    faults.add(p.identity(), stack, e.longField("major") != 0, count, e.timestampNs());
  }

  private void rss(TracedProcess p, ProbeEvent e) {
    ResidentMemory.Builder r = ResidentMemory.newBuilder()
        .setHeader(header(p.identity(), e.timestampNs()));
    synchronized (p) {
      var resident = p.resident();
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

  private static AllocationKind kind(ProbeEvent e) {
    String kind = e.field("kind");
    return switch (kind == null ? "" : kind) {
      case "1" -> AllocationKind.MALLOC;
      case "2" -> AllocationKind.CALLOC;
      case "3" -> AllocationKind.REALLOC;
      default -> AllocationKind.UNKNOWN;
    };
  }

  private EventHeader header(ProcessIdentity process, long monotonicNs) {
    return headers.next(process, Source.EBPF, ClockDomain.MONOTONIC, monotonicNs);
  }

  /** Builds a {@link NativeMemoryPublisher}; {@link #build()} validates. */
  public static final class Builder {
    private EventSink sink;
    private EventHeaders headers;
    private ProcessIdentity process;
    private TracedProcesses processes;
    private int stackDepth = 16;
    private int maxTracked = 1_000_000;
    private int maxFaultEvents = 200;
    private int maxFaultKeys = 8192;
    private long mappingEventsPerSecond = 1000;
    private long mappingEventsPerProcessPerSecond = 1000;

    private Builder() {}

    public Builder sink(EventSink sink) {
      this.sink = sink;
      return this;
    }

    public Builder headers(EventHeaders headers) {
      this.headers = headers;
      return this;
    }

    /** One target process every event is about (what {@code --pid} does). */
    public Builder process(ProcessIdentity process) {
      this.process = process;
      return this;
    }

    /** The processes to trace and their state (host-wide, per cgroup, or one). */
    public Builder processes(TracedProcesses processes) {
      this.processes = processes;
      return this;
    }

    /** The ustack depth the scripts were rendered with (marks stacks as truncated). */
    public Builder stackDepth(int stackDepth) {
      this.stackDepth = stackDepth;
      return this;
    }

    /** Bound of the collector-side outstanding-allocation table (with {@link #process}). */
    public Builder maxTracked(int maxTracked) {
      this.maxTracked = maxTracked;
      return this;
    }

    /** PageFault events per window, and (process, stack) sums one window holds. */
    public Builder faultWindow(int maxEvents, int maxKeys) {
      this.maxFaultEvents = maxEvents;
      this.maxFaultKeys = maxKeys;
      return this;
    }

    /** MemoryMapping events per second, in total and per process. */
    public Builder mappingEvents(long perSecond, long perProcessPerSecond) {
      this.mappingEventsPerSecond = perSecond;
      this.mappingEventsPerProcessPerSecond = perProcessPerSecond;
      return this;
    }

    public NativeMemoryPublisher build() {
      Objects.requireNonNull(sink, "sink");
      Objects.requireNonNull(headers, "headers");
      if (stackDepth < 1 || maxTracked < 1) {
        throw new IllegalArgumentException("stackDepth and maxTracked must be positive");
      }
      if ((process == null) == (processes == null)) {
        throw new IllegalArgumentException("give either process(..) or processes(..)");
      }
      if (process != null) {
        processes = TracedProcesses.builder().identities(ProcessIdentities.fromEnvironment())
            .scope(ProcessScope.process(process.getPid()))
            .perProcessBounds(Integer.MAX_VALUE, 4096, maxTracked).maxProcesses(1).build();
        try {
          processes.admit(process);
        } catch (IOException e) {
          throw new UncheckedIOException("process " + process.getPid() + " is not readable", e);
        }
      }
      return new NativeMemoryPublisher(this);
    }
  }
}
