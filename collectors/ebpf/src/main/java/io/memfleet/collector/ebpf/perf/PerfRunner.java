package io.memfleet.collector.ebpf.perf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs perf against one process for as long as the collector runs, in rounds: each round is one
 * {@link PerfRecorder} run ({@code perf record -g} in the builder's clock for the round length, then
 * {@code perf script} parsed as a stream into the consumer). A failed round is counted and the
 * next one waits with exponential backoff; the runner stops for good once the target exits.
 * For {@code probe_libc:malloc} it adds the uprobe first and deletes it on close.
 *
 * <pre>{@code
 * try (PerfRunner runner = PerfRunner.builder().perf(perf).pid(pid)
 *     .events(List.of("page-faults")).period(100).round(Duration.ofSeconds(10))
 *     .consumer(new PerfSamplePublisher(sink, headers, identity, 127)).build()) {
 *   runner.start();
 *   ...
 *   runner.stats();
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #stats()} and {@link #close()} may be called from any thread; the
 * consumer is called on the runner's own thread only.
 */
public final class PerfRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PerfRunner.class);

  private final Path perf;
  private final int pid;
  private final List<String> events;
  private final long period;
  private final Duration round;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Path workDir;
  private final Path libc;
  private final PerfRecorder.Clock clock;
  private final Consumer<PerfSample> consumer;
  private final AtomicLong rounds = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong consumerFailures = new AtomicLong();
  private volatile String lastProblem;
  private volatile boolean running;
  private volatile boolean finished;
  private volatile PerfRecorder recorder;
  private String probe;
  private Thread thread;

  /**
   * What the runner did so far.
   *
   * @param rounds recordings that completed
   * @param samples perf samples parsed
   * @param malformedLines {@code perf script} lines that did not parse
   * @param failures rounds that failed (perf record or probe errors); each is followed by backoff
   * @param consumerFailures samples the consumer threw on
   * @param lastProblem most recent failure, or null
   * @param finished stopped for good (closed, or the target exited)
   */
  public record Stats(long rounds, long samples, long malformedLines, long failures,
      long consumerFailures, String lastProblem, boolean finished) {}

  private PerfRunner(Builder b) {
    this.perf = b.perf;
    this.pid = b.pid;
    this.events = List.copyOf(b.events);
    this.period = b.period;
    this.round = b.round;
    this.initialBackoff = b.initialBackoff;
    this.maxBackoff = b.maxBackoff;
    this.workDir = b.workDir;
    this.libc = b.libc;
    this.clock = b.clock;
    this.consumer = b.consumer;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the round loop on its own daemon thread. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("perf runner already started");
    }
    running = true;
    thread = new Thread(this::loop, "perf-" + pid);
    thread.setDaemon(true);
    thread.start();
  }

  public Stats stats() {
    return new Stats(rounds.get(), samples.get(), malformed.get(), failures.get(),
        consumerFailures.get(), lastProblem, finished);
  }

  /** Waits until {@code n} rounds completed or the runner finished; false on timeout. */
  public boolean awaitRounds(long n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (rounds.get() < n && !finished && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return rounds.get() >= n;
  }

  private void loop() {
    Optional<ProcessHandle> target = ProcessHandle.of(pid);
    Duration backoff = initialBackoff;
    try {
      while (running && target.map(ProcessHandle::isAlive).orElse(false)) {
        try {
          runRound();
          backoff = initialBackoff;
        } catch (InterruptedException e) {
          break;
        } catch (Exception e) {
          if (!running) {
            break;
          }
          failures.incrementAndGet();
          lastProblem = e.getMessage();
          LOG.warn("perf round for pid {} failed (retrying in {} ms): {}", pid,
              backoff.toMillis(), e.getMessage());
          try {
            Thread.sleep(backoff.toMillis());
          } catch (InterruptedException ie) {
            break;
          }
          backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0
              ? maxBackoff : backoff.multipliedBy(2);
        }
      }
    } finally {
      finished = true;
      LOG.info("perf runner for pid {} stopped after {} rounds", pid, rounds.get());
    }
  }

  private void runRound() throws Exception {
    if (libc != null && probe == null && events.contains(PerfProbes.MALLOC_EVENT)) {
      probe = PerfProbes.addMallocProbe(perf, libc);
    }
    PerfRecorder r = PerfRecorder.builder().perf(perf).pid(pid).event(String.join(",", events))
        .period(period).duration(round).workDir(workDir).clock(clock).build();
    recorder = r;
    if (!running) {
      return;
    }
    PerfRecorder.Result result = r.run(s -> {
      try {
        consumer.accept(s);
      } catch (RuntimeException e) {
        consumerFailures.incrementAndGet();
        lastProblem = "consumer: " + e;
      }
    });
    samples.addAndGet(result.samples());
    malformed.addAndGet(result.malformedLines());
    rounds.incrementAndGet();
  }

  /** Stops the recording in progress, removes the probe it added and ends the thread. */
  @Override
  public void close() throws InterruptedException {
    Thread t;
    synchronized (this) {
      running = false;
      t = thread;
    }
    PerfRecorder r = recorder;
    if (r != null) {
      r.cancel();
    }
    if (t != null) {
      t.interrupt();
      t.join(TimeUnit.SECONDS.toMillis(15));
    }
    if (probe != null) {
      try {
        PerfProbes.delete(perf, probe);
      } catch (java.io.IOException e) {
        LOG.warn("could not delete perf probe {}: {}", probe, e.getMessage());
      }
    }
    finished = true;
  }

  /** Builds a {@link PerfRunner}; {@link #build()} validates. */
  public static final class Builder {
    private Path perf = Path.of("perf");
    private int pid = -1;
    private List<String> events = List.of("page-faults");
    private long period;
    private Duration round = Duration.ofSeconds(10);
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(1);
    private Path workDir = Path.of(System.getProperty("java.io.tmpdir"));
    private Path libc;
    private PerfRecorder.Clock clock = PerfRecorder.Clock.MONOTONIC;
    private Consumer<PerfSample> consumer;

    private Builder() {}

    /** The clock samples are stamped with (default {@link PerfRecorder.Clock#MONOTONIC}). */
    public Builder clock(PerfRecorder.Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder perf(Path perf) {
      this.perf = perf;
      return this;
    }

    public Builder pid(int pid) {
      this.pid = pid;
      return this;
    }

    /** perf events, e.g. {@code page-faults}, {@link PerfProbes#MALLOC_EVENT}. */
    public Builder events(List<String> events) {
      this.events = events;
      return this;
    }

    /** Fixed sample period ({@code -c}); 0 leaves perf's default frequency mode. */
    public Builder period(long period) {
      this.period = period;
      return this;
    }

    /** Length of one recording (default 10 s); samples reach the consumer after each. */
    public Builder round(Duration round) {
      this.round = round;
      return this;
    }

    /** Wait after a failed round, doubled per failure up to max (default 1 s, 1 min). */
    public Builder backoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** Where perf.data files live while a round is parsed (default java.io.tmpdir). */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** The target's libc, needed when recording {@link PerfProbes#MALLOC_EVENT}. */
    public Builder libc(Path libc) {
      this.libc = libc;
      return this;
    }

    public Builder consumer(Consumer<PerfSample> consumer) {
      this.consumer = consumer;
      return this;
    }

    public PerfRunner build() {
      Objects.requireNonNull(perf, "perf");
      Objects.requireNonNull(consumer, "consumer");
      Objects.requireNonNull(workDir, "workDir");
      if (pid <= 0 || events == null || events.isEmpty()) {
        throw new IllegalArgumentException("pid and at least one event must be set");
      }
      if (events.contains(PerfProbes.MALLOC_EVENT) && libc == null) {
        throw new IllegalArgumentException(PerfProbes.MALLOC_EVENT + " needs the target's libc");
      }
      if (period < 0 || round.isNegative() || round.isZero() || initialBackoff.isNegative()
          || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("period must be >= 0, round and backoff positive");
      }
      return new PerfRunner(this);
    }
  }
}
