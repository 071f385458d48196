package io.memfleet.collector.ebpf.perf;

import io.memfleet.collector.ChildCommands;
import io.memfleet.event.ClockDomain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One perf recording of a process: {@code perf record -e EVENT -g -p PID} for a fixed time, then
 * {@code perf script --ns} streamed through {@link PerfScriptParser}. Timestamps come out in
 * perf's own clock ({@link Clock#PERF}, the TSC-based {@code local_clock()}, calibrated by
 * {@link PerfClockSampler}) or, with {@link Clock#MONOTONIC}, in CLOCK_MONOTONIC nanoseconds
 * ({@code -k CLOCK_MONOTONIC}), the same clock as bpftrace's.
 *
 * <pre>{@code
 * PerfRecorder recorder = PerfRecorder.builder().pid(pid).event("page-faults").period(10)
 *     .duration(Duration.ofSeconds(2)).workDir(dir).build();
 * PerfRecorder.Result result = recorder.run(sample -> folded.add(sample));
 * }</pre>
 *
 * <p>For allocations, first add a uprobe with {@link PerfProbes#addMallocProbe} and record
 * {@code probe_libc:malloc}.
 */
public final class PerfRecorder {
  /** The clock perf stamps samples with. */
  public enum Clock {
    /** perf's default, the kernel's {@code local_clock()}: the PERF_CLOCK domain. */
    PERF(ClockDomain.PERF_CLOCK),
    /** {@code -k CLOCK_MONOTONIC}: the MONOTONIC domain. */
    MONOTONIC(ClockDomain.MONOTONIC);

    private final ClockDomain domain;

    Clock(ClockDomain domain) {
      this.domain = domain;
    }

    /** The clock domain samples recorded with this clock are stamped in. */
    public ClockDomain domain() {
      return domain;
    }
  }

  private final Path perf;
  private final int pid;
  private final String event;
  private final long period;
  private final Duration duration;
  private final Path workDir;
  private final Clock clock;
  private volatile Process current;
  private volatile boolean cancelled;

  /**
   * What a run produced.
   *
   * @param samples samples parsed
   * @param malformedLines perf script lines that did not parse
   * @param recordLog what perf record printed (its summary, warnings)
   */
  public record Result(long samples, long malformedLines, String recordLog) {}

  private PerfRecorder(Builder b) {
    this.perf = b.perf;
    this.pid = b.pid;
    this.event = b.event;
    this.period = b.period;
    this.duration = b.duration;
    this.workDir = b.workDir;
    this.clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Records, then streams the samples to {@code sink}; the data file is deleted afterwards. */
  public Result run(Consumer<PerfSample> sink) throws IOException, InterruptedException {
    if (cancelled) {
      throw new InterruptedException("perf recording cancelled");
    }
    Files.createDirectories(workDir);
    Path data = Files.createTempFile(workDir, "memfleet-perf-", ".data");
    try {
      List<String> record = new ArrayList<>(List.of(perf.toString(), "record", "-e", event,
          "-g", "-p", Integer.toString(pid), "-o", data.toString()));
      if (clock == Clock.MONOTONIC) {
        record.addAll(List.of("-k", "CLOCK_MONOTONIC"));
      }
      if (period > 0) {
        record.add("-c");
        record.add(Long.toString(period));
      }
      record.addAll(List.of("--", "sleep", Double.toString(duration.toMillis() / 1000.0)));
      Process rec = new ProcessBuilder(ChildCommands.endingWithThisProcess(record))
          .redirectErrorStream(true).start();
      current = rec;
      String log;
      try {
        log = new String(rec.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!rec.waitFor(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
          throw new IOException("perf record did not finish");
        }
      } finally {
        rec.destroyForcibly();
      }
      if (cancelled) {
        throw new InterruptedException("perf recording cancelled");
      }
      if (rec.exitValue() != 0) {
        throw new IOException("perf record exited with " + rec.exitValue() + ": " + log);
      }
      PerfScriptParser parser = new PerfScriptParser(sink);
      Process script = new ProcessBuilder(ChildCommands.endingWithThisProcess(List.of(
          perf.toString(), "script", "--ns", "-i", data.toString())))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      current = script;
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
        parser.parse(in);
        if (!script.waitFor(60, TimeUnit.SECONDS)) {
          throw new IOException("perf script did not finish");
        }
      } finally {
        script.destroyForcibly();
      }
      return new Result(parser.samples(), parser.malformedLines(), log);
    } finally {
      current = null;
      Files.deleteIfExists(data);
    }
  }

  /**
   * Stops a {@link #run} in progress from another thread: perf (and the {@code sleep} it
   * times the recording with) get SIGTERM, then SIGKILL; that run throws
   * {@link InterruptedException} and deletes its data file. Later runs are cancelled at once.
   */
  public void cancel() {
    cancelled = true;
    Process p = current;
    if (p == null) {
      return;
    }
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(3, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Builds a {@link PerfRecorder}; {@link #build()} validates. */
  public static final class Builder {
    private Path perf = Path.of("perf");
    private int pid = -1;
    private String event = "page-faults";
    private long period;
    private Duration duration = Duration.ofSeconds(2);
    private Path workDir = Path.of(System.getProperty("java.io.tmpdir"));
    private Clock clock = Clock.MONOTONIC;

    private Builder() {}

    /** The clock samples are stamped with (default {@link Clock#MONOTONIC}). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** The perf binary (default: {@code perf} on PATH). */
    public Builder perf(Path perf) {
      this.perf = perf;
      return this;
    }

    public Builder pid(int pid) {
      this.pid = pid;
      return this;
    }

    /** perf event, e.g. {@code page-faults} (default) or {@code probe_libc:malloc}. */
    public Builder event(String event) {
      this.event = event;
      return this;
    }

    /** Fixed sample period ({@code -c}); 0 leaves perf's default frequency mode. */
    public Builder period(long period) {
      this.period = period;
      return this;
    }

    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    public PerfRecorder build() {
      Objects.requireNonNull(perf, "perf");
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(clock, "clock");
      if (pid <= 0) {
        throw new IllegalArgumentException("pid must be set");
      }
      if (period < 0 || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("period must be >= 0 and duration positive");
      }
      return new PerfRecorder(this);
    }
  }
}
