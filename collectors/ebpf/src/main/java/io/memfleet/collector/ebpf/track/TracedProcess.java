package io.memfleet.collector.ebpf.track;

import io.memfleet.collector.ebpf.stack.ElfImages;
import io.memfleet.collector.ebpf.stack.Frame;
import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.ebpf.stack.ReturnAddresses;
import io.memfleet.collector.ebpf.stack.Symbolizer;
import io.memfleet.event.ProcessIdentity;
import java.nio.file.Path;
import java.util.List;

/**
 * What the eBPF collector keeps about one traced process while it lives: its identity (pid and
 * start time, comm, service and labels), the mappings it made since the collector saw it first
 * ({@link MappingTracker}), the estimated bytes it faulted in per stack ({@link FaultedInStacks})
 * and, by page, those it still has ({@link FaultedInPages}),
 * with the malloc script (or while a malloc escalation probes it) its live blocks
 * ({@link OutstandingAllocations}), with the rss
 * script its resident counters, and what naming its stacks needs (its mappings, its root
 * directory). {@link TracedProcesses} creates it on the process's first event and drops it when
 * the process exits.
 *
 * <p>Bounded: at most {@code maxRanges} tracked mappings and {@code faultStacks} fault stacks.
 * Callers lock the instance ({@code synchronized (process)}) around the trackers.
 */
public final class TracedProcess {
  /** How soon a process's mappings may be re-read to name frames in unknown places. */
  private static final long MAPS_REREAD_NS = 1_000_000_000L;
  /** The longest wait between re-reads that found no new file mapping (JIT code, mostly). */
  private static final long MAPS_REREAD_MAX_NS = 60_000_000_000L;
  /** Fault samples kept by page (beyond, the oldest page's bytes can no longer be released). */
  static final int MAX_SAMPLED_PAGES = 16_384;

  private final ProcessIdentity identity;
  private final long startTicks;
  private final Path procRoot;
  private final Path root;
  private final MappingTracker mappings;
  private final FaultedInStacks faulted;
  private final FaultedInPages pages;
  private boolean addressSpaceChanged;
  private final int maxTracked;
  private final ReturnAddresses returnAddresses;
  private volatile ModuleMap modules;
  private volatile long modulesReadNs;
  /** 0 until the first re-read: see {@link #modulesFor}. */
  private volatile long rereadAfterNs = 0;
  private volatile long trampolinesReadNs;
  private OutstandingAllocations live;
  private ResidentCounters resident;
  private volatile long lastEventNs;

  TracedProcess(ProcessIdentity identity, ProcStat stat, Path procRoot, int maxRanges,
      int faultStacks, int maxTracked, ElfImages images) {
    this.identity = identity;
    this.startTicks = stat.startTicks();
    this.procRoot = procRoot;
    this.root = procRoot.resolve(Integer.toString(identity.getPid())).resolve("root");
    this.mappings = new MappingTracker(maxRanges);
    this.faulted = new FaultedInStacks(faultStacks);
    this.pages = new FaultedInPages(MAX_SAMPLED_PAGES, faultStacks);
    this.maxTracked = maxTracked;
    if (stat.startBrk() > 0) {
      mappings.brkBaseline(stat.startBrk());
    }
    this.modules = ModuleMap.readOrEmpty(procRoot, identity.getPid());
    this.modulesReadNs = System.nanoTime();
    this.returnAddresses = new ReturnAddresses(root, () -> modules, images);
  }

  public ProcessIdentity identity() {
    return identity;
  }

  public int pid() {
    return identity.getPid();
  }

  /** Start time in clock ticks since boot, as {@code /proc/PID/stat} says (pid reuse check). */
  public long startTicks() {
    return startTicks;
  }

  /** The process's root directory as the collector sees it ({@code PROC_ROOT/PID/root}). */
  public Path root() {
    return root;
  }

  public MappingTracker mappings() {
    return mappings;
  }

  public FaultedInStacks faulted() {
    return faulted;
  }

  /** Fault samples by the page they touched, while the page stays. */
  public FaultedInPages pages() {
    return pages;
  }

  /** Notes that the mappings or pages changed since {@link #takeAddressSpaceChanged}. */
  public void addressSpaceChanged() {
    addressSpaceChanged = true;
  }

  /** Whether the mappings or pages changed since the last call; clears the mark. */
  public boolean takeAddressSpaceChanged() {
    boolean changed = addressSpaceChanged;
    addressSpaceChanged = false;
    return changed;
  }

  /** Sampled live blocks (malloc script), created on first use. */
  public OutstandingAllocations live() {
    if (live == null) {
      live = OutstandingAllocations.withCapacity(maxTracked);
    }
    return live;
  }

  /**
   * Drops the sampled live blocks: the malloc escalation's window ended, and blocks whose free
   * can no longer be seen must not be reported as outstanding.
   */
  public void endLive() {
    live = null;
  }

  /** Whether the malloc script (or an escalation) reported anything for this process. */
  public boolean hasLive() {
    return live != null;
  }

  /** Resident counters (rss script), seeded from procfs on first use. */
  public ResidentCounters resident() {
    if (resident == null) {
      resident = ResidentCounters.seededFrom(identity.getPid());
    }
    return resident;
  }

  /** Resolves stack words to return addresses for {@code StackScan}. */
  public ReturnAddresses returnAddresses() {
    return returnAddresses;
  }

  /**
   * The process's mappings, read again when one of {@code frames} has no name and lies in no
   * known mapping: a library loaded since the last read. JIT-compiled code is never in a file
   * mapping, and a JVM's maps run to thousands of lines: a re-read waits at least a second, and
   * twice as long as the last time (up to a minute) when the last one found nothing new. The
   * first re-read does not wait: a process first read at its exec (or while the dynamic loader
   * was still mapping its libraries) has no C library in that first read, and every stack of
   * its first second would otherwise lose its libc frames and the callers found through them
   * (seen in a clean CI run: the first 25 mmap stacks of a new process named no caller).
   */
  public ModuleMap modulesFor(List<Frame> frames) {
    ModuleMap m = modules;
    boolean unknown = false;
    for (Frame f : frames) {
      unknown |= Symbolizer.unnamed(f) && m.find(f.address()).isEmpty();
    }
    long now = System.nanoTime();
    if (unknown && now - modulesReadNs > rereadAfterNs) {
      modulesReadNs = now;
      ModuleMap fresh = readAgain();
      boolean changed = !fresh.mappings().equals(m.mappings());
      rereadAfterNs = changed ? MAPS_REREAD_NS : Math.min(MAPS_REREAD_MAX_NS, 2 * rereadAfterNs);
      m = modules;
    }
    return m;
  }

  /**
   * Reads the maps again when a return probe is pending in the process (an event carried the
   * original return address) but the maps read last have no uprobe trampoline page: the kernel
   * maps it at the first probe hit, mostly after the process was first read. At most once per
   * {@code MAPS_REREAD_NS}.
   */
  public void expectUprobeTrampolines() {
    if (modules.hasUprobeTrampolines()) {
      return;
    }
    long now = System.nanoTime();
    if (trampolinesReadNs != 0 && now - trampolinesReadNs < MAPS_REREAD_NS) {
      return;
    }
    trampolinesReadNs = now;
    readAgain();
  }

  /** The maps read again; kept unless the process is gone (nothing read). */
  private ModuleMap readAgain() {
    ModuleMap fresh = ModuleMap.readOrEmpty(procRoot, identity.getPid());
    if (!fresh.mappings().isEmpty()) {
      modules = fresh;
    }
    return fresh;
  }

  void touched(long nowNs) {
    lastEventNs = nowNs;
  }

  /** When the last event for this process arrived (System.nanoTime). */
  public long lastEventNs() {
    return lastEventNs;
  }
}
