package io.memfleet.collector.ebpf.track;

import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.stack.ElfImages;
import io.memfleet.event.ProcessIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The processes the eBPF collector traces, found from their events: the first event of a pid
 * reads the process from procfs, decides by the {@link ProcessScope} (and leaves out the
 * collector, its bpftrace and perf children and kernel threads), and admits it as a
 * {@link TracedProcess} with its identity — pid and start time, comm, runtime, cgroup/container
 * and the service and labels it declares in its environment ({@link ProcessIdentities}). Later
 * events of the pid find it without reading procfs.
 *
 * <pre>{@code
 * TracedProcesses processes = TracedProcesses.builder().identities(identities.withProcessLabels())
 *     .scope(ProcessScope.host()).maxProcesses(1024).build();
 * Optional<TracedProcess> p = processes.get(event.pid());   // empty: not traced
 * processes.sweep();                                         // every few seconds
 * }</pre>
 *
 * <p>With {@link ProcessScope.Kind#PROCESS} every event belongs to the one target (the scripts
 * filter by its pid in the kernel).
 *
 * <p>Bounded: at most {@code maxProcesses} processes; admitting one more evicts the one whose
 * last event is oldest (counted). Decisions not to trace a pid are remembered (at most
 * 4 × maxProcesses) so their events cost no procfs reads. {@link #sweep} drops processes that
 * exited or whose pid now belongs to another process (start time changed), and forgets stale
 * decisions. A process that calls exec keeps its pid and start time but gets a new program,
 * address space and perhaps cgroup: {@link #forget} (on the mmap script's exec event) or the
 * sweep (its comm changed) drops it, and its next event reads it again. A process moved into
 * a selected cgroup without exec is noticed at its next exec (container runtimes move a
 * container's first process before they exec its program). Thread-safe.
 */
public final class TracedProcesses {
  /** Counters for the status line. */
  public record Stats(int tracked, long admitted, long exited, long execs, long evicted,
      long notTraced, long eventsNotTraced, long goneBeforeRead) {}

  /** The collector's children that are never traced (the scripts leave them out as well). */
  private static final java.util.Set<String> TRACERS = java.util.Set.of("bpftrace", "perf");

  private final ProcessIdentities identities;
  private final Path procRoot;
  private final ProcessScope scope;
  private final int selfPid;
  private final int maxProcesses;
  private final int maxRanges;
  private final int faultStacks;
  private final int maxTracked;
  private final ElfImages images;
  private final LinkedHashMap<Integer, TracedProcess> traced = new LinkedHashMap<>(64, 0.75f,
      true);
  /** A process not traced: its start ticks (-1: gone before it could be read) and comm. */
  private record Decision(long startTicks, String comm) {}

  /** pid → why it is not traced. */
  private final LinkedHashMap<Integer, Decision> notTraced;
  private long admitted;
  private long exited;
  private long execs;
  private long evicted;
  private long decidedNotTraced;
  private long eventsNotTraced;
  private long goneBeforeRead;

  private TracedProcesses(Builder b) {
    this.identities = b.identities;
    this.procRoot = b.procRoot;
    this.scope = b.scope;
    this.selfPid = b.selfPid;
    this.maxProcesses = b.maxProcesses;
    this.maxRanges = b.maxRanges;
    this.faultStacks = b.faultStacks;
    this.maxTracked = b.maxTracked;
    this.images = b.images;
    int maxNotTraced = Math.max(4096, 4 * maxProcesses);
    this.notTraced = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Integer, Decision> eldest) {
        return size() > maxNotTraced;
      }
    };
  }

  public static Builder builder() {
    return new Builder();
  }

  public ProcessScope scope() {
    return scope;
  }

  /** The ELF cache the processes' stacks are named from. */
  public ElfImages images() {
    return images;
  }

  /** The traced process with this pid, admitting it on its first event; empty: not traced. */
  public Optional<TracedProcess> get(int pid) {
    return get(pid, null);
  }

  /**
   * As {@link #get(int)}, for an event of the process's main thread whose name was
   * {@code mainThreadComm} (null when unknown or another thread's): a name that is not the
   * process's means it exec'd another program since it was read, and it is read again — whether
   * or not the exec event came first (bpftrace reads each CPU's buffer in turn).
   */
  public synchronized Optional<TracedProcess> get(int pid, String mainThreadComm) {
    long now = System.nanoTime();
    if (scope.kind() == ProcessScope.Kind.PROCESS && pid != scope.pid() && !traced.isEmpty()) {
      // one target: the scripts report only its pid (-p and their predicate), so everything
      // belongs to it (also what captured output replayed in tests says under another pid)
      pid = scope.pid();
    }
    TracedProcess p = traced.get(pid);
    if (p != null && mainThreadComm != null && !mainThreadComm.equals(p.identity().getComm())) {
      traced.remove(pid);
      execs++;
      p = null;
    }
    if (p != null) {
      p.touched(now);
      return Optional.of(p);
    }
    Decision decided = notTraced.get(pid);
    if (decided != null && mainThreadComm != null && decided.startTicks() >= 0
        && !mainThreadComm.equals(decided.comm())) {
      notTraced.remove(pid);
      execs++;
      decided = null;
    }
    if (decided != null) {
      eventsNotTraced++;
      return Optional.empty();
    }
    p = admit(pid);
    if (p == null) {
      eventsNotTraced++;
      return Optional.empty();
    }
    p.touched(now);
    return Optional.of(p);
  }

  /** Admits a process whose identity was read already (e.g. the target of {@code --pid}). */
  public synchronized TracedProcess admit(ProcessIdentity identity) throws IOException {
    ProcStat stat = ProcStat.read(procRoot, identity.getPid());
    TracedProcess p = newProcess(identity, stat);
    p.touched(System.nanoTime());
    return p;
  }

  private TracedProcess admit(int pid) {
    if (pid <= 0 || pid == selfPid
        || (scope.kind() == ProcessScope.Kind.PROCESS && pid != scope.pid())) {
      remember(pid, -1, "");
      return null;
    }
    ProcStat stat;
    ProcessIdentity identity;
    try {
      stat = ProcStat.read(procRoot, pid);
      if ((stat.ppid() == selfPid && TRACERS.contains(stat.comm())) || stat.kernelThread()) {
        remember(pid, stat.startTicks(), stat.comm());
        return null;
      }
      identity = identities.forPid(pid);
    } catch (IOException | RuntimeException e) {
      goneBeforeRead++;
      remember(pid, -1, "");
      return null;
    }
    if (!scope.admitsCgroup(identity.getCgroupPath())) {
      remember(pid, stat.startTicks(), stat.comm());
      return null;
    }
    return newProcess(identity, stat);
  }

  private TracedProcess newProcess(ProcessIdentity identity, ProcStat stat) {
    while (traced.size() >= maxProcesses) {
      Iterator<TracedProcess> eldest = traced.values().iterator();
      eldest.next();
      eldest.remove();
      evicted++;
    }
    TracedProcess p = new TracedProcess(identity, stat, procRoot, maxRanges, faultStacks,
        maxTracked, images);
    traced.put(identity.getPid(), p);
    notTraced.remove(identity.getPid());
    admitted++;
    return p;
  }

  private void remember(int pid, long startTicks, String comm) {
    notTraced.put(pid, new Decision(startTicks, comm));
    decidedNotTraced++;
  }

  /**
   * Forgets what is known about {@code pid} (it called exec: new program, new address space,
   * maybe a new cgroup), so its next event reads it again.
   */
  public synchronized void forget(int pid) {
    boolean known = traced.remove(pid) != null;
    known |= notTraced.remove(pid) != null;
    if (known) {
      execs++;
    }
  }

  /**
   * Drops the processes that exited (or whose pid was reused, or that run another program now:
   * exec changed their comm) and forgets decisions about pids that are gone; returns the
   * processes dropped.
   */
  public List<TracedProcess> sweep() {
    List<Integer> pids;
    List<Map.Entry<Integer, Decision>> decisions;
    synchronized (this) {
      pids = new ArrayList<>(traced.keySet());
      decisions = new ArrayList<>(notTraced.entrySet());
    }
    List<TracedProcess> gone = new ArrayList<>();
    for (int pid : pids) {
      OptionalStart now = startTicks(pid);
      synchronized (this) {
        TracedProcess p = traced.get(pid);
        if (p != null && (now.gone() || now.ticks() != p.startTicks())) {
          traced.remove(pid);
          exited++;
          gone.add(p);
        } else if (p != null && !now.comm().equals(p.identity().getComm())) {
          traced.remove(pid);
          execs++;
          gone.add(p);
        }
      }
    }
    for (Map.Entry<Integer, Decision> d : decisions) {
      OptionalStart now = startTicks(d.getKey());
      // gone, another process, or another program now (an exec whose event was lost)
      if (now.gone() || now.ticks() != d.getValue().startTicks()
          || !now.comm().equals(d.getValue().comm())) {
        synchronized (this) {
          notTraced.remove(d.getKey(), d.getValue());
        }
      }
    }
    return gone;
  }

  private record OptionalStart(boolean gone, long ticks, String comm) {}

  private OptionalStart startTicks(int pid) {
    try {
      ProcStat stat = ProcStat.read(procRoot, pid);
      return new OptionalStart(false, stat.startTicks(), stat.comm());
    } catch (IOException | RuntimeException e) {
      return new OptionalStart(true, -1, "");
    }
  }

  /** The traced processes now, most recently active last. */
  public synchronized List<TracedProcess> snapshot() {
    return List.copyOf(traced.values());
  }

  public synchronized Stats stats() {
    return new Stats(traced.size(), admitted, exited, execs, evicted, decidedNotTraced,
        eventsNotTraced, goneBeforeRead);
  }

  /** Builds {@link TracedProcesses}; {@link #build()} validates. */
  public static final class Builder {
    private ProcessIdentities identities;
    private Path procRoot = Path.of("/proc");
    private ProcessScope scope = ProcessScope.host();
    private int selfPid = (int) ProcessHandle.current().pid();
    private int maxProcesses = 1024;
    private int maxRanges = 1024;
    private int faultStacks = 64;
    private int maxTracked = 65536;
    private ElfImages images;

    private Builder() {}

    /** How identities are read (with process labels, so services and labels match collect's). */
    public Builder identities(ProcessIdentities identities) {
      this.identities = identities;
      return this;
    }

    /** procfs root ({@code /host/proc} in the DaemonSet). */
    public Builder procRoot(Path procRoot) {
      this.procRoot = procRoot;
      return this;
    }

    public Builder scope(ProcessScope scope) {
      this.scope = scope;
      return this;
    }

    /** The collector's pid: it and its children are never traced (default: this JVM). */
    public Builder selfPid(int selfPid) {
      this.selfPid = selfPid;
      return this;
    }

    public Builder maxProcesses(int maxProcesses) {
      this.maxProcesses = maxProcesses;
      return this;
    }

    /** Per process: mappings tracked, fault stacks summed, sampled live blocks. */
    public Builder perProcessBounds(int maxRanges, int faultStacks, int maxTracked) {
      this.maxRanges = maxRanges;
      this.faultStacks = faultStacks;
      this.maxTracked = maxTracked;
      return this;
    }

    /** The shared ELF cache (default: 128 files). */
    public Builder images(ElfImages images) {
      this.images = images;
      return this;
    }

    public TracedProcesses build() {
      Objects.requireNonNull(identities, "identities");
      Objects.requireNonNull(procRoot, "procRoot");
      Objects.requireNonNull(scope, "scope");
      if (maxProcesses < 1 || maxRanges < 1 || faultStacks < 1 || maxTracked < 1) {
        throw new IllegalArgumentException("bounds must be positive");
      }
      if (images == null) {
        images = new ElfImages(128);
      }
      return new TracedProcesses(this);
    }
  }
}
