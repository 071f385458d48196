package io.memfleet.collector.ebpf;

import io.memfleet.collector.DurationConverter;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.ebpf.bpftrace.BpftraceScript;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * Every setting of the eBPF collector, in one place: a picocli mixin ({@code @Mixin EbpfOptions})
 * whose defaults come from {@code MEMFLEET_EBPF_*} environment variables, or plain setters for
 * embedding. Defaults suit a laptop and a busy production process: the default scripts
 * ({@link #DEFAULT_SCRIPTS}) put no probe on allocator calls; with {@code malloc} chosen,
 * sampling bounds the events (not the per-call trap cost), OUTSTANDING reports come every 10 s
 * for blocks older than 30 s.
 *
 * <pre>{@code
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
      description = "Process to watch (malloc, mmap, faults, rss need it) (MEMFLEET_EBPF_PID).")
  int pid;

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
    if (pid <= 0 && chosen.stream().anyMatch(BpftraceScript::perProcess)) {
      throw new IllegalArgumentException("--pid is required for scripts " + chosen.stream()
          .filter(BpftraceScript::perProcess).map(BpftraceScript::id).toList());
    }
    if (sampleEvery < 1 || faultSampleEvery < 1 || minSize < 1 || stackDepth < 1
        || stackDepth > 127 || topStacks < 1 || maxTracked < 128 || rssChangeBytes < 1) {
      throw new IllegalArgumentException("sampling periods, --min-size, --top-stacks and "
          + "--rss-change must be positive, --stack-depth 1..127, --max-tracked >= 128");
    }
    if (minAge.isNegative() || reportInterval.isNegative() || reportInterval.isZero()
        || clockSyncInterval.isNegative() || clockSyncInterval.isZero()) {
      throw new IllegalArgumentException("--min-age must be >= 0 and intervals positive");
    }
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

  public int pid() { return pid; }
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
