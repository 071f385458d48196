package io.memfleet.collector.jfr.repository;

import io.memfleet.collector.EventSink;
import io.memfleet.collector.jfr.JfrOptions;
import io.memfleet.collector.jfr.JfrSettings;
import io.memfleet.collector.jfr.attach.ClassHistogram;
import io.memfleet.collector.jfr.attach.RecordingControl;
import io.memfleet.collector.jfr.attach.TargetProcess;
import io.memfleet.collector.jfr.internal.Reporter;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The out-of-process JVM collector of a node: follows memfleet's JFR recording of every JVM it is
 * told about, reading each JVM's repository from outside ({@link RepositoryReader}), so the JVMs
 * run only JFR. The node collector tells it which processes start and exit.
 *
 * <pre>{@code
 * try (JfrRepositoryCollector jvms = JfrRepositoryCollector.builder().options(jfrOptions)
 *     .sink(sink).procRoot(Path.of("/proc")).attach(true).build()) {
 *   jvms.start();
 *   jvms.processStarted(identity);   // from the node scan, for each new process
 *   ...
 * }
 * }</pre>
 *
 * <p>Which JVMs: those started with memfleet's flags, those {@code memfleet attach} onboarded,
 * and — with {@link Builder#attach(boolean) attach} on — every other JVM it is told about, once:
 * it starts memfleet's recording in them through the attach mechanism. A JVM without a recording
 * is looked at again every {@code recheck} (10 s), so one attached later is found. Where the
 * options enable old-object samples, it makes each JVM emit them 15 s after it is followed and
 * then every {@code oldObjectPeriod} — every 10 s while its heap after a collection is above
 * {@value #FULL_HEAP} of its maximum — through the attach mechanism (JFR writes them only when a
 * recording that enables them stops); a JVM that refuses attach just goes without them. In a
 * JVM's first minute, while its live set grows ({@link LiveSetTrend}) and while its heap is
 * {@value #FULL_HEAP} full, it also turns the samples' stack traces on, and off again once none
 * of that holds (see
 * {@link RecordingControl#oldObjectStacks}). A JVM whose direct-buffer pool grows
 * ({@link DirectBufferTrend}) gets memfleet's direct-buffer probe, once
 * ({@link RecordingControl#loadDirectBufferProbe}): JFR has no stack for a direct buffer, and
 * the probe reports which stacks hold the live ones.
 *
 * <p>Threads: one keeper thread ticks every reader twice a second; one onboarding thread locates
 * repositories and attaches (an attach can take seconds); one stream thread per followed JVM.
 * {@link #processStarted} and {@link #processExited} only enqueue, for the node collector's scan
 * thread.
 */
public final class JfrRepositoryCollector implements AutoCloseable {
  /**
   * A heap this full after a collection may run out before the next old-object samples are due
   * (seen: a JVM that filled 128 MiB at 2 MiB/s died 60 s after it started, before its samples
   * had any age): its samples are emitted every {@link #FULL_HEAP_OLD_OBJECT_PERIOD_NANOS}
   * instead, so the alert, and the snapshot of its {@code OutOfMemoryError}, name what it
   * retains.
   */
  static final double FULL_HEAP = 0.8;
  private static final long FULL_HEAP_OLD_OBJECT_PERIOD_NANOS = 10_000_000_000L;
  /** A JVM this young has old-object stacks on: see {@link #switchOldObjectStacks}. */
  static final long YOUNG_JVM_MILLIS = 60_000L;
  /** Recheck delay of a JVM whose recording is declared but whose repository is not there yet. */
  private static final long SOON_NANOS = 300_000_000L;

  private final JfrOptions options;
  private final EventSink sink;
  private final Path procRoot;
  private final List<Path> sharedRoots;
  private final boolean attach;
  private final boolean directBufferProbe;
  private final int stormGcsPerSecond;
  private final Path positionsDir;
  private final Duration recheck;
  private final Reporter log;
  private final String collectorId;
  private final RecordingControl control;
  private final long ownPid = ProcessHandle.current().pid();
  private final ConcurrentLinkedQueue<ProcessIdentity> started = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<ProcessIdentity> exited = new ConcurrentLinkedQueue<>();
  /** JVMs without a recording found yet; onboarding thread only. */
  private final Map<String, Candidate> candidates = new HashMap<>();
  /** Followed JVMs; the map is replaced, never changed, so both threads can read it. */
  private volatile Map<String, Followed> followed = Map.of();
  private final AtomicLong attached = new AtomicLong();
  private final AtomicLong attachFailures = new AtomicLong();
  private final AtomicLong readersEnded = new AtomicLong();
  private final AtomicLong endedEvents = new AtomicLong();
  private final AtomicLong endedPublished = new AtomicLong();
  private final AtomicLong endedStormDrops = new AtomicLong();
  private ScheduledExecutorService keeper;
  private ScheduledExecutorService onboarding;

  /**
   * Counters for the status line.
   *
   * @param following JVMs whose repository is being read
   * @param waiting JVMs without memfleet's recording (looked at again every recheck)
   * @param attached recordings this collector started through the attach mechanism
   * @param attachFailures attach attempts that failed (the log says why, once per JVM)
   * @param ended readers that ended (JVM exited or recording stopped)
   * @param jfrEvents JFR events read
   * @param published memfleet events published
   * @param stormDropped heap summaries, pauses and metaspace readings left out in GC storms
   * @param stacksOn JVMs whose old-object samples carry stacks now (their live set grows)
   * @param probed followed JVMs with the direct-buffer probe loaded (their direct buffers grew)
   */
  public record Status(int following, int waiting, long attached, long attachFailures,
      long ended, long jfrEvents, long published, long stormDropped, int stacksOn, int probed) {}

  private static final class Candidate {
    final ProcessIdentity identity;
    long nextCheckNanos;
    boolean attachTried;
    int soonChecks;
    int earlyRetries;

    Candidate(ProcessIdentity identity) {
      this.identity = identity;
    }
  }

  /**
   * nextOldObjectsNanos: when its old-object samples are due next, and when they were last;
   * stacksOn: whether old-object stacks are on in it, then whether that is known (not before the
   * collector first switched them: the JVM's flags may have turned them on); probed: whether the
   * direct-buffer probe was loaded into it, or loading it was tried (onboarding thread only).
   */
  private record Followed(ProcessIdentity identity, TargetProcess target, RepositoryReader reader,
      RepositoryLocator.How how, long[] nextOldObjectsNanos, boolean[] stacksOn,
      boolean[] probed, long[] histogramNanos) {}

  private JfrRepositoryCollector(Builder b) {
    this.options = b.options;
    this.sink = b.sink;
    this.procRoot = b.procRoot;
    this.sharedRoots = List.copyOf(b.sharedRoots);
    this.attach = b.attach;
    this.directBufferProbe = b.directBufferProbe;
    this.stormGcsPerSecond = b.stormGcsPerSecond;
    this.positionsDir = b.positionsDir;
    this.recheck = b.recheck;
    this.log = b.log;
    this.collectorId = b.collectorId;
    this.control = RecordingControl.builder().settings(JfrSettings.of(options)).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts the keeper and onboarding threads. */
  public synchronized void start() {
    if (keeper != null) {
      throw new IllegalStateException("already started");
    }
    keeper = Executors.newSingleThreadScheduledExecutor(daemon("memfleet-jfr-keeper"));
    onboarding = Executors.newSingleThreadScheduledExecutor(daemon("memfleet-jfr-onboard"));
    keeper.scheduleWithFixedDelay(this::tickReaders, 0, 500, TimeUnit.MILLISECONDS);
    onboarding.scheduleWithFixedDelay(this::onboard, 0, 500, TimeUnit.MILLISECONDS);
  }

  /** A process was found; only JVMs are looked at. Thread-safe, returns at once. */
  public void processStarted(ProcessIdentity identity) {
    if (identity.getRuntime() == Runtime.JVM && identity.getPid() != ownPid) {
      started.add(identity);
    }
  }

  /** A process exited. Thread-safe, returns at once. */
  public void processExited(ProcessIdentity identity) {
    if (identity.getRuntime() == Runtime.JVM) {
      exited.add(identity);
    }
  }

  /** Follows one JVM now, on the calling thread (e.g. right after {@code memfleet attach}). */
  public Optional<RepositoryReader> follow(ProcessIdentity identity) throws IOException {
    return followIfRecording(identity);
  }

  private void onboard() {
    try {
      for (ProcessIdentity id; (id = started.poll()) != null; ) {
        candidates.putIfAbsent(key(id), new Candidate(id));
      }
      for (ProcessIdentity id; (id = exited.poll()) != null; ) {
        candidates.remove(key(id)); // a followed JVM's reader notices the exit itself
      }
      long now = System.nanoTime();
      for (Iterator<Candidate> it = candidates.values().iterator(); it.hasNext(); ) {
        Candidate c = it.next();
        if (now < c.nextCheckNanos) {
          continue;
        }
        c.nextCheckNanos = now + recheck.toNanos();
        if (followed.containsKey(key(c.identity))) {
          it.remove();
        } else if (onboard(c)) {
          it.remove();
        }
      }
      emitOldObjects(now);
      emitClassHistograms(now);
      loadDirectBufferProbes();
    } catch (RuntimeException e) {
      log.once("onboard:" + e.getClass().getName(), "JVM onboarding failed (retrying): " + e);
    }
  }

  /** True when the JVM is followed now, or gone. */
  private boolean onboard(Candidate c) {
    int pid = c.identity.getPid();
    try {
      if (followIfRecording(c.identity).isPresent()) {
        return true;
      }
      if (c.soonChecks < 100
          && RepositoryLocator.declared(TargetProcess.of(procRoot, pid, sharedRoots)).isPresent()) {
        // started with memfleet's flags, JFR not up yet: look again soon (for 30 s), not in 10 s
        c.soonChecks++;
        c.nextCheckNanos = System.nanoTime() + SOON_NANOS;
        return false;
      }
      if (attach && !c.attachTried) {
        c.attachTried = true; // once: a user's detach is not undone
        TargetProcess target = TargetProcess.of(procRoot, pid, sharedRoots);
        RecordingControl.Started s = control.start(target);
        if (!s.alreadyRunning()) {
          attached.incrementAndGet();
        }
        return followIfRecording(c.identity).isPresent();
      }
    } catch (java.nio.file.NoSuchFileException gone) {
      return true;
    } catch (IOException | RuntimeException e) {
      if (c.attachTried && tooYoungForJfr(e) && c.earlyRetries < EARLY_RETRIES) {
        // attached in its first moments, before the JVM registered its JFR commands: once they
        // are there it is attached like any other (a user's detach is still never undone)
        c.attachTried = false;
        c.earlyRetries++;
        c.nextCheckNanos = System.nanoTime() + SOON_NANOS;
        return false;
      }
      if (c.attachTried) {
        attachFailures.incrementAndGet();
      }
      log.once("onboard:" + pid, "JVM pid " + pid + ": " + e.getMessage());
    }
    return false;
  }

  /** Attempts at a JVM that did not know JFR's commands yet, {@link #SOON_NANOS} apart. */
  static final int EARLY_RETRIES = 20;

  /**
   * Whether an attach failed because the JVM had not registered JFR's diagnostic commands yet:
   * it was attached within its first moments (seen: a JDK 25 JVM attached 1 s after its start
   * answered "Unknown diagnostic command" to JFR.check and was never attached again, so its
   * metaspace leak named no code).
   */
  static boolean tooYoungForJfr(Exception e) {
    String m = e.getMessage();
    return m != null && m.contains("Unknown diagnostic command");
  }

  private synchronized Optional<RepositoryReader> followIfRecording(ProcessIdentity id)
      throws IOException {
    Followed known = followed.get(key(id));
    if (known != null) {
      return Optional.of(known.reader());
    }
    TargetProcess target = TargetProcess.of(procRoot, id.getPid(), sharedRoots);
    Optional<RepositoryLocator.Location> where =
        RepositoryLocator.locate(target, id.getProcessStartTimeMs());
    if (where.isEmpty()) {
      return Optional.empty();
    }
    RepositoryReader reader = RepositoryReader.builder().process(id).target(target)
        .repository(where.get().repository())
        .deleteRepositoryAfterDeath(where.get().survivesExit())
        .options(options).sink(sink).stormGcsPerSecond(stormGcsPerSecond).log(log)
        .collectorId(collectorId + "/" + id.getPid())
        .positionFile(positionsDir == null ? null
            : positionsDir.resolve(id.getPid() + "-" + id.getProcessStartTimeMs()))
        .build();
    reader.start();
    Map<String, Followed> next = new HashMap<>(followed);
    next.put(key(id), new Followed(id, target, reader, where.get().how(),
        new long[] {System.nanoTime() + options.firstOldObjectDelay().toNanos(),
            System.nanoTime() - FULL_HEAP_OLD_OBJECT_PERIOD_NANOS}, new boolean[2],
        new boolean[] {RecordingControl.directBufferProbeLoaded(target)},
        new long[] {System.nanoTime(), 0}));
    followed = Map.copyOf(next);
    return Optional.of(reader);
  }

  private void tickReaders() {
    List<String> done = new ArrayList<>();
    for (Map.Entry<String, Followed> e : followed.entrySet()) {
      try {
        if (e.getValue().reader().tick()) {
          done.add(e.getKey());
        }
      } catch (RuntimeException ex) {
        log.once("tick:" + e.getKey(), "reader of " + e.getKey() + " failed: " + ex);
      }
    }
    if (!done.isEmpty()) {
      synchronized (this) {
        Map<String, Followed> next = new HashMap<>(followed);
        for (String k : done) {
          RepositoryReader.Stats s = next.remove(k).reader().stats();
          readersEnded.incrementAndGet();
          endedEvents.addAndGet(s.jfrEvents());
          endedPublished.addAndGet(s.published());
          endedStormDrops.addAndGet(s.stormDropped());
        }
        followed = Map.copyOf(next);
      }
    }
  }

  private void emitOldObjects(long now) {
    if (!options.enabled("oldObjects")) {
      return;
    }
    for (Followed f : followed.values()) {
      long[] times = f.nextOldObjectsNanos();
      if (f.reader().endReason() != null || times[0] == Long.MAX_VALUE) {
        continue;
      }
      switchOldObjectStacks(f);
      if (!oldObjectsDue(now, times[0], times[1], f.reader().signals().heapFullness())) {
        continue;
      }
      times[0] = now + options.oldObjectPeriod().toNanos();
      times[1] = now;
      try {
        control.emitOldObjectSamples(f.target());
      } catch (IOException | RuntimeException e) {
        f.nextOldObjectsNanos()[0] = Long.MAX_VALUE; // refuses attach: no old objects from it
        log.once("old:" + f.identity().getPid(), "no old-object samples from JVM pid "
            + f.identity().getPid() + ": " + e.getMessage());
      }
    }
  }

  /**
   * Class histograms of each followed JVM whose live set grows while its old-object samples
   * showed nothing retained with the stack that allocated it for {@link JvmSignals#RETAINED_QUIET_NANOS}
   * (since it was followed, or since the last such sample; a Shenandoah JVM's samples are not
   * trusted at all), every {@code classHistogramPeriod}: what grows on its heap, by class,
   * where JFR cannot say what it retains — under Shenandoah JFR's leak profiler keeps no sample
   * past its next cycle (JDK-8279016), and the JVM's leak was named by the request garbage it
   * allocates most — or samples it without its code: a leak that begins in a JVM that ran flat
   * past its first minute is sampled without stacks until the collector sees its live set grow
   * ({@link #switchOldObjectStacks}), and such samples name an array class ({@code byte[]}) but
   * no code. A histogram walks the heap at a safepoint; a JVM that refuses attach gets none.
   */
  private void emitClassHistograms(long now) {
    Duration period = options.classHistogramPeriod();
    if (period.isZero() || period.isNegative()) {
      return;
    }
    for (Followed f : followed.values()) {
      long[] times = f.histogramNanos(); // {followed since, last histogram}
      if (f.reader().endReason() != null || times[1] == Long.MAX_VALUE
          || !f.reader().signals().classHistogramDue(now, times[0], times[1], period.toNanos())) {
        continue;
      }
      times[1] = now;
      try {
        List<ClassHistogram.Row> rows = control.classHistogram(f.target());
        long epochNanos = System.currentTimeMillis() * 1_000_000L;
        f.reader().publishClassHistogram(rows, epochNanos);
        log.once("histogram-on:" + f.identity().getPid(), "JVM pid " + f.identity().getPid()
            + ": its live set grows and no old-object sample shows what it retains; taking its"
            + " class histogram every " + period.toSeconds() + " s");
      } catch (IOException | RuntimeException e) {
        times[1] = Long.MAX_VALUE; // refuses attach: no histograms from it
        if (ProcessHandle.of(f.identity().getPid()).map(ProcessHandle::isAlive).orElse(false)) {
          log.once("histogram:" + f.identity().getPid(), "no class histogram of JVM pid "
              + f.identity().getPid() + ": " + e.getMessage());
        }
      }
    }
  }

  /** The direct-buffer probe into each followed JVM whose direct-buffer pool grows, once. */
  private void loadDirectBufferProbes() {
    if (!directBufferProbe || !options.enabled("pools")) {
      return;
    }
    for (Followed f : followed.values()) {
      if (f.probed()[0] || f.reader().endReason() != null
          || !f.reader().signals().directBuffersGrowing()) {
        continue;
      }
      f.probed()[0] = true; // once: a JVM that refuses it goes without
      try {
        control.loadDirectBufferProbe(f.target());
        log.once("probe:" + f.identity().getPid(), "JVM pid " + f.identity().getPid()
            + ": its direct buffers grow; loaded the direct-buffer probe");
      } catch (IOException | RuntimeException e) {
        log.once("probe:" + f.identity().getPid(), "no direct-buffer probe in JVM pid "
            + f.identity().getPid() + ": " + e.getMessage());
      }
    }
  }

  /**
   * Old-object samples carry a stack only in a JVM's first {@link #YOUNG_JVM_MILLIS} ms, while
   * its live set grows ({@link LiveSetTrend}) or while its heap is {@link #FULL_HEAP} full after
   * a collection (a JVM that fills its heap within a minute dies before a trend shows): stacks
   * cost a stack walk at every TLAB refill, and what leaks is what needs one. The first minute
   * is for a leak that starts with its process: its oldest samples — the ones that outlive the
   * sampler's turnover and age past the pipeline's retained bar — are taken then, before any
   * trend can show, and without a stack they name a class but no code (seen: a JVM that filled
   * 128 MiB at 2 MiB/s and died after 60 s kept four samples from its fifth second to the end,
   * all without a stack, and its alert named no culprit). So a JVM started with memfleet's flags
   * has them on from its first allocation ({@link
   * io.memfleet.collector.jfr.MemfleetRecording#jvmFlags}), and this turns them off; in an
   * attached JVM this turns them on as soon as it follows it.
   */
  private void switchOldObjectStacks(Followed f) {
    boolean want = wantsOldObjectStacks(f.reader().signals().liveSetGrowing(),
        f.reader().signals().heapFullness(), f.identity().getProcessStartTimeMs(),
        System.currentTimeMillis());
    if (f.stacksOn()[1] && want == f.stacksOn()[0]) {
      return;
    }
    try {
      control.oldObjectStacks(f.target(), want);
      f.stacksOn()[0] = want;
      f.stacksOn()[1] = true;
    } catch (IOException | RuntimeException e) {
      if (ProcessHandle.of(f.identity().getPid()).map(ProcessHandle::isAlive).orElse(false)) {
        log.once("stacks:" + f.identity().getPid(), "cannot switch old-object stacks of JVM pid "
            + f.identity().getPid() + ": " + e.getMessage());
      } // else it died (its reader ends on the next tick)
    }
  }

  /** See {@link #switchOldObjectStacks}; a start time of 0 or less is unknown. */
  static boolean wantsOldObjectStacks(boolean liveSetGrowing, double heapFullness,
      long processStartMs, long nowMs) {
    return liveSetGrowing || heapFullness >= FULL_HEAP
        || processStartMs > 0 && nowMs - processStartMs < YOUNG_JVM_MILLIS;
  }

  /**
   * Whether a JVM's old-object samples are due: at {@code next}, or sooner while its heap is
   * {@link #FULL_HEAP} full, at most every {@link #FULL_HEAP_OLD_OBJECT_PERIOD_NANOS} after the
   * {@code last} ones; never when {@code next} is {@link Long#MAX_VALUE} (the JVM refused attach).
   */
  static boolean oldObjectsDue(long now, long next, long last, double heapFullness) {
    if (next == Long.MAX_VALUE) {
      return false;
    }
    return now >= next
        || heapFullness >= FULL_HEAP && now - last >= FULL_HEAP_OLD_OBJECT_PERIOD_NANOS;
  }

  public Status status() {
    long events = endedEvents.get();
    long published = endedPublished.get();
    long storm = endedStormDrops.get();
    Map<String, Followed> now = followed;
    int stacksOn = 0;
    int probed = 0;
    for (Followed f : now.values()) {
      RepositoryReader.Stats s = f.reader().stats();
      events += s.jfrEvents();
      published += s.published();
      storm += s.stormDropped();
      stacksOn += f.stacksOn()[0] ? 1 : 0;
      probed += f.probed()[0] && RecordingControl.directBufferProbeLoaded(f.target()) ? 1 : 0;
    }
    return new Status(now.size(), candidates.size(), attached.get(), attachFailures.get(),
        readersEnded.get(), events, published, storm, stacksOn, probed);
  }

  /** The readers of the JVMs followed now. */
  public List<RepositoryReader> readers() {
    return followed.values().stream().map(Followed::reader).toList();
  }

  /**
   * Stops every reader (recordings keep running in the JVMs; a restarted collector resumes from
   * the saved positions) and the threads.
   */
  @Override
  public synchronized void close() {
    for (ScheduledExecutorService e : new ScheduledExecutorService[] {onboarding, keeper}) {
      if (e != null) {
        e.shutdownNow();
        try {
          e.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }
    for (Followed f : followed.values()) {
      f.reader().close();
      if (f.stacksOn()[0]) {
        try {
          control.oldObjectStacks(f.target(), false);
        } catch (IOException | RuntimeException e) {
          // the JVM went away, or refuses attach now: its stacks stay on until it exits
        }
      }
    }
  }

  private static String key(ProcessIdentity id) {
    return id.getPid() + "-" + id.getProcessStartTimeMs();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Validating builder. */
  public static final class Builder {
    private JfrOptions options;
    private EventSink sink;
    private Path procRoot = Path.of("/proc");
    private List<Path> sharedRoots = List.of();
    private boolean attach;
    private boolean directBufferProbe = true;
    private int stormGcsPerSecond = 20;
    private Path positionsDir;
    private Duration recheck = Duration.ofSeconds(10);
    private Reporter log = Reporter.stderr("[memfleet-jfr] ");
    private String collectorId = "jfr-repository/" + ProcessHandle.current().pid();

    /** Stack depth, ClockSync and old-object periods, and the recording's settings. Required. */
    public Builder options(JfrOptions options) {
      this.options = options;
      return this;
    }

    public Builder sink(EventSink sink) {
      this.sink = sink;
      return this;
    }

    public Builder procRoot(Path procRoot) {
      this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
      return this;
    }

    /**
     * Directories mounted at the same path in the JVMs' containers and here (a hostPath volume):
     * repositories under them are read directly and stay readable after the JVM's container is
     * gone.
     */
    public Builder sharedRoots(List<Path> sharedRoots) {
      this.sharedRoots = List.copyOf(sharedRoots);
      return this;
    }

    /** Start memfleet's recording in JVMs that have none (once per JVM). Default off. */
    public Builder attach(boolean attach) {
      this.attach = attach;
      return this;
    }

    /**
     * Whether a JVM whose direct-buffer pool grows gets memfleet's direct-buffer probe
     * ({@link RecordingControl#loadDirectBufferProbe}); default true. Off: no memfleet code is
     * ever loaded into a JVM, and direct-buffer growth names no stack.
     */
    public Builder directBufferProbe(boolean load) {
      this.directBufferProbe = load;
      return this;
    }

    /** See {@link RepositoryReader.Builder#stormGcsPerSecond}; default 20. */
    public Builder stormGcsPerSecond(int gcsPerSecond) {
      this.stormGcsPerSecond = gcsPerSecond;
      return this;
    }

    /** Where read positions are kept across restarts; null: every start reads all retained. */
    public Builder positionsDir(Path positionsDir) {
      this.positionsDir = positionsDir;
      return this;
    }

    /** How often a JVM without a recording is looked at again; default 10 s. */
    public Builder recheck(Duration recheck) {
      this.recheck = Objects.requireNonNull(recheck, "recheck");
      return this;
    }

    public Builder log(Reporter log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /** Prefix of the readers' collector ids (the JVM's pid is appended). */
    public Builder collectorId(String collectorId) {
      this.collectorId = Objects.requireNonNull(collectorId, "collectorId");
      return this;
    }

    public JfrRepositoryCollector build() {
      Objects.requireNonNull(options, "options");
      Objects.requireNonNull(sink, "sink");
      if (recheck.isNegative() || recheck.isZero()) {
        throw new IllegalArgumentException("recheck must be positive: " + recheck);
      }
      return new JfrRepositoryCollector(this);
    }
  }
}
