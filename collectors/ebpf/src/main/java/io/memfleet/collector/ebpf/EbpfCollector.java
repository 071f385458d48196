package io.memfleet.collector.ebpf;

import io.memfleet.collector.ClockSyncSampler;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.BpftraceCapability;
import io.memfleet.collector.ebpf.bpftrace.BpftraceRunner;
import io.memfleet.collector.ebpf.bpftrace.BpftraceRunnerStats;
import io.memfleet.collector.ebpf.bpftrace.BpftraceScript;
import io.memfleet.collector.ebpf.bpftrace.BpftraceUnavailableException;
import io.memfleet.collector.ebpf.bpftrace.ProbeListener;
import io.memfleet.collector.ebpf.escalate.MallocEscalation;
import io.memfleet.collector.ebpf.perf.PerfClockSampler;
import io.memfleet.collector.ebpf.perf.PerfRecorder;
import io.memfleet.collector.ebpf.perf.PerfRunner;
import io.memfleet.collector.ebpf.publish.NativeMemoryPublisher;
import io.memfleet.collector.ebpf.publish.PerfSamplePublisher;
import io.memfleet.collector.ebpf.publish.OomKillPublisher;
import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.ebpf.track.ProcessScope;
import io.memfleet.collector.ebpf.track.TracedProcesses;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The eBPF collector: runs the chosen bpftrace scripts for every process of the host, the
 * processes of some cgroups, or one process ({@link EbpfOptions#scope()}; the OOM script always
 * host-wide) and, with {@code --pid} and {@code --perf}, perf in rounds ({@link PerfRunner}: page
 * faults and malloc uprobes with call chains, source PERF); publishes what they see, attributed
 * to each process's identity ({@link TracedProcesses}); every fault window publishes the page
 * faults summed per process and stack; every report interval outstanding bytes per allocating
 * stack (with malloc) and a ClockSync sample pairing MONOTONIC (the scripts' clock) with UTC.
 * Host-wide and per cgroup, a process whose malloc heap grows gets pid-scoped perf uprobes on
 * its allocator for a bounded window ({@link MallocEscalation}), whose blocks the same
 * OUTSTANDING reports publish.
 *
 * <pre>{@code
 * try (EbpfCollector c = EbpfCollector.builder().options(new EbpfOptions())   // host-wide
 *     .sink(sink).identities(ProcessIdentities.fromEnvironment())
 *     .headers(new EventHeaders("ebpf/host/" + ProcessHandle.current().pid())).build()) {
 *   c.start();                              // throws BpftraceUnavailableException with the reason
 *   c.awaitAttached(Duration.ofSeconds(60));
 *   ...
 * }
 * }</pre>
 */
public final class EbpfCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EbpfCollector.class);
  /** perf's call-chain limit (kernel.perf_event_max_stack default). */
  private static final int PERF_MAX_STACK = 127;
  /** The longest the malloc script waits for the other scripts to attach before it starts. */
  private static final Duration MALLOC_START_DELAY_MAX = Duration.ofSeconds(60);
  /**
   * How often exited processes' state is dropped, and processes whose exec event was lost are
   * noticed (their comm changed): a stat read per known pid.
   */
  private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(2);
  /** x86-64 THREAD_SIZE without KASAN: where a task's user registers sit on its kernel stack. */
  private static final int THREAD_SIZE = 16384;
  /** Restart a script when more than this share of its events lost their stacks. */
  private static final double RECYCLE_LOST_STACKS = 0.05;
  /**
   * Stacks per process and kind whose mapped and faulted-in levels are published each report
   * (a leak's stack is among the heaviest once it has leaked for a while; host-wide every
   * process that changed reports, so this stays small).
   */
  private static final int ADDRESS_SPACE_STACKS = 4;
  /** Per-process bounds host-wide: tracked mappings, fault stacks summed. */
  private static final int MAX_RANGES = 1024;
  private static final int FAULT_STACKS = 64;
  /**
   * Age from which an escalated process's blocks count as outstanding (or --min-age when
   * shorter): its window is minutes, not the malloc script's hours, and request-scoped blocks
   * live milliseconds.
   */
  private static final Duration ESCALATION_MIN_AGE = Duration.ofSeconds(10);

  private final EbpfOptions options;
  private final EventSink sink;
  private final ProcessIdentities identities;
  private final EventHeaders headers;
  private final Path workDir;
  private final Map<BpftraceScript, BpftraceRunner> runners = new LinkedHashMap<>();
  private NativeMemoryPublisher nativeMemory;
  private volatile PerfRunner perfRunner;
  private volatile MallocEscalation escalation;
  private PerfClockSampler perfClock;
  private ScheduledExecutorService scheduler;
  private boolean closed;

  private EbpfCollector(Builder b) {
    this.options = b.options;
    this.sink = b.sink;
    this.identities = b.identities;
    this.headers = b.headers;
    this.workDir = b.workDir;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks bpftrace can run, then starts every chosen script.
   *
   * @throws BpftraceUnavailableException when bpftrace is missing, not permitted or tracefs is
   *     missing, or the target's libc cannot be found for the malloc script
   * @throws IOException when the target process cannot be read from procfs
   */
  public synchronized void start() throws IOException {
    Path bpftrace = options.scriptList().isEmpty() ? null
        : BpftraceCapability.require(Optional.ofNullable(options.bpftrace()), true);
    Path perf = options.perfEvents().isEmpty() ? null : perfBinary();
    ProcessScope scope = options.scope();
    ProcessIdentities processIdentities = identities.withProcessLabels();
    OomKillPublisher oom = new OomKillPublisher(sink, headers, processIdentities,
        options.cgroupRoot());
    TracedProcesses processes = TracedProcesses.builder().identities(processIdentities)
        .procRoot(options.procRoot()).scope(scope).maxProcesses(options.maxProcesses())
        .perProcessBounds(scope.kind() == ProcessScope.Kind.PROCESS ? Integer.MAX_VALUE
            : MAX_RANGES, scope.kind() == ProcessScope.Kind.PROCESS ? 4096 : FAULT_STACKS,
            options.maxTracked())
        .build();
    ProcessIdentity target = null;
    if (scope.kind() == ProcessScope.Kind.PROCESS) {
      target = processIdentities.forPid(options.pid());
      oom.remember(target);
      processes.admit(target);
    }
    long perProcess = scope.kind() == ProcessScope.Kind.PROCESS ? options.maxMappingEvents()
        : options.maxMappingEventsPerProcess();
    nativeMemory = NativeMemoryPublisher.builder().sink(sink).headers(headers)
        .processes(processes).stackDepth(options.stackDepth())
        .faultWindow(options.maxFaultEvents(), Math.max(4096, 8 * options.maxFaultEvents()))
        .mappingEvents(options.maxMappingEvents(), perProcess).build();
    boolean btf = Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"));
    for (BpftraceScript script : options.scriptList()) {
      ProbeListener listener = script == BpftraceScript.OOM ? oom : nativeMemory;
      BpftraceRunner.Builder rb = BpftraceRunner.builder().bpftrace(bpftrace)
          .script(script, parameters(script, btf)).listener(listener)
          .mapKeysMax(options.maxTracked() * 2).workDir(workDir);
      if (script.perProcess()) {
        // frames are named per process by the publisher (bpftrace 0.17's cache is per program)
        rb.userSymbols(false).recycleOnLostStacks(RECYCLE_LOST_STACKS, 2000);
        if (scope.kind() == ProcessScope.Kind.PROCESS) {
          rb.targetPid(options.pid());
        }
      }
      runners.put(script, rb.build());
    }
    startRunners();
    if (perf != null) {
      startPerf(perf, target);
    }
    if (options.mallocEscalationActive()) {
      startEscalation(processes);
    }
    ProcessIdentity host = identities.self();
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ebpf-collector-reports");
      t.setDaemon(true);
      return t;
    });
    ClockSyncSampler clock = new ClockSyncSampler();
    scheduler.scheduleAtFixedRate(() -> safely(() -> sink.publish(
        clock.sample(host, Source.EBPF, headers))), 0,
        options.clockSyncInterval().toMillis(), TimeUnit.MILLISECONDS);
    if (perfClock != null) {
      PerfClockSampler perfSampler = perfClock;
      scheduler.scheduleAtFixedRate(() -> safely(() -> {
        try {
          sink.publish(perfSampler.sample(host, headers));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }), 0,
          options.clockSyncInterval().toMillis(), TimeUnit.MILLISECONDS);
    }
    long window = options.faultWindow().toMillis();
    scheduler.scheduleAtFixedRate(() -> safely(nativeMemory::flushFaults), window, window,
        TimeUnit.MILLISECONDS);
    long sweep = SWEEP_INTERVAL.toMillis();
    scheduler.scheduleWithFixedDelay(() -> safely(nativeMemory::sweep), sweep, sweep,
        TimeUnit.MILLISECONDS);
    if (runners.containsKey(BpftraceScript.MMAP) || runners.containsKey(BpftraceScript.FAULTS)) {
      long every = options.reportInterval().toMillis();
      scheduler.scheduleAtFixedRate(() -> safely(() -> nativeMemory.reportAddressSpace(
          System.nanoTime(), ADDRESS_SPACE_STACKS)), every, every, TimeUnit.MILLISECONDS);
    }
    if (runners.containsKey(BpftraceScript.MALLOC) || escalation != null) {
      long every = options.reportInterval().toMillis();
      MallocEscalation esc = escalation;
      Duration minAge = esc != null ? esc.minAge() : options.minAge();
      scheduler.scheduleAtFixedRate(() -> safely(() -> {
        long now = System.nanoTime();
        if (esc != null) {
          esc.tick(now);
        }
        nativeMemory.reportOutstanding(now, minAge, options.topStacks());
      }), every, every, TimeUnit.MILLISECONDS);
    }
    LOG.info("eBPF collector started: {}, scripts {}, perf {}", scope, runners.keySet(),
        options.perfEvents());
  }

  /**
   * Starts the scripts; the malloc script only once the others attached (or after 60 s): its
   * uprobes trap in every process mapping the same libc (bpftrace 0.17 filters by pid only
   * inside the probe), bpftrace's own compiler included, which made the other scripts take
   * ten times longer to start.
   */
  private void startRunners() {
    BpftraceRunner malloc = runners.get(BpftraceScript.MALLOC);
    runners.values().stream().filter(r -> r != malloc).forEach(BpftraceRunner::start);
    if (malloc == null) {
      return;
    }
    if (runners.size() == 1) {
      malloc.start();
      return;
    }
    Thread starter = new Thread(() -> {
      try {
        for (BpftraceRunner r : runners.values()) {
          if (r != malloc) {
            r.awaitAttached(MALLOC_START_DELAY_MAX);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (this) {
        if (!closed) {
          malloc.start();
        }
      }
    }, "ebpf-malloc-starter");
    starter.setDaemon(true);
    starter.start();
  }

  /**
   * Host-wide and per cgroup: probes the allocator of a process whose malloc heap grows, for a
   * bounded window ({@link MallocEscalation}); off, with one log line, when perf is missing.
   */
  private void startEscalation(TracedProcesses processes) {
    Optional<Path> perf = options.perfBinary() != null
        ? Optional.of(options.perfBinary()).filter(Files::isExecutable)
        : BpftraceCapability.findOnPath("perf");
    if (perf.isEmpty()) {
      LOG.info("malloc escalation off: no perf binary (install linux-perf or set --perf-binary)");
      return;
    }
    Duration minAge = options.minAge().compareTo(ESCALATION_MIN_AGE) < 0 ? options.minAge()
        : ESCALATION_MIN_AGE;
    escalation = MallocEscalation.builder().perf(perf.get()).processes(processes)
        .procRoot(options.procRoot()).window(options.mallocEscalationWindow())
        .maxCallsPerSecond(options.mallocEscalationMaxCalls()).minAge(minAge)
        .maxProcesses(options.mallocEscalationMaxProcesses())
        .stackDepth(options.stackDepth()).workDir(workDir).build();
    escalation.start();
  }

  /** The age from which blocks count in the OUTSTANDING reports. */
  public Duration outstandingMinAge() {
    MallocEscalation e = escalation;
    return e != null ? e.minAge() : options.minAge();
  }

  /** Escalation's statistics, or empty when it is off. */
  public Optional<MallocEscalation.Stats> escalationStats() {
    MallocEscalation e = escalation;
    return e == null ? Optional.empty() : Optional.of(e.stats());
  }

  private Path perfBinary() {
    if (options.perfBinary() != null) {
      if (!java.nio.file.Files.isExecutable(options.perfBinary())) {
        throw new BpftraceUnavailableException("perf binary " + options.perfBinary()
            + " is missing or not executable");
      }
      return options.perfBinary();
    }
    return BpftraceCapability.findOnPath("perf").orElseThrow(() ->
        new BpftraceUnavailableException("perf is not installed (not on PATH); install it "
            + "(apt-get install linux-perf) or point --perf-binary at it"));
  }

  /**
   * Starts perf rounds on the target. Samples are stamped in perf's own TSC-based clock when the
   * kernel lets {@link PerfClockSampler} calibrate it, else in CLOCK_MONOTONIC.
   */
  private void startPerf(Path perf, ProcessIdentity target) {
    perfClock = PerfClockSampler.open(BpftraceCapability.isRoot()).orElse(null);
    PerfRecorder.Clock recordClock = perfClock != null ? PerfRecorder.Clock.PERF
        : PerfRecorder.Clock.MONOTONIC;
    if (perfClock == null) {
      LOG.info("perf samples stamped in CLOCK_MONOTONIC: perf's own clock cannot be calibrated "
          + "({})", PerfClockSampler.unavailableReason());
    }
    PerfRunner.Builder pb = PerfRunner.builder().perf(perf).pid(options.pid())
        .events(options.perfEvents().stream().map(EbpfOptions.PerfEvent::perfName).toList())
        .period(options.perfPeriod()).round(options.perfRound()).workDir(workDir)
        .clock(recordClock)
        .consumer(new PerfSamplePublisher(sink, headers, target, PERF_MAX_STACK,
            recordClock.domain()));
    if (options.perfEvents().contains(EbpfOptions.PerfEvent.MALLOC)) {
      pb.libc(ModuleMap.allocatorImage(options.pid()).orElseThrow(() ->
          new BpftraceUnavailableException("process " + options.pid() + " has no libc mapped "
              + "and its executable defines no malloc/free: perf cannot probe malloc; leave "
              + "malloc out of --perf")));
    }
    perfRunner = pb.build();
    perfRunner.start();
  }

  /** The perf round runner's statistics, or empty without {@code --perf}. */
  public Optional<PerfRunner.Stats> perfStats() {
    PerfRunner r = perfRunner;
    return r == null ? Optional.empty() : Optional.of(r.stats());
  }

  /** Waits until the perf runner completed {@code n} rounds; false on timeout or without perf. */
  public boolean awaitPerfRounds(long n, Duration timeout) throws InterruptedException {
    PerfRunner r = perfRunner;
    return r != null && r.awaitRounds(n, timeout);
  }

  /** Waits until every script attached; false on timeout (see {@link #stats()} for why). */
  public boolean awaitAttached(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (BpftraceRunner r : runners.values()) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !r.awaitAttached(Duration.ofNanos(left))) {
        return false;
      }
    }
    return true;
  }

  /** Runner statistics per script. */
  public Map<BpftraceScript, BpftraceRunnerStats> stats() {
    Map<BpftraceScript, BpftraceRunnerStats> out = new LinkedHashMap<>();
    runners.forEach((s, r) -> out.put(s, r.stats()));
    return out;
  }

  /** The publisher of the traced processes' events, once started. */
  public Optional<NativeMemoryPublisher> nativeMemory() {
    return Optional.ofNullable(nativeMemory);
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (escalation != null) {
      escalation.close();
    }
    for (BpftraceRunner r : runners.values()) {
      r.close();
    }
    if (perfRunner != null) {
      perfRunner.close();
    }
    if (nativeMemory != null) {
      nativeMemory.flushFaults(); // what the last window summed
    }
  }

  private Map<String, String> parameters(BpftraceScript script, boolean btf) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("PID", Integer.toString(Math.max(0, options.pid())));
    p.put("SELF_PID", Long.toString(ProcessHandle.current().pid()));
    p.put("BUDGET", Long.toString(options.faultBudget()));
    p.put("THREAD_SIZE", Integer.toString(THREAD_SIZE));
    p.put("BTF", btf ? "1" : "0");
    p.put("STACK_DEPTH", Integer.toString(options.stackDepth()));
    p.put("SAMPLE_EVERY", Long.toString(script == BpftraceScript.FAULTS
        ? options.faultSampleEvery() : options.sampleEvery()));
    p.put("MIN_SIZE", Long.toString(options.minSize()));
    p.put("STATS_SECONDS", Long.toString(Math.max(1, options.reportInterval().toSeconds())));
    p.put("CHANGE_BYTES", Long.toString(options.rssChangeBytes()));
    p.put("INTERVAL_SECONDS", Long.toString(Math.max(1, options.reportInterval().toSeconds())));
    if (script == BpftraceScript.MALLOC) {
      p.put("LIBC", ModuleMap.allocatorImage(options.pid()).map(Path::toString)
          .orElseThrow(() -> new BpftraceUnavailableException("process " + options.pid()
              + " has no libc mapped and its executable defines no malloc/free (Go without "
              + "cgo, or stripped): the malloc script cannot attach; leave malloc out of "
              + "--scripts")));
    }
    return p;
  }

  private static void safely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.warn("periodic eBPF report failed", e);
    }
  }

  /** Builds an {@link EbpfCollector}; {@link #build()} validates the options. */
  public static final class Builder {
    private EbpfOptions options = new EbpfOptions();
    private EventSink sink;
    private ProcessIdentities identities;
    private EventHeaders headers;
    private Path workDir = Path.of(System.getProperty("java.io.tmpdir"));

    private Builder() {}

    public Builder options(EbpfOptions options) {
      this.options = options;
      return this;
    }

    public Builder sink(EventSink sink) {
      this.sink = sink;
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

    /** Where rendered scripts are written (default java.io.tmpdir). */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    public EbpfCollector build() {
      Objects.requireNonNull(options, "options");
      Objects.requireNonNull(sink, "sink");
      Objects.requireNonNull(identities, "identities");
      Objects.requireNonNull(headers, "headers");
      options.validate();
      return new EbpfCollector(this);
    }
  }
}
