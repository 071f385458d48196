package io.memfleet.collector.node;

import io.memfleet.collector.ClockSyncSampler;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.cgroup.CgroupMemoryReader;
import io.memfleet.collector.node.cgroup.CgroupMounts;
import io.memfleet.collector.node.go.GcTraceFollower;
import io.memfleet.collector.node.go.GcTraceSource;
import io.memfleet.collector.node.go.GoProgramDiscovery;
import io.memfleet.collector.node.go.GoRuntimeScraper;
import io.memfleet.collector.node.internal.ProcessFinder;
import io.memfleet.collector.node.internal.ProcessScanner;
import io.memfleet.collector.node.internal.TrackedProcessListener;
import io.memfleet.collector.node.jvm.HsperfdataSampler;
import io.memfleet.collector.node.procfs.ProcfsReader;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node collector daemon: scans procfs and memory cgroups every interval, scrapes Go targets,
 * follows gctrace logs and samples the clocks, publishing everything to one {@link EventSink}.
 *
 * <pre>{@code
 * try (EventSink sink = KafkaEventSink.builder()...build();
 *     NodeCollector collector = NodeCollector.builder()
 *         .options(NodeCollectorOptions.builder().comms(Set.of("memfleet-demo")).build())
 *         .identities(ProcessIdentities.fromEnvironment())
 *         .headers(new EventHeaders("node/" + host + "/" + ProcessHandle.current().pid()))
 *         .sink(sink)
 *         .build()) {
 *   collector.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>Threads: one scheduler thread runs the procfs scans and the clock samples, a second one the
 * Go scrapes (an HTTP timeout must not delay a scan), and each gctrace source has its own
 * reader thread. {@link #scanOnce()} runs one scan on the caller's thread, for tests and
 * overhead measurements; do not mix it with {@link #start()}.
 */
public final class NodeCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeCollector.class);

  private final NodeCollectorOptions options;
  private final ProcessIdentities identities;
  private final EventHeaders headers;
  private final EventSink sink;
  private final ProcessScanner scanner;
  private final ProcfsReader procReader;
  private final GoRuntimeScraper goScraper;
  private final GoProgramDiscovery goDiscovery; // null when off
  private final HsperfdataSampler hsperfdata; // null when off
  private final List<GcTraceFollower> followers = new ArrayList<>();
  private final ClockSyncSampler clockSampler = new ClockSyncSampler();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final AtomicLong scanFailures = new AtomicLong();
  /** Scans and their CPU time, replaced together so a reader never sees one without the other. */
  private record ScanTotals(long scans, long cpuNanos) {}

  private volatile ScanTotals scanTotals = new ScanTotals(0, 0);
  private final AtomicLong scanEvents = new AtomicLong();
  private final AtomicLong clockSyncs = new AtomicLong();
  private volatile ProcessScanner.ScanResult lastScan;
  private final AtomicLong smapsReads = new AtomicLong();
  private final AtomicLong smapsDeferred = new AtomicLong();
  private ScheduledExecutorService scanExecutor;
  private ScheduledExecutorService goExecutor;

  /**
   * Counters for the status line and tests. {@code procReadErrors} counts failed procfs reads
   * and processes a scan had to skip (their trouble did not stop the scan of the others).
   */
  public record Status(long scans, long scanFailures, int trackedProcesses, long scanEvents,
      double meanScanCpuMillis, long oomKillsAttributed, long oomKillsUnattributed,
      long goScrapes, long goScrapeFailures, long gctraceLines, long gctraceMalformed,
      long gctraceUnattributed, long clockSyncs, long procReadErrors,
      long environReadFailures, Diagnosis diagnosis) {}

  /**
   * Counters of the runtime pool readers: JVMs whose hsperfdata is read, without one, unreadable
   * files; Go programs found by discovery, and malformed Go profiles.
   */
  public record Diagnosis(long hsperfdataJvms, long hsperfdataMissing, long hsperfdataMalformed,
      long goTargetsDiscovered, long goProbes, long goProfilesMalformed) {}

  private NodeCollector(Builder b) throws IOException {
    this.options = b.options;
    // per-process labels: every part of this collector (scans, Go scrapes, gctrace) must
    // stamp a process with the same identity, so all share one ProcessIdentities
    this.identities = options.processLabels() ? b.identities.withProcessLabels() : b.identities;
    this.headers = b.headers;
    this.sink = b.sink;
    ProcfsReader proc = new ProcfsReader(options.procRoot());
    CgroupMounts mounts = options.cgroupV1MemoryRoot() != null || options.cgroupV2Root() != null
        ? CgroupMounts.of(options.cgroupV1MemoryRoot(), options.cgroupV2Root())
        : CgroupMounts.parse(Files.readString(options.procRoot().resolve("self/mountinfo")));
    List<TrackedProcessListener> listeners = new ArrayList<>();
    this.hsperfdata = options.readHsperfdata()
        ? new HsperfdataSampler(options.procRoot(), headers, sink) : null;
    this.goDiscovery = options.goDiscovery()
        ? new GoProgramDiscovery(options.procRoot(), options.goDiscoveryInterval(),
            Duration.ofMillis(Math.min(300, options.goScrapeTimeout().toMillis())),
            options.goScrapeTimeout())
        : null;
    if (hsperfdata != null) {
      listeners.add(hsperfdata);
    }
    if (goDiscovery != null) {
      listeners.add(goDiscovery);
    }
    if (b.listener != ProcessListener.NONE) {
      listeners.add(tracking(b.listener));
    }
    this.scanner = new ProcessScanner(options, proc,
        new CgroupMemoryReader(mounts, options.readCgroupStat()), identities, headers, sink,
        listeners);
    this.procReader = proc;
    ProcessFinder finder = new ProcessFinder(options.procRoot());
    for (GcTraceSource s : options.gctraceSources()) {
      followers.add(new GcTraceFollower(s, identities, finder, headers, sink,
          Duration.ofMillis(Math.min(200, options.interval().toMillis()))));
    }
    // each GC pause once: a process whose gctrace is followed gets no cycles from memstats
    this.goScraper = new GoRuntimeScraper(options.goTargets(), identities, finder, headers, sink,
        new GoRuntimeScraper.Config(options.procRoot(), options.goScrapeTimeout(),
            options.goHeapProfileInterval(), options.goTopStacks(),
            p -> followers.stream().anyMatch(f -> f.covers(p))));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The scanner's hook, for a listener from outside this module. */
  private static TrackedProcessListener tracking(ProcessListener listener) {
    return new TrackedProcessListener() {
      @Override
      public void started(int pid, ProcessIdentity identity) {
        listener.started(identity);
      }

      @Override
      public void exited(int pid, ProcessIdentity identity) {
        listener.exited(identity);
      }
    };
  }

  /** Starts scanning, scraping and following in the background. */
  public synchronized void start() {
    if (scanExecutor != null) {
      throw new IllegalStateException("already started");
    }
    scanExecutor = Executors.newSingleThreadScheduledExecutor(daemon("memfleet-node-scan"));
    long interval = options.interval().toNanos();
    scanExecutor.scheduleAtFixedRate(this::scanQuietly, 0, interval, TimeUnit.NANOSECONDS);
    scanExecutor.scheduleAtFixedRate(this::clockSync, 0, options.clockSyncInterval().toNanos(),
        TimeUnit.NANOSECONDS);
    if (!options.goTargets().isEmpty() || goDiscovery != null) {
      goExecutor = Executors.newSingleThreadScheduledExecutor(daemon("memfleet-node-go"));
      goExecutor.scheduleAtFixedRate(this::scrapeGoQuietly, 0, interval, TimeUnit.NANOSECONDS);
    }
    followers.forEach(GcTraceFollower::start);
  }

  /** One procfs/cgroup scan on the calling thread; its CPU time is added to the status. */
  public ProcessScanner.ScanResult scanOnce() throws IOException {
    long cpu0 = threads.getCurrentThreadCpuTime();
    ProcessScanner.ScanResult r = scanner.scan();
    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
    ScanTotals t = scanTotals;
    scanTotals = new ScanTotals(t.scans() + 1, t.cpuNanos() + cpu); // one scanning thread
    smapsReads.addAndGet(r.smapsReads());
    smapsDeferred.addAndGet(r.smapsDeferred());
    scanEvents.addAndGet(r.events());
    lastScan = r;
    return r;
  }

  /**
   * Scrapes the Go targets once on the calling thread, after a discovery round (when on) has
   * taken in the Go processes the scans found.
   */
  public void scrapeGoOnce() {
    if (goDiscovery != null) {
      goDiscovery.discover(goScraper);
    }
    goScraper.scrapeAll();
  }

  private void scrapeGoQuietly() {
    try {
      scrapeGoOnce();
    } catch (RuntimeException e) {
      // a scheduled task that throws is never run again: log, go on
      LOG.warn("Go scrape round failed (will retry next interval): {}", e.toString());
    }
  }

  private void scanQuietly() {
    try {
      scanOnce();
    } catch (IOException | RuntimeException e) {
      // a scheduled task that throws is never run again: count, log, go on
      scanFailures.incrementAndGet();
      LOG.warn("scan failed (will retry next interval): {}", e.toString());
    }
  }

  private void clockSync() {
    try {
      sink.publish(clockSampler.sample(identities.self(), Source.PROCFS, headers));
      clockSyncs.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      LOG.warn("clock sync sample failed: {}", e.toString());
    }
  }

  public Status status() {
    ScanTotals totals = scanTotals;
    long n = totals.scans();
    long lines = 0;
    long malformed = 0;
    long unattributed = 0;
    for (GcTraceFollower f : followers) {
      lines += f.parser().parsedLines();
      malformed += f.parser().malformedLines();
      unattributed += f.unattributedLines();
    }
    ProcessScanner.ScanResult last = lastScan;
    return new Status(n, scanFailures.get(), last == null ? 0 : last.tracked(), scanEvents.get(),
        n == 0 ? 0 : totals.cpuNanos() / 1e6 / n,
        scanner.oomKillsAttributed(), scanner.oomKillsUnattributed(),
        goScraper.scrapes(), goScraper.failures(), lines, malformed, unattributed,
        clockSyncs.get(), procReader.readErrors() + scanner.processErrors(),
        identities.environReadFailures(),
        new Diagnosis(
            hsperfdata == null ? 0 : hsperfdata.jvmsRead(),
            hsperfdata == null ? 0 : hsperfdata.jvmsWithoutPerfData(),
            hsperfdata == null ? 0 : hsperfdata.malformed(),
            goScraper.discoveredTargets(),
            goDiscovery == null ? 0 : goDiscovery.probes(),
            goScraper.profileMalformed()));
  }

  /** smaps_rollup reads since the start (each walks a process's page tables for Pss). */
  public long smapsReads() {
    return smapsReads.get();
  }

  /** Due smaps_rollup reads postponed to a later scan because their CPU budget was spent. */
  public long smapsDeferred() {
    return smapsDeferred.get();
  }

  public NodeCollectorOptions options() {
    return options;
  }

  /**
   * Stops every thread and closes the procfs files held for tracked processes; does not close
   * the sink, which the caller owns.
   */
  @Override
  public synchronized void close() {
    followers.forEach(GcTraceFollower::close);
    boolean scanStopped = true;
    for (ScheduledExecutorService e : new ScheduledExecutorService[] {scanExecutor, goExecutor}) {
      if (e != null) {
        e.shutdownNow();
        try {
          scanStopped &= e.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          scanStopped = false;
        }
      }
    }
    if (scanStopped) {
      scanner.close(); // not while a scan may still run on the scan thread
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Validating builder: options default to {@link NodeCollectorOptions#defaults()}. */
  public static final class Builder {
    private NodeCollectorOptions options = NodeCollectorOptions.defaults();
    private ProcessIdentities identities;
    private EventHeaders headers;
    private EventSink sink;
    private ProcessListener listener = ProcessListener.NONE;

    private Builder() {}

    /**
     * Told about each tracked process when a scan finds it and when one finds it gone, on the
     * scan thread (so it must return at once); e.g. the JFR repository collector.
     */
    public Builder processListener(ProcessListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Builder options(NodeCollectorOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    public Builder identities(ProcessIdentities identities) {
      this.identities = identities;
      return this;
    }

    public Builder headers(EventHeaders headers) {
      this.headers = headers;
      return this;
    }

    public Builder sink(EventSink sink) {
      this.sink = sink;
      return this;
    }

    /**
     * @throws IllegalArgumentException when the sink, identities or headers are missing
     * @throws IOException when procfs cannot be read (no mountinfo under the proc root)
     */
    public NodeCollector build() throws IOException {
      if (sink == null || identities == null || headers == null) {
        throw new IllegalArgumentException("sink, identities and headers are required");
      }
      if (!Files.isDirectory(options.procRoot())) {
        throw new IllegalArgumentException("no procfs at " + options.procRoot());
      }
      return new NodeCollector(this);
    }
  }
}
