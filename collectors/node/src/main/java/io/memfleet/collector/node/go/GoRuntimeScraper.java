package io.memfleet.collector.node.go;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.internal.ProcessFinder;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.StackCount;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes Go programs' {@code expvar} and {@code net/http/pprof} pages, all stamped REALTIME:
 * <ul>
 *   <li>{@code /debug/vars} memstats (from a program without expvar: the {@code runtime.MemStats}
 *       block at the end of {@code /debug/pprof/heap?debug=1}, read at every scrape) →
 *       {@link HeapSummary} PERIODIC, {@link MemoryPools}
 *       (source GO_EXPVAR, see {@link GoMemoryPools}) with the GOGC/GOMEMLIMIT/GOMAXPROCS the
 *       process was started with, and for every GC completed since the previous scrape a
 *       {@link GcPause} (from the PauseNs ring) and a {@link GcCycle} (live heap estimated from
 *       the heap goal, see {@link GoMemoryPools#estimatedLiveBytes}; heap after only, HeapAlloc,
 *       when GOMEMLIMIT set the goal) — unless a gctrace follower covers the process, which then
 *       reports each pause and cycle exactly once;
 *   <li>{@code /debug/pprof/goroutine?debug=1} → {@link ThreadCount} GOROUTINES with the
 *       largest groups of parked goroutines by stack;
 *   <li>{@code /debug/pprof/heap?debug=1}, every heap profile interval (sooner when the heap goal
 *       grew by half since the last one) → one {@link Allocation} OUTSTANDING per stack among
 *       the top N by in-use bytes (see {@link HeapProfile} for the scaling), plus one summing
 *       the rest.
 * </ul>
 *
 * <pre>{@code
 * GoRuntimeScraper scraper = new GoRuntimeScraper(targets, identities, finder, headers, sink,
 *     GoRuntimeScraper.Config.defaults().gctraceCovers(p -> followerOf(p) != null));
 * scraper.scrapeAll();   // e.g. once per second from the collector's scheduler
 * }</pre>
 *
 * <p>Targets are configured ({@code --go-target}) or found by {@link GoProgramDiscovery}. A
 * target that does not answer is counted in {@link #failures()} and retried at the next scrape;
 * when a configured one answers again after a restart (NumGC went back) its identity is resolved
 * anew; a discovered one is dropped when its process exits. Not thread-safe: one thread calls
 * {@link #scrapeAll()}, {@link #addDiscovered} and {@link #removeProcess}.
 */
public final class GoRuntimeScraper {
  private static final Logger LOG = LoggerFactory.getLogger(GoRuntimeScraper.class);
  /** Phase name of a pause read from memstats: the cycle's two STW pauses summed. */
  public static final String MEMSTATS_PAUSE_PHASE = "stop-the-world total (memstats)";
  /** Cause of a GcCycle reconstructed from memstats (the cause itself is not reported). */
  public static final String MEMSTATS_CYCLE_CAUSE = "memstats (NumGC advanced)";
  /** Heap goal growth since the last heap profile that has it read before its interval. */
  static final double PROFILE_AGAIN_GROWTH = 1.5;
  /** The least time between two heap profiles of one target, in heap profile intervals. */
  static final int PROFILE_AGAIN_SHARE = 6;

  /**
   * How the scraper works.
   *
   * @param procRoot procfs root, for the targets' environment (GOGC, GOMEMLIMIT)
   * @param timeout connect and read timeout of one request
   * @param heapProfileInterval how often each target's heap profile is read
   * @param topStacks stacks kept per heap and goroutine profile
   * @param gctraceCovers true for a process whose gctrace a follower reads: no GcPause/GcCycle
   *     from memstats for it
   */
  public record Config(Path procRoot, Duration timeout, Duration heapProfileInterval,
      int topStacks, Predicate<ProcessIdentity> gctraceCovers) {
    public static Config defaults() {
      return new Config(Path.of("/proc"), Duration.ofSeconds(2), Duration.ofSeconds(30), 16,
          p -> false);
    }

    public Config gctraceCovers(Predicate<ProcessIdentity> covers) {
      return new Config(procRoot, timeout, heapProfileInterval, topStacks, covers);
    }
  }

  private final List<TargetState> targets = new ArrayList<>();
  private final ProcessIdentities identities;
  private final ProcessFinder finder;
  private final EventHeaders headers;
  private final EventSink sink;
  private final Config config;
  private final HttpClient http;
  private final AtomicLong scrapes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong profileMalformed = new AtomicLong();
  private final AtomicLong discovered = new AtomicLong();

  private static final class TargetState {
    final GoTarget target;
    final boolean discovered;
    final boolean expvar;
    final boolean pprof;
    ProcessIdentity identity;
    GoEnvironment env = GoEnvironment.NONE;
    long lastNumGc = -1;
    long lastNextGc = -1;
    /** When the heap profile is due; it was last read one heap profile interval before. */
    long nextHeapProfileNs = System.nanoTime();
    /** The heap goal when the heap profile was last read, 0 before. */
    long profiledNextGc;
    boolean failing;

    TargetState(GoTarget target, boolean discovered, boolean expvar, boolean pprof) {
      this.target = target;
      this.discovered = discovered;
      this.expvar = expvar;
      this.pprof = pprof;
    }
  }

  /** Configured targets, default settings (no gctrace coverage). */
  public GoRuntimeScraper(List<GoTarget> targets, ProcessIdentities identities,
      ProcessFinder finder, EventHeaders headers, EventSink sink, Duration timeout) {
    this(targets, identities, finder, headers, sink, new Config(Path.of("/proc"), timeout,
        Duration.ofSeconds(30), 16, p -> false));
  }

  public GoRuntimeScraper(List<GoTarget> targets, ProcessIdentities identities,
      ProcessFinder finder, EventHeaders headers, EventSink sink, Config config) {
    targets.forEach(t -> this.targets.add(new TargetState(t, false, true, true)));
    this.identities = identities;
    this.finder = finder;
    this.headers = headers;
    this.sink = sink;
    this.config = config;
    this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
  }

  /**
   * Adds a target found by discovery, for the process {@code identity}; {@code expvar} and
   * {@code pprof} say which pages answered.
   */
  public void addDiscovered(GoTarget target, ProcessIdentity identity, boolean expvar,
      boolean pprof) {
    TargetState t = new TargetState(target, true, expvar, pprof);
    t.identity = goIdentity(identity, target.name());
    t.env = GoEnvironment.read(config.procRoot().resolve(identity.getPid() + "/environ"));
    targets.add(t);
    discovered.incrementAndGet();
  }

  /** Drops the discovered targets of process {@code pid} (it exited). */
  public void removeProcess(int pid) {
    targets.removeIf(t -> {
      boolean gone = t.discovered && t.identity.getPid() == pid;
      if (gone) {
        discovered.decrementAndGet();
      }
      return gone;
    });
  }

  /** True when some target, configured or discovered, already scrapes process {@code pid}. */
  public boolean scrapesPid(int pid) {
    for (TargetState t : targets) {
      if (t.identity != null ? t.identity.getPid() == pid
          : t.target.pid().isPresent() && t.target.pid().getAsInt() == pid) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when a target already scrapes this URL (a configured one, or found before): the same
   * port on the same host, counting 127.0.0.1, localhost and [::1] as one.
   */
  public boolean scrapesUrl(java.net.URI base) {
    for (TargetState t : targets) {
      java.net.URI u = t.target.baseUrl();
      if (t.target.port() == (base.getPort() > 0 ? base.getPort() : 80)
          && (u.getHost().equalsIgnoreCase(base.getHost())
              || loopback(u.getHost()) && loopback(base.getHost()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean loopback(String host) {
    return host.startsWith("127.") || host.equalsIgnoreCase("localhost")
        || host.equals("[::1]") || host.equals("::1");
  }

  /** Scrapes every target once. */
  public void scrapeAll() {
    for (TargetState t : List.copyOf(targets)) {
      scrapes.incrementAndGet();
      try {
        scrape(t);
        t.failing = false;
      } catch (IOException | IllegalArgumentException e) {
        failures.incrementAndGet();
        if (!t.failing) {
          LOG.warn("Go target {} ({}) failed: {}", t.target.name(), t.target.baseUrl(),
              e.toString());
        }
        t.failing = true;
        if (!t.discovered) {
          t.identity = null; // it may come back as a new process
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void scrape(TargetState t) throws IOException, InterruptedException {
    ExpvarMemStats m = null;
    String heapProfile = null;
    long nowNs = epochNanos();
    if (t.expvar) {
      m = ExpvarMemStats.parse(get(t.target.varsUrl()));
      nowNs = epochNanos();
    } else if (t.pprof) {
      // no expvar (most Go services import net/http/pprof alone): the heap profile's text ends
      // with runtime.MemStats, the same figures
      try {
        heapProfile = get(t.target.heapProfileUrl());
        nowNs = epochNanos();
        m = ExpvarMemStats.parseHeapProfile(heapProfile);
      } catch (IOException | IllegalArgumentException e) {
        profileMalformed.incrementAndGet();
        LOG.debug("no memstats in the heap profile at {}: {}", t.target.heapProfileUrl(),
            e.toString());
      }
    }
    if (t.identity == null || m != null && m.numGc() < t.lastNumGc) {
      if (!t.discovered) {
        t.identity = resolve(t.target);
        t.env = GoEnvironment.read(
            config.procRoot().resolve(t.identity.getPid() + "/environ"));
      }
      t.lastNumGc = m == null ? -1 : m.numGc(); // baseline: earlier cycles are history
      t.lastNextGc = m == null ? -1 : m.nextGc();
    }
    ProcessIdentity p = t.identity;
    OptionalLong goroutines = OptionalLong.empty();
    String goroutineBody = null;
    if (t.pprof) {
      try {
        goroutineBody = get(t.target.goroutinesUrl());
        goroutines = GoroutineProfile.total(goroutineBody);
      } catch (IOException e) {
        // pprof not mounted: memstats alone are still worth publishing
        LOG.debug("no goroutine profile at {}: {}", t.target.goroutinesUrl(), e.toString());
      }
    }
    if (m != null) {
      publishMemStats(t, p, m, goroutines, nowNs);
    }
    if (goroutines.isPresent()) {
      GoroutineProfile.Groups groups = GoroutineProfile.groups(goroutineBody, config.topStacks());
      profileMalformed.addAndGet(groups.malformedLines());
      List<StackCount> stacks = new ArrayList<>();
      for (GoroutineProfile.Group g : groups.groups()) {
        stacks.add(StackCount.newBuilder()
            .setStack(GoStacks.of(g.frames(), g.truncated())).setCount(g.count()).build());
      }
      sink.publish(ThreadCount.newBuilder()
          .setHeader(headers.next(p, Source.GO_EXPVAR, ClockDomain.REALTIME, epochNanos()))
          .setKind(ThreadKind.GOROUTINES)
          .setCount(goroutines.getAsLong())
          .setStacks(stacks)
          .build());
    }
    long now = System.nanoTime();
    if (t.pprof && (now - t.nextHeapProfileNs >= 0 || heapOutgrewProfile(t, m, now))) {
      t.nextHeapProfileNs = now + config.heapProfileInterval().toNanos();
      t.profiledNextGc = m == null ? 0 : m.nextGc();
      publishHeapProfile(t, p, heapProfile);
    }
  }

  /**
   * Whether the heap goal has grown {@value #PROFILE_AGAIN_GROWTH} times since the heap profile
   * was last read, at least a {@value #PROFILE_AGAIN_SHARE}th of its interval ago (5 s of the
   * default 30): the profile is then read before its interval is up, so a heap racing to its
   * limit is named by what it holds now — a profile from when the heap was a tenth of today's
   * names what the program did at start. The goal follows the live heap (GOGC); one the memory
   * limit set does not, and waits for the interval.
   */
  private boolean heapOutgrewProfile(TargetState t, ExpvarMemStats m, long nowNs) {
    long interval = config.heapProfileInterval().toNanos();
    long lastReadNs = t.nextHeapProfileNs - interval;
    return m != null && t.profiledNextGc > 0
        && nowNs - lastReadNs >= interval / PROFILE_AGAIN_SHARE
        && m.nextGc() >= PROFILE_AGAIN_GROWTH * t.profiledNextGc
        && !GoMemoryPools.goalSetByMemoryLimit(m, t.env.memoryLimitBytes());
  }

  private void publishMemStats(TargetState t, ProcessIdentity p, ExpvarMemStats m,
      OptionalLong goroutines, long nowNs) {
    OptionalLong limit = t.env.memoryLimitBytes();
    sink.publish(HeapSummary.newBuilder()
        .setHeader(headers.next(p, Source.GO_EXPVAR, ClockDomain.REALTIME, nowNs))
        .setPhase(HeapPhase.PERIODIC)
        .setGcId(null)
        .setUsedBytes(m.heapAlloc())
        .setCommittedBytes(m.heapSys())
        .setMaxBytes(limit.isPresent() ? limit.getAsLong() : null)
        .setNextGcBytes(m.nextGc())
        .setObjects(m.heapObjects())
        .build());
    sink.publish(MemoryPools.newBuilder()
        .setHeader(headers.next(p, Source.GO_EXPVAR, ClockDomain.REALTIME, nowNs))
        .setPools(GoMemoryPools.of(m, goroutines, limit))
        .setSettings(new LinkedHashMap<>(t.env.settings()))
        .build());
    if (!config.gctraceCovers().test(p)) {
      publishCycles(t, p, m);
    }
    t.lastNumGc = m.numGc();
    t.lastNextGc = m.nextGc();
  }

  /**
   * One GcPause and one GcCycle per GC completed since the previous scrape. Memstats show the
   * heap only as of now, so only the newest cycle carries the live-heap estimate and the heap
   * goal; cycles overtaken between two scrapes carry the same heap figures and no live bytes.
   * heapBefore is the previous heap goal (a cycle runs while the heap grows toward it), heapAfter
   * the live estimate (HeapAlloc when there is none); the cycle is stamped at the start of its
   * pauses, and durationNs is the pause total — a lower bound, memstats have no cycle duration.
   */
  private void publishCycles(TargetState t, ProcessIdentity p, ExpvarMemStats m) {
    List<ExpvarMemStats.Pause> pauses = m.pausesAfter(t.lastNumGc);
    if (pauses.isEmpty()) {
      return;
    }
    // a goal the memory limit set says nothing of the live heap: heap after is then HeapAlloc
    // read just after the cycle, at most one scrape interval of allocation above the live heap
    OptionalLong live = GoMemoryPools.goalSetByMemoryLimit(m, t.env.memoryLimitBytes())
        ? OptionalLong.empty()
        : GoMemoryPools.estimatedLiveBytes(m.nextGc(), t.env.gogcPercent());
    long after = live.isPresent() ? live.getAsLong() : m.heapAlloc();
    long before = t.lastNextGc > 0 ? t.lastNextGc : after;
    for (ExpvarMemStats.Pause pause : pauses) {
      boolean newest = pause.gcNumber() == m.numGc();
      sink.publish(GcPause.newBuilder()
          .setHeader(headers.next(p, Source.GO_EXPVAR, ClockDomain.REALTIME,
              pause.startEpochNs()))
          .setGcId(pause.gcNumber())
          .setPhase(MEMSTATS_PAUSE_PHASE)
          .setDurationNs(pause.durationNs())
          .build());
      sink.publish(GcCycle.newBuilder()
          .setHeader(headers.next(p, Source.GO_EXPVAR, ClockDomain.REALTIME,
              pause.startEpochNs()))
          .setGcId(pause.gcNumber())
          .setCollectorName("go")
          .setCause(MEMSTATS_CYCLE_CAUSE)
          .setGeneration(GcGeneration.CONCURRENT)
          .setHeapBeforeBytes(before)
          .setHeapAfterBytes(after)
          .setLiveBytes(newest && live.isPresent() ? live.getAsLong() : null)
          .setHeapGoalBytes(newest ? m.nextGc() : null)
          .setDurationNs(pause.durationNs())
          .setSumOfPausesNs(pause.durationNs())
          .setForced(false)
          .setGcCpuFraction(m.gcCpuFraction())
          .build());
    }
  }

  /** Publishes the heap profile's top stacks: from {@code body} when this scrape read it. */
  private void publishHeapProfile(TargetState t, ProcessIdentity p, String body)
      throws InterruptedException {
    HeapProfile profile;
    try {
      profile = HeapProfile.parse(body != null ? body : get(t.target.heapProfileUrl()));
    } catch (IOException | IllegalArgumentException e) {
      profileMalformed.incrementAndGet();
      LOG.debug("no heap profile at {}: {}", t.target.heapProfileUrl(), e.toString());
      return;
    }
    profileMalformed.addAndGet(profile.malformedLines());
    long now = epochNanos();
    for (HeapProfile.StackUsage s : profile.top(config.topStacks())) {
      sink.publish(Allocation.newBuilder()
          .setHeader(headers.next(p, Source.GO_EXPVAR, ClockDomain.REALTIME, now))
          .setKind(AllocationKind.OUTSTANDING)
          .setSizeBytes(s.sampledBytes())
          .setWeightBytes(s.inUseBytes())
          .setStack(GoStacks.of(s.frames(), s.truncated()))
          .setOutstandingBytes(s.inUseBytes())
          .build());
    }
  }

  private ProcessIdentity resolve(GoTarget target) throws IOException {
    OptionalInt pid = target.pid().isPresent() ? target.pid() : finder.listeningOn(target.port());
    if (pid.isEmpty()) {
      throw new IOException("no process listens on port " + target.port()
          + " (give the pid: NAME=URL,pid=PID)");
    }
    return goIdentity(identities.forPid(pid.getAsInt()), target.name());
  }

  private static ProcessIdentity goIdentity(ProcessIdentity id, String name) {
    return ProcessIdentity.newBuilder(id).setRuntime(Runtime.GO)
        .setService(id.getService() != null ? id.getService() : name)
        .build();
  }

  private String get(java.net.URI uri) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(uri).timeout(config.timeout()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " from " + uri);
    }
    return r.body();
  }

  static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  public long scrapes() {
    return scrapes.get();
  }

  public long failures() {
    return failures.get();
  }

  /** Go targets found by discovery and being scraped now. */
  public long discoveredTargets() {
    return discovered.get();
  }

  /** Unreadable goroutine/heap profiles and malformed lines in them. */
  public long profileMalformed() {
    return profileMalformed.get();
  }
}
