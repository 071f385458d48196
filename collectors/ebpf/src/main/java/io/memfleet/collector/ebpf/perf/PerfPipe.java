package io.memfleet.collector.ebpf.perf;

import io.memfleet.collector.ChildCommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One open-ended perf recording of a process streamed as it happens: {@code perf record -o -
 * -k CLOCK_MONOTONIC -p PID -e …} piped into {@code perf script -i - --ns -F …} (perf's pipe
 * mode), parsed line by line by {@link PerfScriptParser} into the consumer — unlike
 * {@link PerfRecorder}'s rounds, nothing is missed between rounds, which matters when a free
 * must be matched with its malloc. Runs until {@link #stop()} (perf record gets SIGTERM, writes
 * what it buffered and exits; perf script reads to the end) or the target exits.
 *
 * <pre>{@code
 * try (PerfPipe pipe = PerfPipe.builder().perf(perf).pid(pid)
 *     .events(List.of("memfleet_9:malloc_9/call-graph=no/", ...)).maxStack(16)
 *     .workDir(dir).consumer(calls).build()) {
 *   pipe.start();
 *   ...
 *   pipe.stop();
 * }
 * }</pre>
 *
 * <p>Timestamps are CLOCK_MONOTONIC nanoseconds ({@code System.nanoTime()} on Linux). Both perf
 * processes run under {@link ChildCommands#endingWithThisProcess} (they die with the JVM).
 * Thread-safe: {@link #stop()}, {@link #stats()} and {@link #close()} from any thread; the
 * consumer is called on the pipe's reader thread only.
 */
public final class PerfPipe implements AutoCloseable {
  /** perf script fields: the header the parser reads, plus the call chain where recorded. */
  static final String FIELDS = "comm,tid,time,event,trace,ip,sym,dso";

  private final Path perf;
  private final int pid;
  private final List<String> events;
  private final int maxStack;
  private final Path workDir;
  private final Consumer<PerfSample> consumer;
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private volatile boolean finished;
  private volatile boolean stopping;
  private volatile String problem;
  private Process record;
  private Process script;
  private Path recordLog;
  private Thread reader;

  /**
   * What the pipe did so far.
   *
   * @param samples samples parsed
   * @param malformedLines lines that did not parse
   * @param finished perf script reached the end (stopped, perf failed or the target exited)
   * @param problem why it ended early (perf's own words), or null
   */
  public record Stats(long samples, long malformedLines, boolean finished, String problem) {}

  private PerfPipe(Builder b) {
    this.perf = b.perf;
    this.pid = b.pid;
    this.events = List.copyOf(b.events);
    this.maxStack = b.maxStack;
    this.workDir = b.workDir;
    this.consumer = b.consumer;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The {@code perf record} command line (without the child wrapper). */
  List<String> recordCommand() {
    List<String> cmd = new ArrayList<>(List.of(perf.toString(), "record", "-o", "-",
        "-k", "CLOCK_MONOTONIC", "-p", Integer.toString(pid)));
    for (String e : events) {
      cmd.add("-e");
      cmd.add(e);
    }
    return cmd;
  }

  /** The {@code perf script} command line (without the child wrapper). */
  List<String> scriptCommand() {
    return List.of(perf.toString(), "script", "-i", "-", "--ns", "-F", FIELDS, "--max-stack",
        Integer.toString(maxStack));
  }

  /** Starts both perf processes and the reader thread. */
  public synchronized void start() throws IOException {
    if (reader != null) {
      throw new IllegalStateException("perf pipe already started");
    }
    Files.createDirectories(workDir);
    recordLog = Files.createTempFile(workDir, "memfleet-perf-pipe-", ".log");
    ProcessBuilder rec = new ProcessBuilder(ChildCommands.endingWithThisProcess(recordCommand()))
        .redirectError(recordLog.toFile());
    ProcessBuilder scr = new ProcessBuilder(ChildCommands.endingWithThisProcess(scriptCommand()))
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    List<Process> started = ProcessBuilder.startPipeline(List.of(rec, scr));
    record = started.get(0);
    script = started.get(1);
    reader = new Thread(this::read, "perf-pipe-" + pid);
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    PerfScriptParser parser = new PerfScriptParser(consumer);
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        parser.accept(line);
        samples.set(parser.samples());
        malformed.set(parser.malformedLines());
      }
      parser.finish();
    } catch (IOException | RuntimeException e) {
      problem = "reading perf script: " + e;
    } finally {
      samples.set(parser.samples());
      malformed.set(parser.malformedLines());
      finished = true;
      if (problem == null && !stopping && record != null) {
        try {
          if (record.waitFor(5, TimeUnit.SECONDS) && record.exitValue() != 0 && !stopping) {
            problem = "perf record exited with " + record.exitValue() + ": " + log();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** What perf record printed on stderr so far (errors; its summary), trimmed. */
  public String log() {
    try {
      Path l = recordLog;
      return l == null || !Files.exists(l) ? "" : Files.readString(l).trim();
    } catch (IOException e) {
      return "";
    }
  }

  public Stats stats() {
    return new Stats(samples.get(), malformed.get(), finished, problem);
  }

  /**
   * Ends the recording: perf record gets SIGTERM (SIGKILL after 5 s), perf script then reads to
   * the end of what was recorded (killed after 30 s). Returns once both exited.
   */
  public void stop() throws InterruptedException {
    Process r;
    Process s;
    Thread t;
    synchronized (this) {
      r = record;
      s = script;
      t = reader;
    }
    if (r == null) {
      return;
    }
    stopping = true;
    r.destroy();
    if (!r.waitFor(5, TimeUnit.SECONDS)) {
      r.destroyForcibly();
      r.waitFor(5, TimeUnit.SECONDS);
    }
    if (!s.waitFor(30, TimeUnit.SECONDS)) {
      s.destroyForcibly();
      s.waitFor(5, TimeUnit.SECONDS);
    }
    t.join(TimeUnit.SECONDS.toMillis(30));
  }

  /** {@link #stop()}, then deletes perf record's log. */
  @Override
  public void close() throws InterruptedException {
    try {
      stop();
    } finally {
      Path l = recordLog;
      if (l != null) {
        try {
          Files.deleteIfExists(l);
        } catch (IOException e) {
          // a log left in the work directory is harmless
        }
      }
    }
  }

  /** Builds a {@link PerfPipe}; {@link #build()} validates. */
  public static final class Builder {
    private Path perf = Path.of("perf");
    private int pid = -1;
    private List<String> events = List.of();
    private int maxStack = 16;
    private Path workDir = Path.of(System.getProperty("java.io.tmpdir"));
    private Consumer<PerfSample> consumer;

    private Builder() {}

    public Builder perf(Path perf) {
      this.perf = perf;
      return this;
    }

    public Builder pid(int pid) {
      this.pid = pid;
      return this;
    }

    /** Events as given to {@code perf record -e}, with per-event terms such as
     * {@code /call-graph=fp/}. */
    public Builder events(List<String> events) {
      this.events = events;
      return this;
    }

    /** Call-chain frames printed per sample (perf script {@code --max-stack}; default 16). */
    public Builder maxStack(int maxStack) {
      this.maxStack = maxStack;
      return this;
    }

    /** Where perf record's stderr is kept while it runs (default java.io.tmpdir). */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    public Builder consumer(Consumer<PerfSample> consumer) {
      this.consumer = consumer;
      return this;
    }

    public PerfPipe build() {
      Objects.requireNonNull(perf, "perf");
      Objects.requireNonNull(workDir, "workDir");
      Objects.requireNonNull(consumer, "consumer");
      if (pid <= 0 || events == null || events.isEmpty() || maxStack < 1) {
        throw new IllegalArgumentException("pid, at least one event and maxStack >= 1 needed");
      }
      return new PerfPipe(this);
    }
  }
}
