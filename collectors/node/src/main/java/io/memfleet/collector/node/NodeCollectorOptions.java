package io.memfleet.collector.node;

import io.memfleet.collector.node.go.GcTraceSource;
import io.memfleet.collector.node.go.GoTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Every setting of the node collector, typed, with defaults that work on a laptop. The
 * {@code memfleet collect} command ({@link CollectCommand}) maps each to a flag and a
 * {@code MEMFLEET_*} environment variable; the table is in the module README.
 *
 * <pre>{@code
 * NodeCollectorOptions o = NodeCollectorOptions.builder()
 *     .interval(Duration.ofMillis(500))
 *     .comms(Set.of("memfleet-demo"))
 *     .goTarget(GoTarget.parse("demo=http://127.0.0.1:6060"))
 *     .build();
 * }</pre>
 *
 * @param interval time between procfs/cgroup scans (and Go scrapes)
 * @param pids only these pids (empty: no pid filter)
 * @param comms only processes with one of these command names (empty: no comm filter)
 * @param cgroupPrefixes only processes whose memory cgroup path starts with one of these
 *     (empty: no cgroup filter); filters of different kinds must all match
 * @param labels only processes carrying every one of these labels (empty: no label filter);
 *     matched against the published identity's labels: collector-wide, declared by the
 *     process in its environment, and derived from its cgroup
 * @param processLabels read the labels and service processes declare in their environment
 *     ({@code MEMFLEET_LABELS}, {@code MEMFLEET_SERVICE} in {@code /proc/PID/environ})
 * @param readSmapsRollup read {@code smaps_rollup} for Pss (costs a walk over all mappings)
 * @param smapsInterval how often each process's {@code smaps_rollup} is read (on discovery,
 *     then once per this interval, spread over it; the last Pss is carried in between); at or
 *     below {@code interval}: at every scan
 * @param smapsMaxCpuPercent most CPU all {@code smaps_rollup} reads together may use, in percent
 *     of one core (averaged over the smaps interval); due reads beyond it wait for later scans;
 *     100 or more: no limit
 * @param readCgroupStat read {@code memory.stat} of each cgroup (anon, file, shmem, inactive
 *     file, working set, v1 swap in {@code ResidentMemory}); default on
 * @param readHsperfdata read the HotSpot performance counters ({@code hsperfdata}) of every
 *     tracked JVM each scan: {@code MemoryPools} and a periodic {@code HeapSummary}
 * @param goTargets Go programs to scrape over HTTP
 * @param gctraceSources gctrace logs or pipes to follow
 * @param goDiscovery find Go programs serving expvar or pprof among the tracked processes
 *     (their listening TCP ports, probed on loopback), in addition to {@code goTargets}
 * @param goDiscoveryInterval how often a Go process's listening ports are listed again, for
 *     ports opened since (only new ports are probed)
 * @param goHeapProfileInterval how often each Go target's heap profile is read (OUTSTANDING
 *     allocations by stack)
 * @param goTopStacks stacks kept from each heap and goroutine profile (the rest is summed)
 * @param clockSyncInterval time between ClockSync samples
 * @param oomWindow how long a cgroup OOM kill waits for its victim to vanish
 * @param goScrapeTimeout connect and read timeout of one Go scrape
 * @param procRoot procfs root
 * @param cgroupV1MemoryRoot mount of the v1 memory hierarchy; null: from mountinfo
 * @param cgroupV2Root mount of the v2 hierarchy; null: from mountinfo
 */
public record NodeCollectorOptions(
    Duration interval,
    Set<Integer> pids,
    Set<String> comms,
    List<String> cgroupPrefixes,
    Map<String, String> labels,
    boolean processLabels,
    boolean readSmapsRollup,
    Duration smapsInterval,
    double smapsMaxCpuPercent,
    boolean readCgroupStat,
    boolean readHsperfdata,
    List<GoTarget> goTargets,
    List<GcTraceSource> gctraceSources,
    boolean goDiscovery,
    Duration goDiscoveryInterval,
    Duration goHeapProfileInterval,
    int goTopStacks,
    Duration clockSyncInterval,
    Duration oomWindow,
    Duration goScrapeTimeout,
    Path procRoot,
    Path cgroupV1MemoryRoot,
    Path cgroupV2Root) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_SMAPS_INTERVAL = Duration.ofSeconds(30);
  public static final double DEFAULT_SMAPS_MAX_CPU_PERCENT = 0.25;
  public static final Duration DEFAULT_CLOCK_SYNC_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_OOM_WINDOW = Duration.ofSeconds(10);
  public static final Duration DEFAULT_GO_SCRAPE_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_GO_DISCOVERY_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_GO_HEAP_PROFILE_INTERVAL = Duration.ofSeconds(30);
  public static final int DEFAULT_GO_TOP_STACKS = 16;

  public NodeCollectorOptions {
    pids = Set.copyOf(pids);
    comms = Set.copyOf(comms);
    cgroupPrefixes = List.copyOf(cgroupPrefixes);
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    goTargets = List.copyOf(goTargets);
    gctraceSources = List.copyOf(gctraceSources);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Defaults: every process, 1 s, smaps_rollup every 30 s, /proc, cgroup mounts from mountinfo.
   */
  public static NodeCollectorOptions defaults() {
    return builder().build();
  }

  /** True when a process passes the pid, comm and cgroup filters. */
  public boolean selects(int pid, String comm, String memoryCgroup) {
    if (!pids.isEmpty() && !pids.contains(pid)) {
      return false;
    }
    if (!comms.isEmpty() && !comms.contains(comm)) {
      return false;
    }
    if (!cgroupPrefixes.isEmpty()) {
      return memoryCgroup != null && cgroupPrefixes.stream().anyMatch(memoryCgroup::startsWith);
    }
    return true;
  }

  /**
   * True when a process's labels carry every label of the filter (checked after
   * {@link #selects}, once the identity, and so the labels, of a candidate is known).
   */
  public boolean selectsLabels(Map<String, String> processLabels) {
    for (Map.Entry<String, String> wanted : labels.entrySet()) {
      if (!wanted.getValue().equals(processLabels.get(wanted.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** Validating builder. */
  public static final class Builder {
    private Duration interval = DEFAULT_INTERVAL;
    private final Set<Integer> pids = new LinkedHashSet<>();
    private final Set<String> comms = new LinkedHashSet<>();
    private final List<String> cgroupPrefixes = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private boolean processLabels = true;
    private boolean readSmapsRollup = true;
    private Duration smapsInterval = DEFAULT_SMAPS_INTERVAL;
    private double smapsMaxCpuPercent = DEFAULT_SMAPS_MAX_CPU_PERCENT;
    private boolean readCgroupStat = true;
    private boolean readHsperfdata = true;
    private final List<GoTarget> goTargets = new ArrayList<>();
    private final List<GcTraceSource> gctraceSources = new ArrayList<>();
    private boolean goDiscovery = true;
    private Duration goDiscoveryInterval = DEFAULT_GO_DISCOVERY_INTERVAL;
    private Duration goHeapProfileInterval = DEFAULT_GO_HEAP_PROFILE_INTERVAL;
    private int goTopStacks = DEFAULT_GO_TOP_STACKS;
    private Duration clockSyncInterval = DEFAULT_CLOCK_SYNC_INTERVAL;
    private Duration oomWindow = DEFAULT_OOM_WINDOW;
    private Duration goScrapeTimeout = DEFAULT_GO_SCRAPE_TIMEOUT;
    private Path procRoot = Path.of("/proc");
    private Path cgroupV1MemoryRoot;
    private Path cgroupV2Root;

    private Builder() {}

    public Builder interval(Duration interval) {
      this.interval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    public Builder pids(Set<Integer> pids) {
      this.pids.addAll(pids);
      return this;
    }

    public Builder comms(Set<String> comms) {
      this.comms.addAll(comms);
      return this;
    }

    public Builder cgroupPrefixes(List<String> prefixes) {
      this.cgroupPrefixes.addAll(prefixes);
      return this;
    }

    /** Adds label filters ({@code key=value}; all must match). */
    public Builder labels(Map<String, String> labels) {
      labels.forEach((k, v) -> {
        if (k == null || k.isBlank() || v == null) {
          throw new IllegalArgumentException("label filter must be key=value: " + k + "=" + v);
        }
        this.labels.put(k.strip(), v.strip());
      });
      return this;
    }

    /** Read labels declared in each tracked process's environment (default on). */
    public Builder processLabels(boolean read) {
      this.processLabels = read;
      return this;
    }

    public Builder readSmapsRollup(boolean read) {
      this.readSmapsRollup = read;
      return this;
    }

    /** How often each process's Pss is read; at or below the scan interval: every scan. */
    public Builder smapsInterval(Duration interval) {
      this.smapsInterval = Objects.requireNonNull(interval, "smapsInterval");
      return this;
    }

    /**
     * Most CPU the smaps_rollup reads may use, in percent of one core (0.25 = a quarter of one
     * percent); 100 or more: no limit.
     */
    public Builder smapsMaxCpuPercent(double percent) {
      this.smapsMaxCpuPercent = percent;
      return this;
    }

    public Builder readCgroupStat(boolean read) {
      this.readCgroupStat = read;
      return this;
    }

    /** Read every tracked JVM's hsperfdata counters each scan (default on). */
    public Builder readHsperfdata(boolean read) {
      this.readHsperfdata = read;
      return this;
    }

    /** Find Go programs serving expvar/pprof by themselves (default on). */
    public Builder goDiscovery(boolean discover) {
      this.goDiscovery = discover;
      return this;
    }

    public Builder goDiscoveryInterval(Duration interval) {
      this.goDiscoveryInterval = Objects.requireNonNull(interval, "goDiscoveryInterval");
      return this;
    }

    public Builder goHeapProfileInterval(Duration interval) {
      this.goHeapProfileInterval = Objects.requireNonNull(interval, "goHeapProfileInterval");
      return this;
    }

    /** Stacks kept per heap or goroutine profile, largest first (1..256). */
    public Builder goTopStacks(int n) {
      this.goTopStacks = n;
      return this;
    }

    public Builder goTarget(GoTarget target) {
      this.goTargets.add(Objects.requireNonNull(target, "target"));
      return this;
    }

    public Builder goTargets(List<GoTarget> targets) {
      targets.forEach(this::goTarget);
      return this;
    }

    public Builder gctraceSource(GcTraceSource source) {
      this.gctraceSources.add(Objects.requireNonNull(source, "source"));
      return this;
    }

    public Builder gctraceSources(List<GcTraceSource> sources) {
      sources.forEach(this::gctraceSource);
      return this;
    }

    public Builder clockSyncInterval(Duration interval) {
      this.clockSyncInterval = Objects.requireNonNull(interval, "clockSyncInterval");
      return this;
    }

    public Builder oomWindow(Duration window) {
      this.oomWindow = Objects.requireNonNull(window, "oomWindow");
      return this;
    }

    public Builder goScrapeTimeout(Duration timeout) {
      this.goScrapeTimeout = Objects.requireNonNull(timeout, "goScrapeTimeout");
      return this;
    }

    public Builder procRoot(Path root) {
      this.procRoot = Objects.requireNonNull(root, "procRoot");
      return this;
    }

    /** Fixed cgroup mounts (either may be null: that version is not read). */
    public Builder cgroupRoots(Path v1Memory, Path v2) {
      this.cgroupV1MemoryRoot = v1Memory;
      this.cgroupV2Root = v2;
      return this;
    }

    public NodeCollectorOptions build() {
      requirePositive(interval, "interval");
      requirePositive(smapsInterval, "smapsInterval");
      if (!(smapsMaxCpuPercent > 0)) { // also rejects NaN
        throw new IllegalArgumentException("smapsMaxCpuPercent must be positive (100: no"
            + " limit; --no-smaps turns the reads off): " + smapsMaxCpuPercent);
      }
      requirePositive(clockSyncInterval, "clockSyncInterval");
      requirePositive(oomWindow, "oomWindow");
      requirePositive(goScrapeTimeout, "goScrapeTimeout");
      requirePositive(goDiscoveryInterval, "goDiscoveryInterval");
      requirePositive(goHeapProfileInterval, "goHeapProfileInterval");
      if (goTopStacks < 1 || goTopStacks > 256) {
        throw new IllegalArgumentException("goTopStacks must be 1..256: " + goTopStacks);
      }
      if (interval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("interval below 10 ms would only measure itself: "
            + interval);
      }
      return new NodeCollectorOptions(interval, pids, comms, cgroupPrefixes, labels,
          processLabels, readSmapsRollup, smapsInterval, smapsMaxCpuPercent,
          readCgroupStat, readHsperfdata, goTargets, gctraceSources, goDiscovery,
          goDiscoveryInterval, goHeapProfileInterval, goTopStacks, clockSyncInterval, oomWindow,
          goScrapeTimeout, procRoot, cgroupV1MemoryRoot, cgroupV2Root);
    }

    private static void requirePositive(Duration d, String name) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
    }
  }
}
