package io.memfleet.collector.node.internal;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.NodeCollectorOptions;
import io.memfleet.collector.node.cgroup.CgroupMemory;
import io.memfleet.collector.node.cgroup.CgroupMemoryReader;
import io.memfleet.collector.node.cgroup.MemoryPressure;
import io.memfleet.collector.node.oom.OomKillTracker;
import io.memfleet.collector.node.procfs.ProcCgroups;
import io.memfleet.collector.node.procfs.ProcStat;
import io.memfleet.collector.node.procfs.ProcStatus;
import io.memfleet.collector.node.procfs.ProcessFiles;
import io.memfleet.collector.node.procfs.ProcfsReader;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One procfs/cgroup scan after another: discovers processes, publishes their resident memory
 * and thread counts, their start and exit, and OOM kills from cgroup counters.
 *
 * <p>A process is (pid, start time), so a reused pid is a new process. State per process lives
 * from the scan that first sees it to the scan that finds it gone (or a zombie), then is removed.
 * Not thread-safe: one scan thread calls {@link #scan()}.
 *
 * <p>What a scan costs, per tracked process: one read of {@code status}, from a file held open
 * on procfs (see {@link ProcessFiles}: no path lookup, and a reused pid cannot pass for the old
 * process); {@code smaps_rollup} for Pss only now and then, within a CPU budget (see
 * {@link PssSampler}); each memory cgroup once per scan however many processes share it.
 * Discovering a process costs more (stat, cgroup, environ, maps, cmdline), once. Kernel threads
 * and processes the filters leave out are remembered by pid and not read again while their pid
 * stays listed, except in their first {@value #YOUNG_IGNORED_SCANS} scans and on every
 * {@value #IGNORED_RECHECK_SCANS}th scan, which reread their {@code stat} to catch a pid reused
 * between two listings, or a program exec'd in their place.
 *
 * <p>An exec keeps pid and start time: a tracked process whose status name changes, or one
 * identified as native at discovery, is identified again (see {@link #reidentify}), so a Go
 * program or JVM started through {@code sh -c 'exec …'} is known by its runtime.
 */
public final class ProcessScanner {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessScanner.class);

  /** Every this many scans, ignored pids have their stat read again (pid reuse). */
  public static final int IGNORED_RECHECK_SCANS = 30;
  /**
   * For this many scans after it was first left out, an ignored pid has its stat read at every
   * scan: a launcher ({@code sh -c 'echo $$ > cgroup.procs && exec app'}) is often listed before
   * it joins its cgroup or execs, and the program it becomes may not live to the next recheck
   * (seen: a Go program OOM-killed 3 s after its start, never tracked, its kill unattributed).
   */
  public static final int YOUNG_IGNORED_SCANS = 5;

  /**
   * Scans after discovery at which a process identified as native (or unknown) is identified
   * again: a JVM maps {@code libjvm.so} a moment after its exec, and a wrapper may exec the real
   * program under the same name.
   */
  static final long[] RECHECK_NATIVE_AT = {1, 2, 4, 8, 16, 32};

  private static final class Tracked {
    /** Replaced when the process execs another program (see {@link #reidentify}). */
    ProcessIdentity identity;
    /** Read again with the identity after an exec: a launcher joins the cgroup, then execs. */
    String cgroupPath;
    /** The process by the key pids cannot fake: pid plus start time in clock ticks. */
    final ProcessFiles files;
    long lastRssBytes;
    long seenScan;
    final long discoveredScan;
    /** The {@code Name:} of its status at the last scan; a change means an exec (or a rename). */
    String statusName;
    /** The scan that saw the name change, 0 when none is pending. */
    long renamedScan;
    final PssSampler.State pss;

    Tracked(ProcessIdentity identity, String cgroupPath, ProcessFiles files,
        PssSampler.State pss, long discoveredScan) {
      this.identity = identity;
      this.cgroupPath = cgroupPath;
      this.files = files;
      this.pss = pss;
      this.discoveredScan = discoveredScan;
    }

    /**
     * Whether this scan should read its identity again. A changed name is read at the next scan:
     * the kernel names the process early in an exec, before it lays out the new program's
     * environment, so a read right then can find no environment (and no declared labels).
     */
    boolean identityDue(ProcStatus status, long scan) {
      String previous = statusName;
      statusName = status.name();
      if (previous != null && !previous.equals(status.name())) {
        renamedScan = scan;
        return false;
      }
      if (renamedScan != 0 && scan > renamedScan) {
        renamedScan = 0;
        return true;
      }
      io.memfleet.event.Runtime runtime = identity.getRuntime();
      return (runtime == io.memfleet.event.Runtime.NATIVE
          || runtime == io.memfleet.event.Runtime.UNKNOWN)
          && java.util.Arrays.binarySearch(RECHECK_NATIVE_AT, scan - discoveredScan) >= 0;
    }
  }

  /** A pid left out (kernel thread, filtered): its start time and the last scan listing it. */
  private static final class Ignored {
    final long startTicks;
    /** Its name then: an exec keeps pid and start time but changes the name. */
    final String comm;
    /** The scan that first left it out. */
    final long firstScan;
    long seenScan;

    Ignored(ProcStat stat, long seenScan) {
      this.startTicks = stat.startTicks();
      this.comm = stat.comm();
      this.firstScan = seenScan;
      this.seenScan = seenScan;
    }
  }

  /**
   * What one scan did.
   *
   * @param smapsReads processes whose {@code smaps_rollup} this scan read
   * @param smapsDeferred due {@code smaps_rollup} reads left for a later scan (CPU budget spent)
   */
  public record ScanResult(int processesSeen, int tracked, int started, int exited,
      int oomKills, int events, int smapsReads, int smapsDeferred) {}

  private final NodeCollectorOptions options;
  private final ProcfsReader proc;
  private final CgroupMemoryReader cgroups;
  private final ProcessIdentities identities;
  private final EventHeaders headers;
  private final EventSink sink;
  private final OomKillTracker<Tracked> oom;
  /** Written by the scan thread only; read for the status line. */
  private volatile long processErrors;
  private final Map<Integer, Tracked> tracked = new HashMap<>();
  private final Map<Integer, Ignored> ignored = new HashMap<>();
  private final PssSampler pss;
  private final List<TrackedProcessListener> listeners;
  private final HostPressure hostPressure;
  private long scanNo;
  private int events;
  private long reidentified;

  public ProcessScanner(NodeCollectorOptions options, ProcfsReader proc,
      CgroupMemoryReader cgroups, ProcessIdentities identities, EventHeaders headers,
      EventSink sink) {
    this(options, proc, cgroups, identities, headers, sink, List.of());
  }

  /**
   * @param listeners told of every tracked process's start, scans and exit, on the scan thread
   */
  public ProcessScanner(NodeCollectorOptions options, ProcfsReader proc,
      CgroupMemoryReader cgroups, ProcessIdentities identities, EventHeaders headers,
      EventSink sink, List<TrackedProcessListener> listeners) {
    this.listeners = List.copyOf(listeners);
    this.hostPressure = new HostPressure(options.procRoot().resolve("pressure/memory"));
    this.options = options;
    this.proc = proc;
    this.cgroups = cgroups;
    this.identities = identities;
    this.headers = headers;
    this.sink = sink;
    this.oom = new OomKillTracker<>(options.oomWindow());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    this.pss = new PssSampler(options, proc, threads::getCurrentThreadCpuTime);
  }

  public ScanResult scan() throws IOException {
    events = 0;
    pss.startScan();
    hostPressure.startScan();
    long scan = ++scanNo;
    boolean recheckIgnored = scan % IGNORED_RECHECK_SCANS == 0;
    int started = 0;
    int[] pids = proc.pidArray();
    Map<String, Optional<CgroupMemory>> cgroupCache = new HashMap<>();
    List<Tracked> gone = new ArrayList<>();
    for (int pid : pids) {
      try {
        Tracked t = tracked.get(pid);
        if (t != null) {
          Optional<ProcStatus> status = t.files.status();
          if (status.isPresent()) {
            if (!status.get().zombie()) {
              t.seenScan = scan;
              if (t.identityDue(status.get(), scan)) {
                reidentify(pid, t, status.get());
              }
              sample(t, status.get(), cgroupCache);
            }
            continue; // a zombie is not seen: its exit is reported below
          }
          // that process is gone; the pid may already belong to a new one
          tracked.remove(pid);
          gone.add(t);
        }
        Ignored ig = ignored.get(pid);
        if (ig != null && !recheckIgnored && scan - ig.firstScan > YOUNG_IGNORED_SCANS) {
          // still listed since the last scan: the same task (see the class comment)
          ig.seenScan = scan;
          continue;
        }
        Optional<ProcStat> stat = proc.stat(pid);
        if (stat.isEmpty() || stat.get().gone()) {
          continue;
        }
        long startTicks = stat.get().startTicks();
        if (ig != null) {
          if (ig.startTicks == startTicks && Objects.equals(ig.comm, stat.get().comm())) {
            ig.seenScan = scan;
            continue;
          }
          ignored.remove(pid); // the pid was reused, or it exec'd: a new process to look at
        }
        t = discover(pid, stat.get(), scan);
        if (t == null) {
          continue;
        }
        started++;
        t.seenScan = scan;
        Optional<ProcStatus> status = t.files.status();
        if (status.isPresent() && !status.get().zombie()) {
          t.identityDue(status.get(), scan); // notes its name
          sample(t, status.get(), cgroupCache);
        }
      } catch (RuntimeException e) {
        // one process's trouble (a file of a dying process read half-way, a listener's error)
        // must not cost the others their samples, nor a vanished process its exit report
        processErrors++;
        LOG.debug("pid {} skipped this scan: {}", pid, e.toString());
        Tracked still = tracked.get(pid);
        if (still != null) {
          still.seenScan = scan; // not seen gone: looked at again next scan
        }
      }
    }
    ignored.values().removeIf(ig -> ig.seenScan != scan);
    for (Iterator<Tracked> it = tracked.values().iterator(); it.hasNext(); ) {
      Tracked t = it.next();
      if (t.seenScan != scan) {
        gone.add(t);
        it.remove();
      }
    }
    List<OomKillTracker.Exited<Tracked>> exits = new ArrayList<>();
    for (Tracked t : gone) {
      t.files.close();
      for (TrackedProcessListener l : listeners) {
        tell(() -> l.exited(t.files.pid(), t.identity), t.files.pid(), "exit");
      }
      exits.add(new OomKillTracker.Exited<>(t, t.cgroupPath, t.lastRssBytes));
      // the victim may have been the cgroup's last member: read its counter once more
      if (t.cgroupPath != null) {
        cgroupOf(t.cgroupPath, cgroupCache);
      }
    }
    long now = epochNanos();
    int oomKills = 0;
    for (OomKillTracker.Attribution<Tracked> a : oom.attribute(exits, now)) {
      Tracked t = a.victim();
      if (a.oomKilled()) {
        oomKills++;
        Optional<CgroupMemory> m = cgroupCache.getOrDefault(t.cgroupPath, Optional.empty());
        publish(OomKill.newBuilder()
            .setHeader(headers.next(t.identity, Source.CGROUP, ClockDomain.REALTIME, now))
            .setDetectedBy(OomDetection.CGROUP_COUNTER)
            .setVictimComm(t.identity.getComm())
            .setCgroupPath(t.cgroupPath)
            .setRssBytesAtKill(t.lastRssBytes)
            .setCgroupLimitBytes(m.flatMap(c -> boxed(c.limitBytes())).orElse(null))
            .setOomKillCount(a.oomKillCount())
            .setConstraint(null)
            .build());
        LOG.info("OOM kill: pid {} ({}) in {} with {} bytes resident",
            t.identity.getPid(), t.identity.getComm(), t.cgroupPath, t.lastRssBytes);
      }
      publish(ProcessLifecycle.newBuilder()
          .setHeader(headers.next(t.identity, Source.PROCFS, ClockDomain.REALTIME, now))
          .setPhase(LifecyclePhase.EXITED)
          .setExitCode(null)
          .setOomKilled(a.oomKilled())
          .setParentPid(null)
          .setCmdline(null)
          .build());
    }
    oom.endScan();
    return new ScanResult(pids.length, tracked.size(), started, exits.size(), oomKills, events,
        pss.readsThisScan(), pss.deferredThisScan());
  }

  /** Closes the files held for tracked processes (the scanner can scan again afterwards). */
  public void close() {
    for (Tracked t : tracked.values()) {
      t.files.close();
    }
    tracked.clear();
  }

  private Tracked discover(int pid, ProcStat stat, long scan) {
    if (stat.kernelThread()) {
      ignored.put(pid, new Ignored(stat, scan));
      return null;
    }
    Optional<ProcCgroups> procCgroups = proc.cgroups(pid);
    String cgroupPath = procCgroups.flatMap(cgroups::memoryCgroupPath).orElse(null);
    if (!options.selects(pid, stat.comm(), cgroupPath)) {
      ignored.put(pid, new Ignored(stat, scan));
      return null;
    }
    ProcessIdentity identity;
    try {
      identity = identities.forPid(pid);
    } catch (IOException | RuntimeException e) {
      return null; // gone since its stat was read; nothing to report
    }
    if (!options.selectsLabels(identity.getLabels())) {
      ignored.put(pid, new Ignored(stat, scan));
      return null;
    }
    Tracked t = new Tracked(identity, cgroupPath, proc.openProcess(pid, stat.startTicks()),
        pss.newProcess(), scan);
    tracked.put(pid, t);
    for (TrackedProcessListener l : listeners) {
      tell(() -> l.started(pid, identity), pid, "start");
    }
    publish(ProcessLifecycle.newBuilder()
        .setHeader(headers.next(identity, Source.PROCFS, ClockDomain.REALTIME, epochNanos()))
        .setPhase(LifecyclePhase.STARTED)
        .setExitCode(null)
        .setOomKilled(false)
        .setParentPid(stat.parentPid())
        .setCmdline(proc.cmdline(pid).orElse(null))
        .build());
    return t;
  }

  /**
   * Reads the identity of a tracked process again; when its program or runtime changed (an exec:
   * {@code sh -c 'exec app'}, a container entrypoint script, a JVM that had not mapped
   * {@code libjvm.so} yet) the listeners see the old identity exit and the new one start, and a
   * STARTED lifecycle event carries the new command line. The pid and start time stay: it is the
   * same process for the pipeline. The filters are not applied again. Its memory cgroup is read
   * again too: a launcher that joins a cgroup and then execs the program ({@code sh -c 'echo $$ >
   * cgroup.procs; exec app'}, a container runtime) was seen in the cgroup it started in (seen: a
   * program racing to its 96 MiB limit read with the root cgroup's figures, no limit, so its OOM
   * was not forecast).
   */
  private void reidentify(int pid, Tracked t, ProcStatus status) {
    ProcessIdentity fresh;
    try {
      fresh = identities.forPid(pid);
    } catch (IOException | RuntimeException e) {
      return; // gone meanwhile: the next scan reports its exit
    }
    ProcessIdentity old = t.identity;
    if (fresh.getProcessStartTimeMs() != old.getProcessStartTimeMs()
        || (fresh.getRuntime() == old.getRuntime() && fresh.getComm().equals(old.getComm()))) {
      return; // unchanged, or the pid was reused after the status read (next scan sees that)
    }
    for (TrackedProcessListener l : listeners) {
      tell(() -> l.exited(pid, old), pid, "exec (old program)");
    }
    t.identity = fresh;
    t.cgroupPath = proc.cgroups(pid).flatMap(cgroups::memoryCgroupPath).orElse(t.cgroupPath);
    reidentified++;
    for (TrackedProcessListener l : listeners) {
      tell(() -> l.started(pid, fresh), pid, "exec (new program)");
    }
    LOG.info("pid {} is now {} ({}), was {} ({})", pid, fresh.getComm(), fresh.getRuntime(),
        old.getComm(), old.getRuntime());
    publish(ProcessLifecycle.newBuilder()
        .setHeader(headers.next(fresh, Source.PROCFS, ClockDomain.REALTIME, epochNanos()))
        .setPhase(LifecyclePhase.STARTED)
        .setExitCode(null)
        .setOomKilled(false)
        .setParentPid(status.parentPid())
        .setCmdline(proc.cmdline(pid).orElse(null))
        .build());
  }

  private void sample(Tracked t, ProcStatus s, Map<String, Optional<CgroupMemory>> cgroupCache) {
    if (s.vmRssBytes() == null) {
      return; // exiting right now (no address space left); the next scan reports the exit
    }
    long now = epochNanos();
    Long pssBytes = pss.pss(t.files.pid(), t.pss);
    Optional<CgroupMemory> cg = t.cgroupPath == null ? Optional.empty()
        : cgroupOf(t.cgroupPath, cgroupCache);
    t.lastRssBytes = s.vmRssBytes();
    ResidentMemory.Builder rm = ResidentMemory.newBuilder()
        .setHeader(headers.next(t.identity, Source.PROCFS, ClockDomain.REALTIME, now))
        .setRssBytes(s.vmRssBytes())
        .setPssBytes(pssBytes)
        .setAnonBytes(s.rssAnonBytes())
        .setFileBytes(s.rssFileBytes())
        .setShmemBytes(s.rssShmemBytes())
        .setSwapBytes(s.vmSwapBytes())
        .setVmSizeBytes(s.vmSizeBytes());
    Optional<MemoryPressure> psi = Optional.empty();
    if (cg.isPresent()) {
      CgroupMemory c = cg.get();
      rm.setCgroupVersion(c.version())
          .setCgroupUsageBytes(c.usageBytes())
          .setCgroupLimitBytes(orNull(c.limitBytes()))
          .setCgroupOomKills(orNull(c.oomKills()))
          .setCgroupAnonBytes(orNull(c.anonBytes()))
          .setCgroupFileBytes(orNull(c.fileBytes()))
          .setCgroupShmemBytes(orNull(c.shmemBytes()))
          .setCgroupInactiveFileBytes(orNull(c.inactiveFileBytes()))
          .setCgroupWorkingSetBytes(orNull(c.workingSetBytes()))
          .setCgroupSwapBytes(orNull(c.swapBytes()))
          .setCgroupHighBytes(orNull(c.highBytes()))
          .setCgroupHighEvents(orNull(c.highEvents()))
          .setCgroupMaxEvents(orNull(c.maxEvents()));
      psi = c.pressure();
    } else {
      rm.setCgroupVersion(null).setCgroupUsageBytes(null).setCgroupLimitBytes(null)
          .setCgroupOomKills(null);
    }
    if (psi.isEmpty()) {
      psi = hostPressure.read(); // v1, or a v2 kernel without per-cgroup PSI: the host's
    }
    if (psi.isPresent()) {
      rm.setPsiSomeAvg10(psi.get().someAvg10())
          .setPsiFullAvg10(psi.get().fullAvg10().isPresent()
              ? psi.get().fullAvg10().getAsDouble() : null);
    }
    publish(rm.build());
    // every field set, to its default too: build() looks up and deep-copies the schema
    // default of each field left unset, for every process at every scan
    publish(ThreadCount.newBuilder()
        .setHeader(headers.next(t.identity, Source.PROCFS, ClockDomain.REALTIME, now))
        .setKind(ThreadKind.OS_THREADS)
        .setCount(s.threads())
        .setDaemonCount(null)
        .setPeakCount(null)
        .setStacks(List.of())
        .build());
    for (TrackedProcessListener l : listeners) {
      tell(() -> events += l.sampled(t.files.pid(), t.identity, now), t.files.pid(), "sample");
    }
  }

  /**
   * Tells a listener about a process; its failure is counted and goes no further: the other
   * listeners and the scan's own events (a STARTED lifecycle) do not depend on it.
   */
  private void tell(Runnable call, int pid, String what) {
    try {
      call.run();
    } catch (RuntimeException e) {
      processErrors++;
      LOG.debug("listener failed on the {} of pid {}: {}", what, pid, e.toString());
    }
  }

  private static Long orNull(java.util.OptionalLong v) {
    return v.isPresent() ? v.getAsLong() : null;
  }

  /** Reads a cgroup at most once per scan, feeding its OOM counter to the tracker. */
  private Optional<CgroupMemory> cgroupOf(String path, Map<String, Optional<CgroupMemory>> cache) {
    return cache.computeIfAbsent(path, p -> {
      try {
        Optional<CgroupMemory> m = cgroups.read(p);
        m.ifPresent(c -> c.oomKills().ifPresent(n -> oom.counter(p, n, epochNanos())));
        return m;
      } catch (IOException | RuntimeException e) {
        LOG.debug("cgroup {} unreadable: {}", p, e.toString());
        return Optional.empty();
      }
    });
  }

  private void publish(org.apache.avro.specific.SpecificRecord event) {
    sink.publish(event);
    events++;
  }

  private static Optional<Long> boxed(java.util.OptionalLong v) {
    return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
  }

  static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  public int trackedProcesses() {
    return tracked.size();
  }

  /** Tracked processes whose identity changed after discovery (exec, late runtime). */
  public long reidentified() {
    return reidentified;
  }

  public long oomKillsAttributed() {
    return oom.attributedKills();
  }

  public long oomKillsUnattributed() {
    return oom.unattributedKills();
  }

  /** Processes a scan skipped, and listener errors on exits, since the start. */
  public long processErrors() {
    return processErrors;
  }
}
