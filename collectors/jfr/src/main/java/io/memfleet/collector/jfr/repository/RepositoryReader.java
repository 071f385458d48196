package io.memfleet.collector.jfr.repository;

import io.memfleet.collector.ClockSyncSampler;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.jfr.JfrEventMapper;
import io.memfleet.collector.jfr.JfrOptions;
import io.memfleet.collector.jfr.attach.ClassHistogram;
import io.memfleet.collector.jfr.attach.TargetProcess;
import io.memfleet.collector.jfr.internal.GcStormFilter;
import io.memfleet.collector.jfr.internal.JfrPump;
import io.memfleet.collector.jfr.internal.Reporter;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.OomKill;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.schema.codec.Events;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.consumer.EventStream;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads one JVM's JFR repository from outside the JVM and publishes what memfleet's recording
 * holds, mapped by the same {@link JfrEventMapper} as the in-process agent, with the JVM's
 * identity (not the reader's) and JFR's own REALTIME timestamps.
 *
 * <pre>{@code
 * RepositoryReader reader = RepositoryReader.builder()
 *     .process(identities.forPid(pid)).target(TargetProcess.of(procRoot, pid, sharedRoots))
 *     .repository(repositoryDir).options(jfrOptions).sink(sink).build();
 * reader.start();                 // a daemon thread runs the JDK's EventStream
 * while (!reader.tick()) {        // pins new chunks, ClockSync, notices exit and drains
 *   Thread.sleep(500);
 * }
 * }</pre>
 *
 * <p>Lifecycle: {@link #start()} opens {@code EventStream.openRepository} on the repository's
 * {@link ChunkPins pins} and reads from the oldest chunk still there (or from the saved position,
 * see {@link Builder#positionFile}). The caller calls {@link #tick()} about twice a second from
 * one thread; it pins new chunks, publishes a {@code ClockSync} for the JVM every
 * {@code clockSyncPeriod}, and ends the reader when there is nothing more to read: the JVM exited
 * (its last chunk — finished by a normal exit, or cut at the last flush by {@code kill -9} — is
 * read to the end, until nothing new came for {@code quiet}), memfleet's recording was stopped
 * (the newest chunk is finished and nothing new comes), or {@link #finish} was called. After a
 * JVM's death its pins go, and so does its repository when JFR did not delete it (a killed JVM
 * cannot).
 *
 * <p>GC storms: see {@link GcStormFilter}. Threads: the stream's thread maps and publishes;
 * {@link #tick()} and {@link #stats()} may run on another thread.
 */
public final class RepositoryReader implements AutoCloseable {
  private final ProcessIdentity process;
  private final TargetProcess target;
  private final Path repository;
  private final boolean deleteRepositoryAfterDeath;
  private final JfrOptions options;
  private final EventSink sink;
  private final EventHeaders headers;
  private final GcStormFilter storm;
  private final Duration quiet;
  private final Duration maxDrain;
  private final Path positionFile;
  private final Reporter log;
  private final ChunkPins pins;
  private final ClockSyncSampler clock = new ClockSyncSampler();
  private final AtomicLong published = new AtomicLong();
  private final CountDownLatch ended = new CountDownLatch(1);
  private EventStream stream;
  private JfrPump pump;
  private Thread thread;
  private volatile long lastActivityNanos;
  private volatile long lastEventEpochNanos;
  private final JvmSignals signals = new JvmSignals();
  private volatile String endReason;
  private volatile String finishReason;
  private long startedNanos;
  private long deathSeenNanos;
  private long nextClockNanos;
  private long nextPositionNanos;
  private long savedPosition;

  /**
   * What a reader did so far.
   *
   * @param jfrEvents JFR events read
   * @param published memfleet events published
   * @param droppedHeapSummaries heap summaries dropped in GC storms
   * @param droppedPauses GC pauses dropped in GC storms
   * @param droppedMetaspace metaspace readings dropped in GC storms
   * @param stormSeconds seconds in which the JVM collected more than the storm rate
   * @param lastEvent start of the newest event read (epoch)
   * @param endReason why it ended, null while reading
   */
  public record Stats(long jfrEvents, long published, long droppedHeapSummaries,
      long droppedPauses, long droppedMetaspace, long stormSeconds, Instant lastEvent,
      String endReason) {
    /** Everything GC storms left out. */
    public long stormDropped() {
      return droppedHeapSummaries + droppedPauses + droppedMetaspace;
    }
  }

  private RepositoryReader(Builder b) {
    this.process = b.process;
    this.target = b.target;
    this.repository = b.repository;
    this.deleteRepositoryAfterDeath = b.deleteRepositoryAfterDeath;
    this.options = b.options;
    this.sink = b.sink;
    this.headers = new EventHeaders(b.collectorId != null ? b.collectorId
        : "jfr-repository/" + process.getNode() + "/" + ProcessHandle.current().pid() + "/"
            + process.getPid());
    this.storm = new GcStormFilter(b.stormGcsPerSecond);
    this.quiet = b.quiet;
    this.maxDrain = b.maxDrain;
    this.positionFile = b.positionFile;
    this.log = b.log;
    this.pins = new ChunkPins(repository);
  }

  public static Builder builder() {
    return new Builder();
  }

  public ProcessIdentity process() {
    return process;
  }

  public Path repository() {
    return repository;
  }

  /** Pins the chunks there are and starts reading them on a daemon thread. */
  public synchronized void start() throws IOException {
    if (stream != null) {
      throw new IllegalStateException("already started");
    }
    pins.sync();
    stream = EventStream.openRepository(pins.directory());
    // reuse event objects; keep JFR's per-flush order by time, as the agent's stream has it: the
    // heap configuration (written at chunk start) must reach the mapper before the heap
    // summaries that carry its max
    stream.setReuse(true);
    stream.setOrdered(true);
    stream.setStartTime(startPosition());
    JfrEventMapper mapper = new JfrEventMapper(process, headers, options.stackDepth());
    pump = JfrPump.wire(stream, mapper, this::publish, log);
    stream.onFlush(() -> lastActivityNanos = System.nanoTime());
    startedNanos = System.nanoTime();
    lastActivityNanos = startedNanos;
    thread = new Thread(this::run, "memfleet-jfr-read-" + process.getPid());
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      stream.start();
    } catch (RuntimeException e) {
      if (endReason == null) {
        log.once("stream:" + process.getPid(), "reading the JFR repository of pid "
            + process.getPid() + " failed: " + e);
      }
    }
  }

  private void publish(SpecificRecord r) {
    signals.observe(r);
    if (storm.admit(r)) {
      sink.publish(r);
      published.incrementAndGet();
    }
    long t = Events.header(r).getRawTimestamp();
    if (t > lastEventEpochNanos) {
      lastEventEpochNanos = t;
    }
  }

  /**
   * Housekeeping, twice a second from one thread.
   *
   * @return true once the reader has ended
   */
  public synchronized boolean tick() {
    if (endReason != null) {
      return true;
    }
    long now = System.nanoTime();
    try {
      pins.sync();
      pins.release(lastEventEpochNanos);
    } catch (IOException e) {
      log.once("pins:" + process.getPid(), "cannot pin JFR chunks of pid " + process.getPid()
          + " (reading them unpinned): " + e);
    }
    if (deathSeenNanos == 0 && target != null && !target.isAlive()) {
      deathSeenNanos = now;
    }
    boolean quietNow = now - lastActivityNanos > quiet.toNanos();
    if (deathSeenNanos != 0) {
      if (quietNow && now - deathSeenNanos > quiet.toNanos()) {
        end("process exited");
      } else if (now - deathSeenNanos > maxDrain.toNanos()) {
        end("process exited; stopped draining after " + maxDrain);
      }
    } else if (finishReason != null && quietNow) {
      end(finishReason);
    } else if (quietNow && now - startedNanos > quiet.toNanos() && pins.newestFinished()) {
      end("recording stopped");
    } else {
      if (now >= nextClockNanos) {
        try {
          sink.publish(clock.sample(process, Source.JFR, headers));
        } catch (RuntimeException e) {
          log.once("clock", "clock sync failed: " + e);
        }
        nextClockNanos = now + options.clockSyncPeriod().toNanos();
      }
      savePosition(now, false);
    }
    return endReason != null;
  }

  /** Asks the reader to end once nothing new comes for {@code quiet}. */
  public void finish(String reason) {
    finishReason = Objects.requireNonNull(reason);
  }

  /** Blocks until the reader ended. */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Whether the reader ended, and why (null while it reads). */
  public String endReason() {
    return endReason;
  }

  /** What the JVM's events said of it so far. */
  public JvmSignals signals() {
    return signals;
  }

  /**
   * Publishes a class histogram of the JVM taken at {@code epochNanos}
   * ({@link JvmSignals#classHistogramEvents}).
   */
  public void publishClassHistogram(List<ClassHistogram.Row> rows, long epochNanos) {
    for (Allocation a : JvmSignals.classHistogramEvents(rows, process, headers, epochNanos)) {
      sink.publish(a);
      published.incrementAndGet();
    }
  }

  public Stats stats() {
    long last = lastEventEpochNanos;
    return new Stats(pump == null ? 0 : pump.eventsRead(), published.get(),
        storm.droppedHeapSummaries(), storm.droppedPauses(), storm.droppedMetaspace(),
        storm.stormSeconds(),
        last == 0 ? null : Instant.ofEpochSecond(0, last), endReason);
  }

  private void end(String reason) {
    endReason = reason;
    closeStream();
    boolean dead = deathSeenNanos != 0;
    if (dead) {
      long exitNanos = System.currentTimeMillis() * 1_000_000L
          - (System.nanoTime() - deathSeenNanos);
      OomKill died = signals.directBuffersExhaustedAtExit(exitNanos, process, headers);
      if (died != null) {
        sink.publish(died);
        published.incrementAndGet();
      }
    }
    try {
      if (dead || !Files.isDirectory(repository)) {
        pins.delete();
      }
      if (dead && deleteRepositoryAfterDeath && Files.isDirectory(repository)) {
        deleteChunks(repository); // a killed JVM leaves its repository behind
      }
      if (positionFile != null) {
        if (dead) {
          Files.deleteIfExists(positionFile);
        } else {
          savePosition(System.nanoTime(), true);
        }
      }
    } catch (IOException e) {
      log.once("cleanup:" + process.getPid(), "cleaning up after pid " + process.getPid()
          + " failed: " + e);
    }
    ended.countDown();
  }

  private void closeStream() {
    EventStream s = stream;
    if (s != null) {
      s.close();
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void deleteChunks(Path dir) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }

  private Instant startPosition() {
    if (positionFile != null && Files.isRegularFile(positionFile)) {
      try {
        savedPosition = Long.parseLong(Files.readString(positionFile).strip());
        return Instant.ofEpochSecond(0, savedPosition + 1);
      } catch (IOException | NumberFormatException e) {
        log.once("position", "ignoring unreadable position file " + positionFile + ": " + e);
      }
    }
    return Instant.EPOCH; // everything the repository still holds
  }

  private void savePosition(long now, boolean force) {
    long position = lastEventEpochNanos;
    if (positionFile == null || position <= savedPosition || (!force && now < nextPositionNanos)) {
      return;
    }
    nextPositionNanos = now + 5_000_000_000L;
    try {
      Files.createDirectories(positionFile.getParent());
      Path tmp = positionFile.resolveSibling(positionFile.getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(position));
      Files.move(tmp, positionFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      savedPosition = position;
    } catch (IOException e) {
      log.once("position", "cannot save the read position to " + positionFile + ": " + e);
    }
  }

  /** Stops reading now (what was not read yet stays in the repository). */
  @Override
  public synchronized void close() {
    if (endReason == null) {
      endReason = "closed";
      closeStream();
      savePosition(System.nanoTime(), true);
      ended.countDown();
    }
  }

  /** Validating builder. */
  public static final class Builder {
    private ProcessIdentity process;
    private TargetProcess target;
    private Path repository;
    private boolean deleteRepositoryAfterDeath;
    private JfrOptions options;
    private EventSink sink;
    private String collectorId;
    private int stormGcsPerSecond = 20;
    private Duration quiet = Duration.ofSeconds(3);
    private Duration maxDrain = Duration.ofSeconds(60);
    private Path positionFile;
    private Reporter log = Reporter.stderr("[memfleet-jfr] ");

    /** The JVM's identity, stamped on every event. Required. */
    public Builder process(ProcessIdentity process) {
      this.process = process;
      return this;
    }

    /** The JVM as a process, to notice its exit; without it the reader ends only by finish(). */
    public Builder target(TargetProcess target) {
      this.target = target;
      return this;
    }

    /** The repository directory ({@code <base>/<timestamp>_<pid>}) as this process reaches it. */
    public Builder repository(Path repository) {
      this.repository = repository;
      return this;
    }

    /**
     * Delete the repository once the JVM is gone and it was read (JFR deletes it on a normal
     * exit, but a killed JVM cannot). Default off; on for repositories memfleet configured.
     */
    public Builder deleteRepositoryAfterDeath(boolean delete) {
      this.deleteRepositoryAfterDeath = delete;
      return this;
    }

    /** Stack depth and ClockSync period. Required. */
    public Builder options(JfrOptions options) {
      this.options = options;
      return this;
    }

    public Builder sink(EventSink sink) {
      this.sink = sink;
      return this;
    }

    /** Names the reader in event headers; default {@code jfr-repository/<node>/<own pid>/<pid>}. */
    public Builder collectorId(String collectorId) {
      this.collectorId = collectorId;
      return this;
    }

    /** GC rate above which collections keep only their GcCycle; 0: off. Default 20. */
    public Builder stormGcsPerSecond(int gcsPerSecond) {
      this.stormGcsPerSecond = gcsPerSecond;
      return this;
    }

    /** How long nothing new must come before a finished stream is closed; default 3 s. */
    public Builder quiet(Duration quiet) {
      this.quiet = quiet;
      return this;
    }

    /** A file keeping the read position, so a restarted reader does not read twice. */
    public Builder positionFile(Path positionFile) {
      this.positionFile = positionFile;
      return this;
    }

    public Builder log(Reporter log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    public RepositoryReader build() {
      Objects.requireNonNull(process, "process");
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(options, "options");
      Objects.requireNonNull(sink, "sink");
      if (repository.getParent() == null) {
        throw new IllegalArgumentException("repository must be a directory inside a base: "
            + repository);
      }
      if (quiet.isNegative() || quiet.isZero()) {
        throw new IllegalArgumentException("quiet must be positive: " + quiet);
      }
      return new RepositoryReader(this);
    }
  }
}
