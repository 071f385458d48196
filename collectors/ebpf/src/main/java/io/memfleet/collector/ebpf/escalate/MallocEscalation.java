package io.memfleet.collector.ebpf.escalate;

import io.memfleet.collector.ebpf.perf.PerfProbes;
import io.memfleet.collector.ebpf.perf.PerfStat;
import io.memfleet.collector.ebpf.stack.ElfImage;
import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.ebpf.track.OutstandingAllocations;
import io.memfleet.collector.ebpf.track.TracedProcess;
import io.memfleet.collector.ebpf.track.TracedProcesses;
import io.memfleet.event.StackTrace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Targeted, bounded malloc tracing for the host-wide and per-cgroup modes: when a traced
 * process's malloc heap grows steadily ({@link HeapGrowthTrigger} on its break), the collector
 * puts pid-scoped perf uprobes on that process's allocator (malloc, calloc, realloc with their
 * returns, free: {@link PerfProbes#addAllocatorProbes}), follows every block allocated from then
 * on by address until it is freed ({@link AllocatorCalls} into the process's
 * {@link OutstandingAllocations}), so the collector's OUTSTANDING reports publish the bytes each
 * stack still holds — what page faults cannot tell under malloc/free churn (a leaked copy lives
 * in pages the request parser touched first). The same idea as the JFR side, where old-object
 * stacks are switched on only for a JVM whose live set grows.
 *
 * <pre>{@code
 * MallocEscalation esc = MallocEscalation.builder().perf(perf).processes(processes)
 *     .window(Duration.ofMinutes(4)).maxCallsPerSecond(20_000).minAge(Duration.ofSeconds(10))
 *     .build();
 * esc.start();                          // deletes probes a killed collector left behind
 * every report interval: esc.tick(System.nanoTime());  publisher.reportOutstanding(...)
 * esc.close();                          // stops perf, deletes the probes
 * }</pre>
 *
 * <p>Bounds: at most {@code maxProcesses} (2) processes at a time, each in its own probe group
 * ({@code memfleet_<collector pid>_<slot>}); before recording, its call rate is counted for
 * {@value #PREFLIGHT_MS} ms ({@code perf stat}, one trap per call and nothing else) and a process
 * over {@code maxCallsPerSecond} is not probed (nor again for an hour; logged once per process);
 * while probed, a rate over the cap in any interval stops it the same way. The window ends after
 * {@code window}, or after 60 s already when no stack's outstanding bytes rose by 1 MiB over
 * the last two intervals ({@link EscalatedProcess}) (a warm-up, a
 * cache that filled); then the probes are deleted, the blocks dropped (their frees are no longer
 * seen) and the process waits {@code coolDown} before it may be probed again. perf runs under
 * {@code setpriv --pdeathsig KILL}: a killed collector takes it along, and its probe
 * definitions (inert without perf) are deleted by the next collector's {@link #start()}.
 *
 * <p>Thread-safe: {@link #tick} from the reporting thread, {@link #stats()} from any; perf is
 * started and stopped on the escalation's own thread so a tick never waits for it.
 */
public final class MallocEscalation implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MallocEscalation.class);
  /** Intervals the heap must rise in a row, and the least rise per interval. */
  static final int RISING_INTERVALS = 3;
  static final long MIN_STEP_BYTES = 256 << 10;
  /** How long the call rate is counted before recording. */
  static final long PREFLIGHT_MS = 500;
  /** A process over the call-rate cap is left alone this long. */
  static final Duration RATE_BACKOFF = Duration.ofHours(1);
  /** Failures to start in a row (probes refused, perf missing) that switch escalation off. */
  static final int MAX_FAILURES = 3;

  private final Path perf;
  private final TracedProcesses processes;
  private final Path procRoot;
  private final Duration window;
  private final long maxCallsPerSecond;
  private final Duration minAge;
  private final Duration coolDown;
  private final int stackDepth;
  private final Path workDir;
  private final long tag;
  private final int maxProcesses;
  private final HeapGrowthTrigger trigger = new HeapGrowthTrigger(RISING_INTERVALS,
      MIN_STEP_BYTES);
  private final ExecutorService worker;
  private final Map<HeapGrowthTrigger.Key, Long> notBeforeNs = new HashMap<>();
  private final Set<HeapGrowthTrigger.Key> overCapLogged = new HashSet<>();
  private final AtomicLong escalations = new AtomicLong();
  private final AtomicLong overCap = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong ticks = new AtomicLong();
  /** Windows in progress by process; their slot numbers tell their probe groups apart. */
  private final Map<HeapGrowthTrigger.Key, EscalatedProcess> sessions =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final Set<Integer> slotsInUse = new HashSet<>();
  private final Set<HeapGrowthTrigger.Key> startingKeys = new HashSet<>();
  private volatile String lastStop;
  private volatile int lastOverCap;
  private volatile boolean disabled;
  private boolean closed;
  private int failuresInARow;

  /**
   * What escalation did so far.
   *
   * @param escalations processes probed
   * @param overCap processes not probed, or stopped, for their call rate
   * @param failures starts that failed (probes refused, no allocator found, perf errors)
   * @param probing the pids probed now
   * @param starting the pids whose probes are being added and call rate counted
   * @param ticks report intervals seen so far
   * @param lastOverCap the last pid left alone for its call rate, or 0
   * @param lastStop why the last window ended, or null
   * @param disabled switched off after repeated failures
   */
  public record Stats(long escalations, long overCap, long failures, List<Integer> probing,
      List<Integer> starting, long ticks, int lastOverCap, String lastStop, boolean disabled) {}

  private MallocEscalation(Builder b) {
    this.perf = b.perf;
    this.processes = b.processes;
    this.procRoot = b.procRoot;
    this.window = b.window;
    this.maxCallsPerSecond = b.maxCallsPerSecond;
    this.minAge = b.minAge;
    this.coolDown = b.coolDown;
    this.stackDepth = b.stackDepth;
    this.workDir = b.workDir;
    this.tag = b.tag;
    this.maxProcesses = b.maxProcesses;
    this.worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ebpf-malloc-escalation");
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Deletes allocator probes that collectors killed before they could do it left behind. */
  public void start() {
    worker.submit(() -> {
      try {
        for (String group : PerfProbes.staleGroups(perf)) {
          PerfProbes.deleteGroup(perf, group);
          LOG.info("deleted perf probes {}:* left by a collector that is gone", group);
        }
      } catch (IOException e) {
        LOG.warn("could not list perf probes: {}", e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** The blocks of an escalated process count once this old (the reports' min age). */
  public Duration minAge() {
    return minAge;
  }

  /**
   * One report interval: follows every traced process's heap; stops the window in progress when
   * it is over, or starts one on the process whose heap grew the most (not cooling down).
   */
  public synchronized void tick(long nowNs) {
    if (closed || disabled) {
      return;
    }
    ticks.incrementAndGet();
    Map<HeapGrowthTrigger.Key, Long> levels = new HashMap<>();
    Map<HeapGrowthTrigger.Key, TracedProcess> byKey = new HashMap<>();
    for (TracedProcess p : processes.snapshot()) {
      long level;
      synchronized (p) {
        level = p.mappings().brkBytes();
      }
      HeapGrowthTrigger.Key key = new HeapGrowthTrigger.Key(p.pid(), p.startTicks());
      levels.put(key, level);
      byKey.put(key, p);
    }
    List<HeapGrowthTrigger.Candidate> due = trigger.observe(levels);
    for (EscalatedProcess s : List.copyOf(sessions.values())) {
      if (s.started) {
        String why = s.stopReason(nowNs);
        if (why != null) {
          s.started = false;
          if (s.overCap()) {
            overCap(s.process, s.key, s.lastRate(), "further");
          }
          worker.submit(() -> end(s, why));
        }
      }
    }
    notBeforeNs.values().removeIf(t -> t < nowNs);
    for (HeapGrowthTrigger.Candidate c : due) {
      if (slotsInUse.size() >= maxProcesses) {
        return;
      }
      if (!notBeforeNs.containsKey(c.process()) && !sessions.containsKey(c.process())
          && !startingKeys.contains(c.process())) {
        TracedProcess p = byKey.get(c.process());
        int slot = 0;
        while (slotsInUse.contains(slot)) {
          slot++;
        }
        slotsInUse.add(slot);
        startingKeys.add(c.process());
        int chosen = slot;
        worker.submit(() -> begin(p, c, chosen));
      }
    }
  }

  /** Probe group and event-name suffix of a slot: {@code <collector pid>_<slot>}. */
  private String tag(int slot) {
    return tag + "_" + slot;
  }

  private void begin(TracedProcess p, HeapGrowthTrigger.Candidate c, int slot) {
    HeapGrowthTrigger.Key key = c.process();
    String group = PerfProbes.GROUP_PREFIX + tag(slot);
    boolean probesAdded = false;
    boolean began = false;
    try {
      Path image = allocatorImage(p).orElseThrow(() -> new IOException(
          "no libc mapped and the executable defines no malloc/free"));
      List<String> events = PerfProbes.addAllocatorProbes(perf, image, tag(slot));
      probesAdded = true;
      List<String> counted = events.stream()
          .filter(e -> !e.endsWith("__return") && (e.contains(":malloc_") || e.contains(":free_")))
          .toList();
      long counts = PerfStat.count(perf, p.pid(), counted, Duration.ofMillis(PREFLIGHT_MS))
          .values().stream().mapToLong(Long::longValue).sum();
      long rate = counts * 1000 / PREFLIGHT_MS;
      if (rate > maxCallsPerSecond) {
        PerfProbes.deleteGroup(perf, group);
        probesAdded = false;
        overCap(p, key, rate, "before probing");
        return;
      }
      EscalatedProcess s = new EscalatedProcess(p, key, slot, events, perf, stackDepth, workDir,
          new EscalatedProcess.Limits(window, maxCallsPerSecond, minAge));
      s.pipe.start();
      synchronized (this) {
        if (closed) {
          s.pipe.close();
          PerfProbes.deleteGroup(perf, group);
          return;
        }
        s.started = true;
        sessions.put(key, s);
        began = true;
        failuresInARow = 0;
      }
      escalations.incrementAndGet();
      LOG.info("malloc escalation: probing pid {} ({}) for at most {} s: its heap grew {} KiB in"
          + " {} intervals in a row; {} allocator calls/s; probes {}:*", p.pid(),
          p.identity().getComm(), window.toSeconds(), c.growthBytes() >> 10, RISING_INTERVALS,
          rate, group);
    } catch (IOException | RuntimeException e) {
      failed(p, key, e.getMessage(), probesAdded ? group : null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed(p, key, "interrupted", probesAdded ? group : null);
    } finally {
      synchronized (this) {
        startingKeys.remove(key);
        if (!began) {
          slotsInUse.remove(slot);
        }
      }
    }
  }

  private void failed(TracedProcess p, HeapGrowthTrigger.Key key, String why, String group) {
    failures.incrementAndGet();
    if (group != null) {
      deleteQuietly(group);
    }
    boolean off;
    synchronized (this) {
      notBeforeNs.put(key, System.nanoTime() + coolDown.toNanos());
      off = ++failuresInARow >= MAX_FAILURES;
      disabled |= off;
    }
    String tracefs = PerfProbes.whyProbesCannotBeDefined(PerfProbes.TRACEFS_DIRS);
    LOG.warn("malloc escalation: could not probe pid {} ({}): {}{}", p.pid(),
        p.identity().getComm(), why, tracefs == null ? "" : "; " + tracefs);
    if (off) {
      LOG.warn("malloc escalation off: {} failures in a row (perf probe needs a writable"
          + " tracefs, perf record CAP_PERFMON)", MAX_FAILURES);
    }
  }

  private void overCap(TracedProcess p, HeapGrowthTrigger.Key key, long rate, String when) {
    overCap.incrementAndGet();
    lastOverCap = p.pid();
    boolean first;
    synchronized (this) {
      notBeforeNs.put(key, System.nanoTime() + RATE_BACKOFF.toNanos());
      first = overCapLogged.add(key);
    }
    if (first) {
      LOG.info("malloc escalation: not probing pid {} ({}) {}: {} allocator calls/s, over the"
          + " cap of {}; left alone for {} min", p.pid(), p.identity().getComm(), when, rate,
          maxCallsPerSecond, RATE_BACKOFF.toMinutes());
    }
  }

  private void end(EscalatedProcess s, String why) {
    try {
      s.pipe.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteQuietly(PerfProbes.GROUP_PREFIX + tag(s.slot));
    long now = System.nanoTime();
    List<OutstandingAllocations.StackTotal> top;
    synchronized (s.process) {
      top = s.process.hasLive() ? s.process.live().byStack(now, minAge) : List.of();
      s.process.endLive();
    }
    synchronized (this) {
      if (!notBeforeNs.containsKey(s.key)) {
        notBeforeNs.put(s.key, now + coolDown.toNanos());
      }
      trigger.reset(s.key);
      sessions.remove(s.key);
      slotsInUse.remove(s.slot);
    }
    lastStop = why;
    String held = top.isEmpty() ? "nothing held" : top.get(0).estimatedBytes() + " bytes in "
        + top.get(0).blocks() + " blocks at " + describe(top.get(0).stack());
    LOG.info("malloc escalation: stopped probing pid {} ({}) after {} s: {}; {} calls, {}"
        + " unmatched returns; top held: {}", s.process.pid(), s.process.identity().getComm(),
        (now - s.startNs) / 1_000_000_000L, why, s.calls.calls(), s.calls.unmatchedReturns(),
        held);
  }

  private static String describe(StackTrace stack) {
    return stack == null ? "?" : String.join(" <- ",
        stack.getFrames().subList(0, Math.min(4, stack.getFrames().size())));
  }

  private void deleteQuietly(String group) {
    try {
      PerfProbes.deleteGroup(perf, group);
    } catch (IOException e) {
      LOG.warn("could not delete perf probes {}:*: {}", group, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The file holding the process's malloc, as the collector can open it: its libc, or its
   * executable when that defines malloc and free (static binaries), under {@code PID/root}.
   */
  private Optional<Path> allocatorImage(TracedProcess p) {
    Optional<Path> libc = ModuleMap.readOrEmpty(procRoot, p.pid()).libc();
    if (libc.isPresent()) {
      return Optional.of(inRoot(p, libc.get()));
    }
    try {
      Path exe = inRoot(p, Files.readSymbolicLink(procRoot.resolve(Integer.toString(p.pid()))
          .resolve("exe")));
      ElfImage image = ElfImage.read(exe);
      return image.definesFunction("malloc") && image.definesFunction("free")
          ? Optional.of(exe) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A path of the process's mount namespace, reached through its root ({@code PID/root}). */
  private static Path inRoot(TracedProcess p, Path path) {
    Path root = p.root();
    try {
      if (root.toRealPath().equals(Path.of("/"))) {
        return path; // the collector's own namespace: the plain path reads better in perf's output
      }
    } catch (IOException e) {
      // fall through to the root-relative path
    }
    return root.resolve(path.toString().replaceFirst("^/+", ""));
  }

  public Stats stats() {
    List<Integer> starting;
    synchronized (this) {
      starting = startingKeys.stream().map(HeapGrowthTrigger.Key::pid).sorted().toList();
    }
    return new Stats(escalations.get(), overCap.get(), failures.get(),
        sessions.values().stream().map(x -> x.process.pid()).sorted().toList(), starting,
        ticks.get(), lastOverCap, lastStop, disabled);
  }

  /** Stops the window in progress and deletes the probes (waits at most ~45 s). */
  @Override
  public void close() throws InterruptedException {
    synchronized (this) {
      closed = true;
    }
    worker.shutdown();
    worker.awaitTermination(40, TimeUnit.SECONDS);
    for (EscalatedProcess s : List.copyOf(sessions.values())) {
      end(s, "the collector stops");
    }
    for (int slot = 0; slot < maxProcesses; slot++) {
      deleteQuietly(PerfProbes.GROUP_PREFIX + tag(slot));
    }
    worker.shutdownNow();
  }

  /** Builds a {@link MallocEscalation}; {@link #build()} validates. */
  public static final class Builder {
    private Path perf;
    private TracedProcesses processes;
    private Path procRoot = Path.of("/proc");
    private Duration window = Duration.ofMinutes(4);
    private long maxCallsPerSecond = 20_000;
    private Duration minAge = Duration.ofSeconds(10);
    private Duration coolDown = Duration.ofMinutes(10);
    private int stackDepth = 16;
    private Path workDir = Path.of(System.getProperty("java.io.tmpdir"));
    private long tag = ProcessHandle.current().pid();
    private int maxProcesses = 2;

    private Builder() {}

    /** The perf binary. */
    public Builder perf(Path perf) {
      this.perf = perf;
      return this;
    }

    /** The traced processes: whose heaps are followed, and whose trackers are fed. */
    public Builder processes(TracedProcesses processes) {
      this.processes = processes;
      return this;
    }

    public Builder procRoot(Path procRoot) {
      this.procRoot = procRoot;
      return this;
    }

    /** The longest one process is probed (default 4 min). */
    public Builder window(Duration window) {
      this.window = window;
      return this;
    }

    /** Allocator calls per second above which a process is not probed (default 20 000). */
    public Builder maxCallsPerSecond(long maxCallsPerSecond) {
      this.maxCallsPerSecond = maxCallsPerSecond;
      return this;
    }

    /** Blocks younger than this are left out of the outstanding levels (default 10 s). */
    public Builder minAge(Duration minAge) {
      this.minAge = minAge;
      return this;
    }

    /** Wait before the same process may be probed again (default 10 min). */
    public Builder coolDown(Duration coolDown) {
      this.coolDown = coolDown;
      return this;
    }

    public Builder stackDepth(int stackDepth) {
      this.stackDepth = stackDepth;
      return this;
    }

    /** Where perf record's stderr is kept while it runs. */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** Processes probed at once (default 2). */
    public Builder maxProcesses(int maxProcesses) {
      this.maxProcesses = maxProcesses;
      return this;
    }

    /** Suffix of the probe group and event names (default: this JVM's pid). */
    public Builder tag(long tag) {
      this.tag = tag;
      return this;
    }

    public MallocEscalation build() {
      Objects.requireNonNull(perf, "perf");
      Objects.requireNonNull(processes, "processes");
      Objects.requireNonNull(procRoot, "procRoot");
      Objects.requireNonNull(workDir, "workDir");
      if (window.compareTo(Duration.ofSeconds(10)) < 0 || maxCallsPerSecond < 1
          || minAge.isNegative() || coolDown.isNegative() || stackDepth < 1 || tag < 0
          || maxProcesses < 1) {
        throw new IllegalArgumentException("window >= 10s, maxCallsPerSecond >= 1, minAge and"
            + " coolDown >= 0, stackDepth >= 1, maxProcesses >= 1 needed");
      }
      return new MallocEscalation(this);
    }
  }
}
