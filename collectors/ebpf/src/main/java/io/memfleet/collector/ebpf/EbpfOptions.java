package io.memfleet.collector.ebpf;

import io.memfleet.collector.DurationConverter;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.ebpf.bpftrace.BpftraceScript;
import io.memfleet.collector.ebpf.track.ProcessScope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * Every setting of the eBPF collector, in one place: a picocli mixin ({@code @Mixin EbpfOptions})
 * whose defaults come from {@code MEMFLEET_EBPF_*} environment variables, or plain setters for
 * embedding. Defaults suit a laptop and a busy production node: without {@code --pid} or
 * {@code --cgroup} every process of the host is traced ({@link #scope()}); the default scripts
 * ({@link #DEFAULT_SCRIPTS}) put no probe on allocator calls; page faults are summed per process
 * and stack per window and mapping events capped per second, so the event rate stays bounded;
 * with {@code malloc} chosen (one process only), sampling bounds the events (not the per-call
 * trap cost), OUTSTANDING reports come every 10 s for blocks older than 30 s.
 *
 * <pre>{@code
 * EbpfOptions host = new EbpfOptions();                               // every process
 * EbpfOptions pods = new EbpfOptions().cgroups(List.of("/kubepods"));  // some cgroups
 * EbpfOptions o = new EbpfOptions().pid(1234).scripts("malloc,mmap").sampleEvery(10)
 *     .minAge(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>The table of options, variables and meanings is in the module README.
 */
public final class EbpfOptions {
  /**
   * The scripts run when {@code --scripts} is not given: mappings, sampled page faults with
   * stacks and OOM kills. None of them traps on allocator calls, so the watched program keeps
   * its speed (see "Measured cost" in the README). {@code malloc} is opt-in (uprobes: a trap on
   * every allocator call of every process using the same libc), and so is {@code rss}
   * (kmem:rss_stat runs on every resident-counter update on the host; {@code memfleet collect}
   * reports RSS from procfs anyway).
   */
  public static final String DEFAULT_SCRIPTS = "mmap,faults,oom";

  @Option(names = "--pid", defaultValue = "${env:MEMFLEET_EBPF_PID:-0}",
      description = "Trace only this process (malloc and rss need it; default: every process of"
          + " the host) (MEMFLEET_EBPF_PID).")
  int pid;

  @Option(names = "--cgroup", paramLabel = "PREFIX", split = ",",
      defaultValue = "${env:MEMFLEET_EBPF_CGROUPS}",
      description = "Trace only processes whose memory cgroup path starts with PREFIX, as"
          + " memfleet collect --cgroup (repeatable or comma-separated; MEMFLEET_EBPF_CGROUPS;"
          + " default: every process).")
  List<String> cgroups = new ArrayList<>();

  @Option(names = "--proc-root", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_PROC_ROOT:-/proc}",
      description = "procfs root, e.g. /host/proc in a container (MEMFLEET_PROC_ROOT;"
          + " default: ${DEFAULT-VALUE}).")
  Path procRoot;

  @Option(names = "--cgroup-root", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_CGROUP_ROOT:-/sys/fs/cgroup}",
      description = "Where the cgroup file systems are mounted, for OOM victims' limits"
          + " (MEMFLEET_CGROUP_ROOT; default: ${DEFAULT-VALUE}).")
  Path cgroupRoot;

  @Option(names = "--max-processes", defaultValue = "${env:MEMFLEET_EBPF_MAX_PROCESSES:-1024}",
      description = "Processes with state kept at once (mappings, faulted-in stacks); beyond,"
          + " the longest quiet one is dropped and counted (MEMFLEET_EBPF_MAX_PROCESSES;"
          + " default: ${DEFAULT-VALUE}).")
  int maxProcesses;

  @Option(names = "--fault-window", defaultValue = "${env:MEMFLEET_EBPF_FAULT_WINDOW:-1s}",
      converter = DurationConverter.class,
      description = "Page-fault samples are summed per process and stack over this window and"
          + " published as one PageFault each (MEMFLEET_EBPF_FAULT_WINDOW; default:"
          + " ${DEFAULT-VALUE}).")
  Duration faultWindow;

  @Option(names = "--max-fault-events",
      defaultValue = "${env:MEMFLEET_EBPF_MAX_FAULT_EVENTS:-200}",
      description = "PageFault events per window, the largest sums first; the rest are counted"
          + " as dropped (MEMFLEET_EBPF_MAX_FAULT_EVENTS; default: ${DEFAULT-VALUE}).")
  int maxFaultEvents;

  @Option(names = "--fault-budget", defaultValue = "${env:MEMFLEET_EBPF_FAULT_BUDGET:-250}",
      description = "Fault samples per CPU and second the kernel hands to the collector; the"
          + " rest are counted as over budget (MEMFLEET_EBPF_FAULT_BUDGET; default:"
          + " ${DEFAULT-VALUE}).")
  long faultBudget;

  @Option(names = "--max-mapping-events",
      defaultValue = "${env:MEMFLEET_EBPF_MAX_MAPPING_EVENTS:-1000}",
      description = "MemoryMapping events per second; beyond, they are counted, not published"
          + " (the next one carries the current totals) (MEMFLEET_EBPF_MAX_MAPPING_EVENTS;"
          + " default: ${DEFAULT-VALUE}).")
  long maxMappingEvents;

  @Option(names = "--max-mapping-events-per-process",
      defaultValue = "${env:MEMFLEET_EBPF_MAX_MAPPING_EVENTS_PER_PROCESS:-100}",
      description = "MemoryMapping events per second of one process, host-wide and per cgroup"
          + " (MEMFLEET_EBPF_MAX_MAPPING_EVENTS_PER_PROCESS; default: ${DEFAULT-VALUE}).")
  long maxMappingEventsPerProcess;

  @Option(names = "--scripts",
      defaultValue = "${env:MEMFLEET_EBPF_SCRIPTS:-" + DEFAULT_SCRIPTS + "}",
      description = "Scripts to run: malloc, mmap, faults, rss, oom, or none; malloc traps on "
          + "every allocator call (MEMFLEET_EBPF_SCRIPTS; default: ${DEFAULT-VALUE}).")
  String scripts;

  @Option(names = "--perf", defaultValue = "${env:MEMFLEET_EBPF_PERF:-}",
      description = "Also run perf in rounds on --pid: faults (page-faults), malloc (libc uprobe"
          + " via perf probe); comma-separated (MEMFLEET_EBPF_PERF; default: off).")
  String perf;

  @Option(names = "--perf-period", defaultValue = "${env:MEMFLEET_EBPF_PERF_PERIOD:-100}",
      description = "perf sample period, one sample per N events (perf record -c)"
          + " (MEMFLEET_EBPF_PERF_PERIOD; default: ${DEFAULT-VALUE}).")
  long perfPeriod;

  @Option(names = "--perf-round", defaultValue = "${env:MEMFLEET_EBPF_PERF_ROUND:-10s}",
      converter = DurationConverter.class,
      description = "Length of one perf recording; its samples are published when it ends"
          + " (MEMFLEET_EBPF_PERF_ROUND; default: ${DEFAULT-VALUE}).")
  Duration perfRound;

  @Option(names = "--perf-binary", defaultValue = "${env:MEMFLEET_EBPF_PERF_BINARY}",
      description = "perf binary (MEMFLEET_EBPF_PERF_BINARY; default: perf on PATH).")
  Path perfBinary;

  @Option(names = "--malloc-escalation", negatable = true,
      defaultValue = "${env:MEMFLEET_EBPF_MALLOC_ESCALATION:-true}", fallbackValue = "true",
      description = "Host-wide and per cgroup: when a process's malloc heap grows in three"
          + " report intervals in a row, probe its allocator with pid-scoped perf uprobes for a"
          + " bounded window and publish the bytes each stack still holds (a few processes at"
          + " a time; --no-malloc-escalation: never) (MEMFLEET_EBPF_MALLOC_ESCALATION; default:"
          + " ${DEFAULT-VALUE}).")
  boolean mallocEscalation;

  @Option(names = "--malloc-escalation-window",
      defaultValue = "${env:MEMFLEET_EBPF_MALLOC_ESCALATION_WINDOW:-4m}",
      converter = DurationConverter.class,
      description = "The longest one process is probed; after 60 s the window goes on only while"
          + " a stack's outstanding bytes rise (MEMFLEET_EBPF_MALLOC_ESCALATION_WINDOW; default:"
          + " ${DEFAULT-VALUE}).")
  Duration mallocEscalationWindow;

  @Option(names = "--malloc-escalation-max-calls",
      defaultValue = "${env:MEMFLEET_EBPF_MALLOC_ESCALATION_MAX_CALLS:-20000}",
      description = "Allocator calls per second above which a process is not probed, or no"
          + " longer (MEMFLEET_EBPF_MALLOC_ESCALATION_MAX_CALLS; default: ${DEFAULT-VALUE}).")
  long mallocEscalationMaxCalls;

  @Option(names = "--malloc-escalation-max-processes",
      defaultValue = "${env:MEMFLEET_EBPF_MALLOC_ESCALATION_MAX_PROCESSES:-2}",
      description = "Processes probed at once (MEMFLEET_EBPF_MALLOC_ESCALATION_MAX_PROCESSES;"
          + " default: ${DEFAULT-VALUE}).")
  int mallocEscalationMaxProcesses;

  @Option(names = "--sample-every", defaultValue = "${env:MEMFLEET_EBPF_SAMPLE_EVERY:-10}",
      description = "Sample every Nth allocator call per thread (MEMFLEET_EBPF_SAMPLE_EVERY; "
          + "default: ${DEFAULT-VALUE}).")
  long sampleEvery;

  @Option(names = "--min-size", defaultValue = "${env:MEMFLEET_EBPF_MIN_SIZE:-65536}",
      converter = BytesConverter.class,
      description = "Always sample allocations at least this big, e.g. 64k "
          + "(MEMFLEET_EBPF_MIN_SIZE; default: ${DEFAULT-VALUE}).")
  long minSize;

  @Option(names = "--min-age", defaultValue = "${env:MEMFLEET_EBPF_MIN_AGE:-30s}",
      converter = DurationConverter.class,
      description = "Report outstanding blocks older than this (MEMFLEET_EBPF_MIN_AGE; default: "
          + "${DEFAULT-VALUE}).")
  Duration minAge;

  @Option(names = "--report-interval",
      defaultValue = "${env:MEMFLEET_EBPF_REPORT_INTERVAL:-10s}",
      converter = DurationConverter.class,
      description = "How often outstanding bytes per stack are published "
          + "(MEMFLEET_EBPF_REPORT_INTERVAL; default: ${DEFAULT-VALUE}).")
  Duration reportInterval;

  @Option(names = "--top-stacks", defaultValue = "${env:MEMFLEET_EBPF_TOP_STACKS:-20}",
      description = "Stacks per outstanding report (MEMFLEET_EBPF_TOP_STACKS; default: "
          + "${DEFAULT-VALUE}).")
  int topStacks;

  @Option(names = "--stack-depth", defaultValue = "${env:MEMFLEET_EBPF_STACK_DEPTH:-16}",
      description = "User stack frames captured (MEMFLEET_EBPF_STACK_DEPTH; default: "
          + "${DEFAULT-VALUE}).")
  int stackDepth;

  @Option(names = "--fault-sample-every",
      defaultValue = "${env:MEMFLEET_EBPF_FAULT_SAMPLE_EVERY:-100}",
      description = "Page-fault sampling period (MEMFLEET_EBPF_FAULT_SAMPLE_EVERY; default: "
          + "${DEFAULT-VALUE}).")
  long faultSampleEvery;

  @Option(names = "--rss-change", defaultValue = "${env:MEMFLEET_EBPF_RSS_CHANGE:-1m}",
      converter = BytesConverter.class,
      description = "Report a resident counter when it moved this much (MEMFLEET_EBPF_RSS_CHANGE;"
          + " default: ${DEFAULT-VALUE}).")
  long rssChangeBytes;

  @Option(names = "--max-tracked", defaultValue = "${env:MEMFLEET_EBPF_MAX_TRACKED:-65536}",
      description = "Live sampled blocks tracked, in the kernel and in the collector "
          + "(MEMFLEET_EBPF_MAX_TRACKED; default: ${DEFAULT-VALUE}).")
  int maxTracked;

  @Option(names = "--bpftrace", defaultValue = "${env:MEMFLEET_EBPF_BPFTRACE}",
      description = "bpftrace binary (MEMFLEET_EBPF_BPFTRACE; default: bpftrace on PATH).")
  Path bpftrace;

  @Option(names = "--clock-sync-interval",
      defaultValue = "${env:MEMFLEET_EBPF_CLOCK_SYNC_INTERVAL:-10s}",
      converter = DurationConverter.class,
      description = "How often a ClockSync sample is published (MEMFLEET_EBPF_CLOCK_SYNC_INTERVAL;"
          + " default: ${DEFAULT-VALUE}).")
  Duration clockSyncInterval;

  /** Defaults as documented (environment variables are applied by picocli only). */
  public EbpfOptions() {
    scripts = DEFAULT_SCRIPTS;
    sampleEvery = 10;
    minSize = 65536;
    minAge = Duration.ofSeconds(30);
    reportInterval = Duration.ofSeconds(10);
    topStacks = 20;
    stackDepth = 16;
    faultSampleEvery = 100;
    rssChangeBytes = 1 << 20;
    maxTracked = 65536;
    clockSyncInterval = Duration.ofSeconds(10);
    perf = "";
    perfPeriod = 100;
    perfRound = Duration.ofSeconds(10);
    procRoot = Path.of("/proc");
    cgroupRoot = Path.of("/sys/fs/cgroup");
    maxProcesses = 1024;
    faultWindow = Duration.ofSeconds(1);
    maxFaultEvents = 200;
    faultBudget = 250;
    maxMappingEvents = 1000;
    maxMappingEventsPerProcess = 100;
    mallocEscalation = true;
    mallocEscalationWindow = Duration.ofMinutes(4);
    mallocEscalationMaxCalls = 20_000;
    mallocEscalationMaxProcesses = 2;
  }

  /** Checks ranges and combinations; throws IllegalArgumentException with the reason. */
  public void validate() {
    List<BpftraceScript> chosen = scriptList();
    List<PerfEvent> perfChosen = perfEvents();
    if (chosen.isEmpty() && perfChosen.isEmpty()) {
      throw new IllegalArgumentException("--scripts and --perf chose nothing");
    }
    if (!perfChosen.isEmpty() && pid <= 0) {
      throw new IllegalArgumentException("--pid is required for --perf");
    }
    if (perfPeriod < 0 || perfRound.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException("--perf-period must be >= 0 and --perf-round >= 100ms");
    }
    if (pid > 0 && !cgroupPrefixes().isEmpty()) {
      throw new IllegalArgumentException("--pid and --cgroup exclude each other");
    }
    if (pid <= 0 && chosen.stream().anyMatch(BpftraceScript::needsPid)) {
      throw new IllegalArgumentException("--pid is required for scripts " + chosen.stream()
          .filter(BpftraceScript::needsPid).map(BpftraceScript::id).toList()
          + " (they watch one process: malloc's uprobes trap on every call)");
    }
    for (String prefix : cgroupPrefixes()) {
      if (!prefix.startsWith("/")) {
        throw new IllegalArgumentException("--cgroup takes a memory cgroup path starting with"
            + " '/', as in /proc/PID/cgroup: " + prefix);
      }
    }
    if (maxProcesses < 1 || maxFaultEvents < 1 || faultBudget < 1 || maxMappingEvents < 1
        || maxMappingEventsPerProcess < 1 || faultWindow.compareTo(Duration.ofMillis(10)) < 0) {
      throw new IllegalArgumentException("--max-processes, --max-fault-events, --fault-budget"
          + " and --max-mapping-events* must be positive, --fault-window >= 10ms");
    }
    if (sampleEvery < 1 || faultSampleEvery < 1 || minSize < 1 || stackDepth < 1
        || stackDepth > 127 || topStacks < 1 || maxTracked < 128 || rssChangeBytes < 1) {
      throw new IllegalArgumentException("sampling periods, --min-size, --top-stacks and "
          + "--rss-change must be positive, --stack-depth 1..127, --max-tracked >= 128");
    }
    if (mallocEscalationWindow.compareTo(Duration.ofSeconds(10)) < 0
        || mallocEscalationMaxCalls < 1 || mallocEscalationMaxProcesses < 1) {
      throw new IllegalArgumentException("--malloc-escalation-window must be >= 10s,"
          + " --malloc-escalation-max-calls and --malloc-escalation-max-processes positive");
    }
    if (minAge.isNegative() || reportInterval.isNegative() || reportInterval.isZero()
        || clockSyncInterval.isNegative() || clockSyncInterval.isZero()) {
      throw new IllegalArgumentException("--min-age must be >= 0 and intervals positive");
    }
  }

  /** The non-blank {@code --cgroup} prefixes. */
  public List<String> cgroupPrefixes() {
    return cgroups == null ? List.of()
        : cgroups.stream().map(String::strip).filter(c -> !c.isEmpty()).toList();
  }

  /** Which processes are traced: {@code --pid}, {@code --cgroup}, or every process. */
  public ProcessScope scope() {
    if (pid > 0) {
      return ProcessScope.process(pid);
    }
    List<String> prefixes = cgroupPrefixes();
    return prefixes.isEmpty() ? ProcessScope.host() : ProcessScope.cgroups(prefixes);
  }

  public List<BpftraceScript> scriptList() {
    List<BpftraceScript> out = new ArrayList<>();
    for (String id : scripts.split(",")) {
      if (!id.isBlank() && !id.strip().equalsIgnoreCase("none")) {
        BpftraceScript s = BpftraceScript.byId(id);
        if (!out.contains(s)) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** What {@code --perf} can record. */
  public enum PerfEvent {
    /** {@code page-faults} software event → PageFault. */
    FAULTS("faults", "page-faults"),
    /** {@code probe_libc:malloc} uprobe → Allocation MALLOC. */
    MALLOC("malloc", "probe_libc:malloc");

    private final String id;
    private final String perfName;

    PerfEvent(String id, String perfName) {
      this.id = id;
      this.perfName = perfName;
    }

    public String id() { return id; }

    /** The event name given to {@code perf record -e}. */
    public String perfName() { return perfName; }

    public static PerfEvent byId(String id) {
      for (PerfEvent e : values()) {
        if (e.id.equalsIgnoreCase(id.strip())) {
          return e;
        }
      }
      throw new IllegalArgumentException("unknown --perf event '" + id + "'; known: faults, "
          + "malloc");
    }
  }

  public List<PerfEvent> perfEvents() {
    List<PerfEvent> out = new ArrayList<>();
    for (String id : perf == null ? new String[0] : perf.split(",")) {
      if (!id.isBlank() && !id.strip().equalsIgnoreCase("none")) {
        PerfEvent e = PerfEvent.byId(id);
        if (!out.contains(e)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  public long perfPeriod() { return perfPeriod; }
  public Duration perfRound() { return perfRound; }
  public Path perfBinary() { return perfBinary; }
  public EbpfOptions perf(String v) { perf = v; return this; }
  public EbpfOptions perfPeriod(long v) { perfPeriod = v; return this; }
  public EbpfOptions perfRound(Duration v) { perfRound = v; return this; }
  public EbpfOptions perfBinary(Path v) { perfBinary = v; return this; }

  /**
   * Whether malloc escalation runs: asked for, and a mode that traces several processes (with
   * {@code --pid} the malloc script or {@code --perf malloc} do that job).
   */
  public boolean mallocEscalationActive() {
    return mallocEscalation && pid <= 0 && scriptList().contains(BpftraceScript.MMAP);
  }

  public boolean mallocEscalation() { return mallocEscalation; }
  public Duration mallocEscalationWindow() { return mallocEscalationWindow; }
  public long mallocEscalationMaxCalls() { return mallocEscalationMaxCalls; }
  public int mallocEscalationMaxProcesses() { return mallocEscalationMaxProcesses; }
  public EbpfOptions mallocEscalationMaxProcesses(int v) {
    mallocEscalationMaxProcesses = v;
    return this;
  }
  public EbpfOptions mallocEscalation(boolean v) { mallocEscalation = v; return this; }
  public EbpfOptions mallocEscalationWindow(Duration v) { mallocEscalationWindow = v; return this; }
  public EbpfOptions mallocEscalationMaxCalls(long v) { mallocEscalationMaxCalls = v; return this; }

  public int pid() { return pid; }
  public Path procRoot() { return procRoot; }
  public Path cgroupRoot() { return cgroupRoot; }
  public int maxProcesses() { return maxProcesses; }
  public Duration faultWindow() { return faultWindow; }
  public int maxFaultEvents() { return maxFaultEvents; }
  public long faultBudget() { return faultBudget; }
  public long maxMappingEvents() { return maxMappingEvents; }
  public long maxMappingEventsPerProcess() { return maxMappingEventsPerProcess; }
  public EbpfOptions cgroups(List<String> v) { cgroups = new ArrayList<>(v); return this; }
  public EbpfOptions procRoot(Path v) { procRoot = v; return this; }
  public EbpfOptions cgroupRoot(Path v) { cgroupRoot = v; return this; }
  public EbpfOptions maxProcesses(int v) { maxProcesses = v; return this; }
  public EbpfOptions faultWindow(Duration v) { faultWindow = v; return this; }
  public EbpfOptions maxFaultEvents(int v) { maxFaultEvents = v; return this; }
  public EbpfOptions faultBudget(long v) { faultBudget = v; return this; }
  public EbpfOptions maxMappingEvents(long v) { maxMappingEvents = v; return this; }
  public EbpfOptions maxMappingEventsPerProcess(long v) {
    maxMappingEventsPerProcess = v;
    return this;
  }
  public long sampleEvery() { return sampleEvery; }
  public long minSize() { return minSize; }
  public Duration minAge() { return minAge; }
  public Duration reportInterval() { return reportInterval; }
  public int topStacks() { return topStacks; }
  public int stackDepth() { return stackDepth; }
  public long faultSampleEvery() { return faultSampleEvery; }
  public long rssChangeBytes() { return rssChangeBytes; }
  public int maxTracked() { return maxTracked; }
  public Path bpftrace() { return bpftrace; }
  public Duration clockSyncInterval() { return clockSyncInterval; }

  public EbpfOptions pid(int v) { pid = v; return this; }
  public EbpfOptions scripts(String v) { scripts = v; return this; }
  public EbpfOptions sampleEvery(long v) { sampleEvery = v; return this; }
  public EbpfOptions minSize(long v) { minSize = v; return this; }
  public EbpfOptions minAge(Duration v) { minAge = v; return this; }
  public EbpfOptions reportInterval(Duration v) { reportInterval = v; return this; }
  public EbpfOptions topStacks(int v) { topStacks = v; return this; }
  public EbpfOptions stackDepth(int v) { stackDepth = v; return this; }
  public EbpfOptions faultSampleEvery(long v) { faultSampleEvery = v; return this; }
  public EbpfOptions rssChangeBytes(long v) { rssChangeBytes = v; return this; }
  public EbpfOptions maxTracked(int v) { maxTracked = v; return this; }
  public EbpfOptions bpftrace(Path v) { bpftrace = v; return this; }
  public EbpfOptions clockSyncInterval(Duration v) { clockSyncInterval = v; return this; }

  /** picocli converter for byte counts with k/m/g suffixes. */
  public static final class BytesConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return CollectorOptions.parseBytes(value);
    }
  }
}
