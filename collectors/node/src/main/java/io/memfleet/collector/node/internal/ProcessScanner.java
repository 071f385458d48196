package io.memfleet.collector.node.internal;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.NodeCollectorOptions;
import io.memfleet.collector.node.cgroup.CgroupMemory;
import io.memfleet.collector.node.cgroup.CgroupMemoryReader;
import io.memfleet.collector.node.oom.OomKillTracker;
import io.memfleet.collector.node.procfs.ProcCgroups;
import io.memfleet.collector.node.procfs.ProcStat;
import io.memfleet.collector.node.procfs.ProcStatus;
import io.memfleet.collector.node.procfs.ProcfsReader;
import io.memfleet.collector.node.procfs.SmapsRollup;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One procfs/cgroup scan after another: discovers processes, publishes their resident memory
 * and thread counts, their start and exit, and OOM kills from cgroup counters.
 *
 * <p>A process is (pid, start time), so a reused pid is a new process. State per process lives
 * from the scan that first sees it to the scan that finds it gone (or a zombie), then is removed.
 * Not thread-safe: one scan thread calls {@link #scan()}.
 */
public final class ProcessScanner {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessScanner.class);

  /** A process by the key pids cannot fake: pid plus start time in clock ticks. */
  record Key(int pid, long startTicks) {}

  private static final class Tracked {
    final ProcessIdentity identity;
    final String cgroupPath;
    long lastRssBytes;

    Tracked(ProcessIdentity identity, String cgroupPath) {
      this.identity = identity;
      this.cgroupPath = cgroupPath;
    }
  }

  /** What one scan did. */
  public record ScanResult(int processesSeen, int tracked, int started, int exited,
      int oomKills, int events) {}

  private final NodeCollectorOptions options;
  private final ProcfsReader proc;
  private final CgroupMemoryReader cgroups;
  private final ProcessIdentities identities;
  private final EventHeaders headers;
  private final EventSink sink;
  private final OomKillTracker<Tracked> oom;
  private final Map<Key, Tracked> tracked = new HashMap<>();
  private final Set<Key> ignored = new HashSet<>();
  private int events;

  public ProcessScanner(NodeCollectorOptions options, ProcfsReader proc,
      CgroupMemoryReader cgroups, ProcessIdentities identities, EventHeaders headers,
      EventSink sink) {
    this.options = options;
    this.proc = proc;
    this.cgroups = cgroups;
    this.identities = identities;
    this.headers = headers;
    this.sink = sink;
    this.oom = new OomKillTracker<>(options.oomWindow());
  }

  public ScanResult scan() throws IOException {
    events = 0;
    Set<Key> present = new HashSet<>();
    int started = 0;
    List<Integer> pids = proc.pids();
    Map<String, Optional<CgroupMemory>> cgroupCache = new HashMap<>();
    for (int pid : pids) {
      Optional<ProcStat> stat = proc.stat(pid);
      if (stat.isEmpty() || stat.get().gone()) {
        continue;
      }
      Key key = new Key(pid, stat.get().startTicks());
      present.add(key);
      Tracked t = tracked.get(key);
      if (t == null) {
        if (ignored.contains(key)) {
          continue;
        }
        t = discover(key, stat.get());
        if (t == null) {
          continue;
        }
        started++;
      }
      sample(pid, t, cgroupCache);
    }
    List<OomKillTracker.Exited<Tracked>> exits = new ArrayList<>();
    for (Iterator<Map.Entry<Key, Tracked>> it = tracked.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Tracked> e = it.next();
      if (!present.contains(e.getKey())) {
        Tracked t = e.getValue();
        exits.add(new OomKillTracker.Exited<>(t, t.cgroupPath, t.lastRssBytes));
        // the victim may have been the cgroup's last member: read its counter once more
        if (t.cgroupPath != null) {
          cgroupOf(t.cgroupPath, cgroupCache);
        }
        it.remove();
      }
    }
    ignored.retainAll(present);
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
    return new ScanResult(pids.size(), tracked.size(), started, exits.size(), oomKills, events);
  }

  private Tracked discover(Key key, ProcStat stat) {
    if (stat.kernelThread()) {
      ignored.add(key);
      return null;
    }
    Optional<ProcCgroups> procCgroups = proc.cgroups(key.pid());
    String cgroupPath = procCgroups.flatMap(cgroups::memoryCgroupPath).orElse(null);
    if (!options.selects(key.pid(), stat.comm(), cgroupPath)) {
      ignored.add(key);
      return null;
    }
    ProcessIdentity identity;
    try {
      identity = identities.forPid(key.pid());
    } catch (IOException | RuntimeException e) {
      return null; // gone since its stat was read; nothing to report
    }
    if (!options.selectsLabels(identity.getLabels())) {
      ignored.add(key);
      return null;
    }
    Tracked t = new Tracked(identity, cgroupPath);
    tracked.put(key, t);
    publish(ProcessLifecycle.newBuilder()
        .setHeader(headers.next(identity, Source.PROCFS, ClockDomain.REALTIME, epochNanos()))
        .setPhase(LifecyclePhase.STARTED)
        .setExitCode(null)
        .setOomKilled(false)
        .setParentPid(stat.parentPid())
        .setCmdline(proc.cmdline(key.pid()).orElse(null))
        .build());
    return t;
  }

  private void sample(int pid, Tracked t, Map<String, Optional<CgroupMemory>> cgroupCache) {
    Optional<ProcStatus> status = proc.status(pid);
    if (status.isEmpty() || status.get().zombie() || status.get().vmRssBytes() == null) {
      return; // exiting right now; the next scan reports the exit
    }
    ProcStatus s = status.get();
    long now = epochNanos();
    SmapsRollup rollup = options.readSmapsRollup()
        ? proc.smapsRollup(pid).orElse(null) : null;
    Optional<CgroupMemory> cg = t.cgroupPath == null ? Optional.empty()
        : cgroupOf(t.cgroupPath, cgroupCache);
    t.lastRssBytes = s.vmRssBytes();
    ResidentMemory.Builder rm = ResidentMemory.newBuilder()
        .setHeader(headers.next(t.identity, Source.PROCFS, ClockDomain.REALTIME, now))
        .setRssBytes(s.vmRssBytes())
        .setPssBytes(rollup == null ? null : rollup.pssBytes())
        .setAnonBytes(s.rssAnonBytes())
        .setFileBytes(s.rssFileBytes())
        .setShmemBytes(s.rssShmemBytes())
        .setSwapBytes(s.vmSwapBytes())
        .setVmSizeBytes(s.vmSizeBytes());
    if (cg.isPresent()) {
      CgroupMemory c = cg.get();
      rm.setCgroupVersion(c.version())
          .setCgroupUsageBytes(c.usageBytes())
          .setCgroupLimitBytes(boxed(c.limitBytes()).orElse(null))
          .setCgroupOomKills(boxed(c.oomKills()).orElse(null));
    } else {
      rm.setCgroupVersion(null).setCgroupUsageBytes(null).setCgroupLimitBytes(null)
          .setCgroupOomKills(null);
    }
    publish(rm.build());
    publish(ThreadCount.newBuilder()
        .setHeader(headers.next(t.identity, Source.PROCFS, ClockDomain.REALTIME, now))
        .setKind(ThreadKind.OS_THREADS)
        .setCount(s.threads())
        .build());
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

  public long oomKillsAttributed() {
    return oom.attributedKills();
  }

  public long oomKillsUnattributed() {
    return oom.unattributedKills();
  }
}
