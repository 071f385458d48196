package io.memfleet.collector.ebpf.bpftrace;

import io.memfleet.collector.ChildCommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one bpftrace script as a child process for as long as the collector runs: renders the
 * script, starts {@code bpftrace -B line -f json}, parses stdout line by line into
 * {@link ProbeEvent}s for the listener, counts and reports bad lines and stderr errors, and
 * starts bpftrace again with exponential backoff when it dies. A script bound to a target pid
 * stops for good once that process has exited.
 *
 * <pre>{@code
 * try (BpftraceRunner runner = BpftraceRunner.builder()
 *     .bpftrace(BpftraceCapability.require(Optional.empty(), true))
 *     .script(BpftraceScript.MMAP, Map.of("PID", "1234", "STACK_DEPTH", "16"))
 *     .targetPid(1234)
 *     .listener(event -> tracker.accept(event))
 *     .build()) {
 *   runner.start();
 *   runner.awaitAttached(Duration.ofSeconds(30));
 *   ...
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #stats()} and {@link #close()} may be called from any thread.
 */
public final class BpftraceRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BpftraceRunner.class);
  /** Printed on every start in containers without a memlock limit to raise; harmless. */
  private static final String MEMLOCK_NOTE = "couldn't set RLIMIT_MEMLOCK";
  /** The kernel's own BTF (type information), as the kernel exports it. */
  private static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");
  /** Printed for an event whose stack collided with another in bpftrace's stack map. */
  private static final String LOST_STACK = "failed to look up stack id";

  private final Path bpftrace;
  private final String name;
  private final String scriptText;
  private final OptionalInt targetPid;
  private final ProbeListener listener;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration stableAfter;
  private final int mapKeysMax;
  private final Path workDir;
  private final boolean userSymbols;
  private final double recycleLostStacks;
  private final long recycleMinEvents;
  private final BpftraceLineParser lineParser = new BpftraceLineParser();
  private final ProbeEventParser eventParser = new ProbeEventParser();

  private final AtomicLong events = new AtomicLong();
  private final AtomicLong starts = new AtomicLong();
  private final AtomicLong attaches = new AtomicLong();
  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong errorLines = new AtomicLong();
  private final AtomicLong warningLines = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong listenerFailures = new AtomicLong();
  private final AtomicLong lostStacks = new AtomicLong();
  private final AtomicLong recycles = new AtomicLong();
  private final AtomicLong eventsThisRun = new AtomicLong();
  private final AtomicLong lostStacksThisRun = new AtomicLong();
  private volatile boolean recycling;
  private volatile String lastProblem;
  private volatile boolean running;
  private volatile boolean finished;
  private volatile Process process;
  private Thread supervisor;

  private BpftraceRunner(Builder b) {
    this.bpftrace = b.bpftrace;
    this.name = b.name;
    this.scriptText = b.scriptText;
    this.targetPid = b.targetPid;
    this.listener = b.listener;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.stableAfter = b.stableAfter;
    this.mapKeysMax = b.mapKeysMax;
    this.workDir = b.workDir;
    this.userSymbols = b.userSymbols;
    this.recycleLostStacks = b.recycleLostStacks;
    this.recycleMinEvents = b.recycleMinEvents;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the supervising thread; bpftrace needs a few seconds to compile and attach. */
  public synchronized void start() {
    if (supervisor != null) {
      throw new IllegalStateException("runner " + name + " already started");
    }
    running = true;
    supervisor = new Thread(this::supervise, "bpftrace-" + name);
    supervisor.setDaemon(true);
    supervisor.start();
  }

  /** Waits until bpftrace has attached its probes (at least once); false on timeout. */
  public boolean awaitAttached(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (attaches.get() == 0 && !finished && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return attaches.get() > 0;
  }

  public String name() {
    return name;
  }

  public BpftraceRunnerStats stats() {
    return new BpftraceRunnerStats(events.get(), starts.get(), attaches.get(), restarts.get(),
        malformed.get(), unknown.get(), errorLines.get(), warningLines.get(), lost.get(),
        listenerFailures.get(), lostStacks.get(), recycles.get(), lastProblem, finished);
  }

  /** Stops bpftrace (SIGTERM, then SIGKILL after 5 s) and the supervising thread. */
  @Override
  public void close() throws InterruptedException {
    Thread t;
    synchronized (this) {
      running = false;
      t = supervisor;
    }
    Process p = process;
    if (p != null) {
      stop(p);
    }
    if (t != null) {
      t.interrupt();
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    finished = true;
  }

  private void supervise() {
    Duration backoff = initialBackoff;
    Path script = null;
    try {
      Files.createDirectories(workDir);
      script = Files.createTempFile(workDir, "memfleet-" + name + "-", ".bt");
      Files.writeString(script, scriptText);
      while (running) {
        long startedAt = System.nanoTime();
        int exit = runOnce(script);
        if (!running) {
          break;
        }
        if (targetPid.isPresent() && !Files.exists(Path.of("/proc/" + targetPid.getAsInt()))) {
          problem("target process " + targetPid.getAsInt() + " exited; " + name
              + " script stopped");
          break;
        }
        if (recycling) {
          // stopped on purpose to empty its stack map: start again at once
          recycling = false;
          restarts.incrementAndGet();
          continue;
        }
        if (System.nanoTime() - startedAt > stableAfter.toNanos()) {
          backoff = initialBackoff;
        }
        problem("bpftrace (" + name + ") exited with code " + exit + "; restarting in "
            + backoff.toMillis() + " ms");
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0
            ? maxBackoff : backoff.multipliedBy(2);
        restarts.incrementAndGet();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      problem("cannot write the " + name + " script to " + workDir + ": " + e.getMessage());
    } finally {
      finished = true;
      if (script != null) {
        try {
          Files.deleteIfExists(script);
        } catch (IOException e) {
          LOG.debug("could not delete {}", script, e);
        }
      }
    }
  }

  /** Runs bpftrace until it exits; returns its exit code (-1 if it could not start). */
  private int runOnce(Path script) throws InterruptedException {
    List<String> command = new ArrayList<>(List.of(bpftrace.toString(), "-B", "line", "-f",
        "json"));
    if (targetPid.isPresent()) {
      // bpftrace 0.17 does not hand the pid to the kernel for uprobes: they are installed in
      // every process that maps the probed library, and the scripts' pid predicate runs only
      // after the trap (measured: README, "Measured cost"). -p still ties the run to the target.
      command.add("-p");
      command.add(Integer.toString(targetPid.getAsInt()));
    }
    command.add(script.toString());
    // killed with the collector, even by kill -9: no probes left attached by an orphan
    ProcessBuilder pb = new ProcessBuilder(ChildCommands.endingWithThisProcess(command));
    pb.environment().put("BPFTRACE_MAP_KEYS_MAX", Integer.toString(mapKeysMax));
    // bpftrace 0.17 does not cache user symbols when ASLR is on and then re-reads the ELF
    // symbol tables for every stack: ~0.2 s per event, so output lags further and further
    // behind. The cache is per process, and the scripts watch one process.
    pb.environment().put("BPFTRACE_CACHE_USER_SYMBOLS", "1");
    if (!userSymbols) {
      // the listener names frames itself, per process (see stack.Symbolizer for why)
      pb.environment().put("BPFTRACE_NO_USER_SYMBOLS", "1");
    }
    if (!pb.environment().containsKey("BPFTRACE_BTF") && Files.isReadable(KERNEL_BTF)) {
      // bpftrace 0.17 finds the kernel's BTF by iterating BTF object ids, which needs
      // CAP_SYS_ADMIN; without it every tracepoint script fails ("unknown type name 'size_t'")
      // under the DaemonSet's BPF + PERFMON. Read from the file, BTF needs no capability.
      pb.environment().put("BPFTRACE_BTF", KERNEL_BTF.toString());
    }
    eventsThisRun.set(0);
    lostStacksThisRun.set(0);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      problem("cannot start " + bpftrace + ": " + e.getMessage());
      return -1;
    }
    process = p;
    starts.incrementAndGet();
    if (!running) {
      stop(p);
    }
    Thread stderr = new Thread(() -> readStderr(p), "bpftrace-" + name + "-stderr");
    stderr.setDaemon(true);
    stderr.start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        handleLine(line);
      }
    } catch (IOException e) {
      if (running) {
        problem("reading bpftrace (" + name + ") output failed: " + e.getMessage());
      }
    }
    int exit = p.waitFor();
    stderr.join(2000);
    process = null;
    return exit;
  }

  /** Handles one stdout line; package-private so tests can feed captured output. */
  void handleLine(String line) {
    BpftraceOutput output = lineParser.parse(line);
    if (output instanceof BpftraceOutput.Printf printf) {
      ProbeEvent event;
      try {
        event = eventParser.parse(printf.text());
      } catch (RuntimeException e) {
        malformed.incrementAndGet();
        problem("malformed " + name + " event (" + e.getMessage() + "): " + abbreviate(line));
        return;
      }
      events.incrementAndGet();
      eventsThisRun.incrementAndGet();
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        listenerFailures.incrementAndGet();
        problem("listener failed on " + event.name() + " event: " + e);
      }
    } else if (output instanceof BpftraceOutput.AttachedProbes attached) {
      attaches.incrementAndGet();
      LOG.info("bpftrace {} attached {} probes", name, attached.probes());
    } else if (output instanceof BpftraceOutput.LostEvents lostEvents) {
      lost.addAndGet(Math.max(0, lostEvents.events()));
      problem("bpftrace (" + name + ") lost " + lostEvents.events() + " events");
    } else if (output instanceof BpftraceOutput.Unknown u) {
      unknown.incrementAndGet();
      problem("unexpected bpftrace output of type " + u.type() + ": " + abbreviate(line));
    } else if (output instanceof BpftraceOutput.Malformed m) {
      malformed.incrementAndGet();
      problem("malformed bpftrace output (" + m.reason() + "): " + abbreviate(line));
    }
  }

  /** Classifies one stderr line; package-private for tests. */
  void handleStderr(String line) {
    if (line.isBlank()) {
      return;
    }
    if (line.contains(MEMLOCK_NOTE) || line.startsWith("WARNING")) {
      warningLines.incrementAndGet();
      LOG.debug("bpftrace {}: {}", name, line);
      return;
    }
    if (line.contains(LOST_STACK)) {
      // one event went out without its stack: counted, and the map emptied when too many do
      lostStacks.incrementAndGet();
      long lost = lostStacksThisRun.incrementAndGet();
      long seen = eventsThisRun.get();
      if (recycleLostStacks > 0 && seen >= recycleMinEvents && !recycling
          && lost > recycleLostStacks * seen) {
        recycle(lost, seen);
      }
      return;
    }
    errorLines.incrementAndGet();
    problem("bpftrace (" + name + "): " + line);
  }

  /**
   * Restarts bpftrace to empty its stack map: bpftrace 0.17 keeps every stack it ever saw (128 Ki
   * entries, never deleted), so on a busy host new stacks collide more and more often.
   */
  private void recycle(long lost, long seen) {
    Process p = process;
    if (p == null || !running) {
      return;
    }
    recycling = true;
    recycles.incrementAndGet();
    problem("bpftrace (" + name + ") lost " + lost + " stacks of " + seen
        + " events to stack-map collisions; restarting it to empty the map");
    Thread stopper = new Thread(() -> stop(p), "bpftrace-" + name + "-recycle");
    stopper.setDaemon(true);
    stopper.start();
  }

  private void readStderr(Process p) {
    try (BufferedReader err = new BufferedReader(
        new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = err.readLine()) != null) {
        handleStderr(line);
      }
    } catch (IOException e) {
      LOG.debug("bpftrace {} stderr closed", name, e);
    }
  }

  private void problem(String message) {
    lastProblem = message;
    LOG.warn(message);
    try {
      listener.onProblem(message);
    } catch (RuntimeException e) {
      LOG.warn("listener failed on a problem report", e);
    }
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String abbreviate(String line) {
    return line.length() <= 200 ? line : line.substring(0, 200) + "…";
  }

  /** Builds a {@link BpftraceRunner}; {@link #build()} validates. */
  public static final class Builder {
    private Path bpftrace;
    private String name;
    private String scriptText;
    private OptionalInt targetPid = OptionalInt.empty();
    private ProbeListener listener;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(1);
    private Duration stableAfter = Duration.ofSeconds(30);
    private int mapKeysMax = 65_536;
    private Path workDir = Path.of(System.getProperty("java.io.tmpdir"));
    private Map<String, String> parameters;
    private BpftraceScript script;
    private boolean userSymbols = true;
    private double recycleLostStacks;
    private long recycleMinEvents = 1000;

    private Builder() {}

    /** The bpftrace binary (see {@link BpftraceCapability#require}). */
    public Builder bpftrace(Path bpftrace) {
      this.bpftrace = bpftrace;
      return this;
    }

    /** A shipped script and its placeholder values. */
    public Builder script(BpftraceScript script, Map<String, String> parameters) {
      this.script = script;
      this.parameters = new TreeMap<>(parameters);
      return this;
    }

    /** A script given as text (for experiments and tests); {@code name} labels logs. */
    public Builder scriptText(String name, String text) {
      this.name = name;
      this.scriptText = text;
      return this;
    }

    /** The process the script watches: passed as {@code -p}, and ends the runner on exit. */
    public Builder targetPid(int pid) {
      this.targetPid = OptionalInt.of(pid);
      return this;
    }

    public Builder listener(ProbeListener listener) {
      this.listener = listener;
      return this;
    }

    /** First restart delay (default 1 s), doubled per consecutive failure up to the max. */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** A run lasting longer than this resets the backoff (default 30 s). */
    public Builder stableAfter(Duration stableAfter) {
      this.stableAfter = stableAfter;
      return this;
    }

    /** BPFTRACE_MAP_KEYS_MAX for the child: bounds the malloc script's live-block map. */
    public Builder mapKeysMax(int mapKeysMax) {
      this.mapKeysMax = mapKeysMax;
      return this;
    }

    /** Where the rendered script file is written (default java.io.tmpdir). */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /**
     * Whether bpftrace names user frames (default true); false sets
     * {@code BPFTRACE_NO_USER_SYMBOLS=1}: frames come as bare addresses for the listener to name.
     */
    public Builder userSymbols(boolean userSymbols) {
      this.userSymbols = userSymbols;
      return this;
    }

    /**
     * Restart bpftrace when more than {@code ratio} of the events of its current run (at least
     * {@code minEvents}) lost their stack to collisions in its stack map; 0 (default): never.
     */
    public Builder recycleOnLostStacks(double ratio, long minEvents) {
      this.recycleLostStacks = ratio;
      this.recycleMinEvents = minEvents;
      return this;
    }

    public BpftraceRunner build() {
      Objects.requireNonNull(bpftrace, "bpftrace binary");
      Objects.requireNonNull(listener, "listener");
      if (script != null) {
        if (scriptText != null) {
          throw new IllegalArgumentException("give either script(..) or scriptText(..)");
        }
        scriptText = script.render(parameters);
        name = script.id();
      }
      if (scriptText == null || scriptText.isBlank()) {
        throw new IllegalArgumentException("no script");
      }
      if (initialBackoff.isNegative() || initialBackoff.isZero()
          || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("backoff must be positive and initial <= max");
      }
      if (mapKeysMax < 128) {
        throw new IllegalArgumentException("mapKeysMax must be >= 128, was " + mapKeysMax);
      }
      return new BpftraceRunner(this);
    }
  }
}
