package io.memfleet.collector.node.go;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.FakeProcTree;
import io.memfleet.collector.node.Golden;
import io.memfleet.collector.node.internal.ProcessFinder;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scraper against a loopback HTTP server that answers with the pages captured from the Go
 * demo (golden files), over a fake procfs for the process's environment: pools, GC cycles from
 * memstats, stacks, discovery — and no double counting when gctrace covers the process.
 */
class GoRuntimeScraperTest {
  private static final int PID = 4242;
  @TempDir Path dir;
  private HttpServer server;
  private final AtomicReference<String> vars = new AtomicReference<>();
  private final AtomicReference<String> heapPage =
      new AtomicReference<>(Golden.read("go/heap-debug1-demo.txt"));
  private final java.util.concurrent.atomic.AtomicInteger heapReads =
      new java.util.concurrent.atomic.AtomicInteger();
  private final RecordingEventSink sink = new RecordingEventSink();
  private FakeProcTree tree;
  private ProcessIdentities identities;

  @BeforeEach
  void serve() throws Exception {
    vars.set(Golden.read("go/expvar-demo-gogc200.json"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      String body = switch (path) {
        case "/debug/vars" -> vars.get();
        case "/debug/pprof/" -> Golden.read("go/pprof-index-demo.html");
        case "/debug/pprof/goroutine" -> Golden.read("go/goroutine-debug1-nogctrace.txt");
        case "/debug/pprof/heap" -> {
          heapReads.incrementAndGet();
          yield heapPage.get();
        }
        default -> null;
      };
      byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length == 0 ? -1 : bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
    tree = new FakeProcTree(dir).process(PID, "demo", 100, 4096, 5, "/", true);
    Files.write(tree.proc.resolve(PID + "/environ"),
        Golden.read("go/demo-gogc200.environ").getBytes(StandardCharsets.UTF_8));
    identities = ProcessIdentities.builder().procRoot(tree.proc).build();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private GoRuntimeScraper scraper(boolean gctraceCovers) {
    return scraper(gctraceCovers, Duration.ofSeconds(30));
  }

  private GoRuntimeScraper scraper(boolean gctraceCovers, Duration heapProfileInterval) {
    return new GoRuntimeScraper(
        List.of(GoTarget.parse("demo=" + base() + ",pid=" + PID)), identities,
        new ProcessFinder(tree.proc), new EventHeaders("test"), sink,
        new GoRuntimeScraper.Config(tree.proc, Duration.ofSeconds(2), heapProfileInterval, 4,
            p -> gctraceCovers && p.getPid() == PID));
  }

  /** The captured page with the heap goal (34809184 in the capture) at {@code nextGc}. */
  private void heapGoal(long nextGc) {
    vars.set(vars.get().replaceFirst("\"NextGC\":\\d+", "\"NextGC\":" + nextGc));
  }

  /** The captured page with NumGC moved on by two cycles (their pauses are in the ring). */
  private void advanceTwoCycles() {
    vars.set(vars.get().replace("\"NumGC\":6", "\"NumGC\":8"));
  }

  @Test
  void memstatsGiveHeapPoolsAndOneCyclePerCompletedGc() {
    GoRuntimeScraper s = scraper(false);
    s.scrapeAll(); // baseline: cycles before the first scrape are history
    assertThat(sink.eventsOf(GcCycle.class)).isEmpty();
    advanceTwoCycles();
    s.scrapeAll();
    assertThat(s.failures()).isZero();

    List<GcCycle> cycles = sink.eventsOf(GcCycle.class);
    assertThat(cycles).extracting(GcCycle::getGcId).containsExactly(7L, 8L);
    GcCycle newest = cycles.get(1);
    assertThat(newest.getHeader().getSource()).isEqualTo(Source.GO_EXPVAR);
    assertThat(newest.getGeneration()).isEqualTo(GcGeneration.CONCURRENT);
    assertThat(newest.getHeapGoalBytes()).isEqualTo(34809184L);
    assertThat(newest.getLiveBytes()).isEqualTo(Math.round(34809184 / 3.0)); // GOGC=200
    assertThat(newest.getSumOfPausesNs()).isNotNull(); // ring slots 7, 8 are 0 in the capture
    assertThat(cycles.get(0).getLiveBytes()).isNull(); // overtaken: no heap figure of its own
    assertThat(sink.eventsOf(GcPause.class)).extracting(GcPause::getGcId)
        .containsExactly(7L, 8L);

    HeapSummary heap = sink.eventsOf(HeapSummary.class).get(0);
    assertThat(heap.getMaxBytes()).isEqualTo(256L << 20); // GOMEMLIMIT
    MemoryPools pools = sink.eventsOf(MemoryPools.class).get(0);
    assertThat(pools.getHeader().getSource()).isEqualTo(Source.GO_EXPVAR);
    assertThat(pools.getPools()).extracting(p -> p.getPool()).containsExactly(MemoryPool.HEAP,
        MemoryPool.HEAP_RELEASED, MemoryPool.GOROUTINE_STACKS, MemoryPool.GC_METADATA,
        MemoryPool.RUNTIME_OTHER);
    assertThat(pools.getPools().get(2).getCount()).isPositive();
    assertThat(pools.getSettings()).containsEntry("GOGC", "200")
        .containsEntry("GOMEMLIMIT", "256MiB").containsEntry("GOMAXPROCS", "2");

    ThreadCount goroutines = sink.eventsOf(ThreadCount.class).get(0);
    assertThat(goroutines.getKind()).isEqualTo(ThreadKind.GOROUTINES);
    assertThat(goroutines.getStacks()).hasSizeLessThanOrEqualTo(5);
    assertThat(goroutines.getStacks().get(0).getStack().getFrames())
        .containsExactly("main.leakGoroutine.func1");
    assertThat(goroutines.getStacks().stream().mapToLong(c -> c.getCount()).sum())
        .isEqualTo(goroutines.getCount());

    // heap profile: read at the first scrape, then every 30 s
    List<Allocation> held = sink.eventsOf(Allocation.class);
    assertThat(held).isNotEmpty().allSatisfy(a -> {
      assertThat(a.getKind()).isEqualTo(AllocationKind.OUTSTANDING);
      assertThat(a.getHeader().getSource()).isEqualTo(Source.GO_EXPVAR);
      assertThat(a.getOutstandingBytes()).isPositive();
    });
    assertThat(held.get(0).getStack().getFrames().get(0)).isEqualTo("main.leakHeap");
    assertThat(held.get(0).getStack().getHash())
        .isEqualTo(GoStacks.hash(held.get(0).getStack().getFrames()));
    assertThat(held).hasSizeLessThanOrEqualTo(5);
  }

  @Test
  void aProgramServingPprofWithoutExpvarHasItsMemstatsFromTheHeapProfile() throws Exception {
    // most Go services import net/http/pprof alone: /debug/vars answers 404
    vars.set(null);
    GoRuntimeScraper s = new GoRuntimeScraper(List.of(), identities,
        new ProcessFinder(tree.proc), new EventHeaders("test"), sink,
        new GoRuntimeScraper.Config(tree.proc, Duration.ofSeconds(2), Duration.ofSeconds(30), 4,
            p -> false));
    ProcessIdentity go = ProcessIdentity.newBuilder(identities.forPid(PID))
        .setRuntime(Runtime.GO).build();
    s.addDiscovered(GoTarget.parse("demo=" + base()), go, false, true);
    s.scrapeAll(); // a discovered program: its cycles since it started, from the pause buffer
    heapPage.set(heapPage.get().replace("# NumGC = 6", "# NumGC = 8"));
    s.scrapeAll();
    assertThat(s.failures()).isZero();
    assertThat(heapReads.get()).as("one read a scrape, the profile's stacks from the first")
        .isEqualTo(2);

    assertThat(sink.eventsOf(HeapSummary.class)).hasSize(2).allSatisfy(h -> {
      assertThat(h.getUsedBytes()).isEqualTo(21444544L);
      assertThat(h.getNextGcBytes()).isEqualTo(34809184L);
      assertThat(h.getMaxBytes()).isEqualTo(256L << 20); // GOMEMLIMIT from the environ
    });
    assertThat(sink.eventsOf(GcCycle.class)).extracting(GcCycle::getGcId)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(sink.eventsOf(GcCycle.class).get(7).getLiveBytes())
        .isEqualTo(Math.round(34809184 / 3.0)); // GOGC=200
    assertThat(sink.eventsOf(MemoryPools.class)).hasSize(2);
    assertThat(sink.eventsOf(Allocation.class)).isNotEmpty();
    assertThat(sink.eventsOf(ThreadCount.class)).hasSize(2);
  }

  @Test
  void theHeapProfileIsReadSoonerWhenTheHeapGoalGrewByHalf() throws Exception {
    // interval 3 s: read again at the soonest 0.5 s after the last read
    GoRuntimeScraper s = scraper(false, Duration.ofSeconds(3));
    s.scrapeAll();
    assertThat(heapReads.get()).isEqualTo(1);
    heapGoal(34809184L * 2);
    s.scrapeAll(); // grown, but too soon after the last read
    assertThat(heapReads.get()).isEqualTo(1);
    Thread.sleep(600);
    heapGoal(34809184L * 14 / 10);
    s.scrapeAll(); // 1.4 times the goal of the last read: not yet
    assertThat(heapReads.get()).isEqualTo(1);
    heapGoal(34809184L * 15 / 10);
    s.scrapeAll();
    assertThat(heapReads.get()).isEqualTo(2);
    Thread.sleep(600);
    s.scrapeAll(); // the goal has not grown since that read
    assertThat(heapReads.get()).isEqualTo(2);
  }

  @Test
  void aGoalSetByTheMemoryLimitGivesTheHeapAfterTheCycleNotAnEstimate() throws Exception {
    // the capture's goal is 33.2 MiB with 11.1 MiB outside the heap: under a 45 MiB limit the
    // runtime's cap (45 − 11.1, less headroom) set it, and goal / (1 + GOGC/100) says nothing
    Files.write(tree.proc.resolve(PID + "/environ"),
        "GOGC=200\0GOMEMLIMIT=45MiB\0".getBytes(StandardCharsets.UTF_8));
    GoRuntimeScraper s = scraper(false);
    s.scrapeAll();
    advanceTwoCycles();
    s.scrapeAll();

    GcCycle newest = sink.eventsOf(GcCycle.class).get(1);
    assertThat(newest.getHeapGoalBytes()).isEqualTo(34809184L);
    assertThat(newest.getLiveBytes()).isNull();
    assertThat(newest.getHeapAfterBytes()).isEqualTo(22251776L); // HeapAlloc of the scrape
  }

  @Test
  void noPausesOrCyclesFromMemstatsWhenGctraceCoversTheProcess() {
    GoRuntimeScraper s = scraper(true);
    s.scrapeAll();
    advanceTwoCycles();
    s.scrapeAll();
    assertThat(sink.eventsOf(GcCycle.class)).isEmpty();
    assertThat(sink.eventsOf(GcPause.class)).isEmpty();
    assertThat(sink.eventsOf(HeapSummary.class)).hasSize(2); // the rest still comes
    assertThat(sink.eventsOf(MemoryPools.class)).hasSize(2);
  }

  @Test
  void discoveryFindsTheProgramOnItsListeningPort() throws Exception {
    int port = server.getAddress().getPort();
    Path proc = tree.proc.resolve(Integer.toString(PID));
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net/tcp"), String.format(
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid"
            + "  timeout inode\n   0: 0100007F:%04X 00000000:0000 0A 00000000:00000000"
            + " 00:00000000 00000000     0        0 5555 1 0 100 0 0 10 0\n"
            + "   1: 0100007F:0001 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
            + "     0        0 6666 1 0 100 0 0 10 0\n", port), StandardCharsets.UTF_8);
    Files.createDirectories(proc.resolve("fd"));
    Files.createSymbolicLink(proc.resolve("fd/3"), Path.of("socket:[5555]"));
    // inode 6666 (port 1) belongs to another process: not probed

    GoRuntimeScraper s = new GoRuntimeScraper(List.of(), identities,
        new ProcessFinder(tree.proc), new EventHeaders("test"), sink,
        new GoRuntimeScraper.Config(tree.proc, Duration.ofSeconds(2), Duration.ofSeconds(30), 4,
            p -> false));
    GoProgramDiscovery d = new GoProgramDiscovery(tree.proc, Duration.ofSeconds(30),
        Duration.ofMillis(500));
    ProcessIdentity native_ = identities.forPid(PID);
    d.started(PID, ProcessIdentity.newBuilder(native_).setRuntime(Runtime.NATIVE).build());
    d.discover(s);
    assertThat(d.candidates()).isZero(); // only Go binaries are probed

    d.started(PID, ProcessIdentity.newBuilder(native_).setRuntime(Runtime.GO).build());
    d.discover(s);
    assertThat(d.probes()).isEqualTo(1);
    assertThat(s.discoveredTargets()).isEqualTo(1);
    d.discover(s); // not due again, and the port is remembered
    assertThat(d.probes()).isEqualTo(1);

    s.scrapeAll();
    assertThat(sink.eventsOf(HeapSummary.class)).hasSize(1);
    assertThat(sink.eventsOf(HeapSummary.class).get(0).getHeader().getProcess().getRuntime())
        .isEqualTo(Runtime.GO);
    assertThat(sink.eventsOf(ThreadCount.class)).hasSize(1);

    d.exited(PID, ProcessIdentity.newBuilder(native_).setRuntime(Runtime.GO).build());
    d.discover(s);
    assertThat(s.discoveredTargets()).isZero();
    sink.clear();
    s.scrapeAll();
    assertThat(sink.events()).isEmpty();
  }

  @Test
  void portsThatAreNotGoHandlersAreRememberedAndNotProbedAgain() throws Exception {
    server.removeContext("/");
    server.createContext("/", ex -> {
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    int port = server.getAddress().getPort();
    Path proc = tree.proc.resolve(Integer.toString(PID));
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net/tcp"), String.format(
        "header\n   0: 00000000:%04X 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
            + "     0        0 5555 1 0 100 0 0 10 0\n", port));
    Files.createDirectories(proc.resolve("fd"));
    Files.createSymbolicLink(proc.resolve("fd/3"), Path.of("socket:[5555]"));
    long[] now = {0};
    GoRuntimeScraper s = new GoRuntimeScraper(List.of(), identities,
        new ProcessFinder(tree.proc), new EventHeaders("test"), sink,
        GoRuntimeScraper.Config.defaults());
    GoProgramDiscovery d = new GoProgramDiscovery(tree.proc, Duration.ofSeconds(30),
        Duration.ofMillis(500), () -> now[0]);
    d.started(PID, ProcessIdentity.newBuilder(identities.forPid(PID))
        .setRuntime(Runtime.GO).build());
    d.discover(s);
    assertThat(d.probes()).isEqualTo(1);
    now[0] += Duration.ofMinutes(5).toNanos();
    d.discover(s); // listed again, the same port: not probed again
    assertThat(d.probes()).isEqualTo(1);
    assertThat(d.found()).isZero();
  }

  /** The fake process {@link #PID} listening on loopback {@code port} (socket inode 5555). */
  private void listensOn(int port) throws Exception {
    Path proc = tree.proc.resolve(Integer.toString(PID));
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net/tcp"), String.format(
        "header\n   0: 0100007F:%04X 00000000:0000 0A 00000000:00000000 00:00000000 00000000"
            + "     0        0 5555 1 0 100 0 0 10 0\n", port));
    Files.createDirectories(proc.resolve("fd"));
    Files.createSymbolicLink(proc.resolve("fd/3"), Path.of("socket:[5555]"));
  }

  /**
   * A started server on loopback that answers as the fake Go program does, 600 ms late for the
   * paths {@code stalls} says.
   */
  private HttpServer slowProxy(java.util.function.Predicate<String> stalls) throws Exception {
    HttpServer slow = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    slow.setExecutor(Executors.newCachedThreadPool());
    slow.createContext("/", ex -> {
      try {
        if (stalls.test(ex.getRequestURI().getPath())) {
          Thread.sleep(600);
        }
        URI local = URI.create(base() + ex.getRequestURI().getPath());
        byte[] bytes = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(local).build(),
            HttpResponse.BodyHandlers.ofByteArray()).body();
        ex.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
        ex.getResponseBody().write(bytes);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        ex.close();
      }
    });
    slow.start();
    return slow;
  }

  @Test
  void aPortThatDidNotAnswerInTimeIsProbedAgainAtTheNextListing() throws Exception {
    // a program just started on a busy node: it listens, but answers after the probe gave up
    AtomicBoolean stalled = new AtomicBoolean(true);
    HttpServer slow = slowProxy(path -> stalled.get());
    try {
      listensOn(slow.getAddress().getPort());
      long[] now = {0};
      GoRuntimeScraper s = new GoRuntimeScraper(List.of(), identities,
          new ProcessFinder(tree.proc), new EventHeaders("test"), sink,
          GoRuntimeScraper.Config.defaults());
      GoProgramDiscovery d = new GoProgramDiscovery(tree.proc, Duration.ofSeconds(30),
          Duration.ofMillis(200), () -> now[0]);
      d.started(PID, ProcessIdentity.newBuilder(identities.forPid(PID))
          .setRuntime(Runtime.GO).build());
      d.discover(s);
      assertThat(d.probes()).isEqualTo(1);
      assertThat(d.found()).isZero();

      stalled.set(false);
      now[0] += Duration.ofSeconds(2).toNanos();
      d.discover(s);
      assertThat(d.probes()).as("probed again").isEqualTo(2);
      assertThat(d.found()).isEqualTo(1);
      assertThat(s.discoveredTargets()).isEqualTo(1);
    } finally {
      slow.stop(0);
    }
  }

  @Test
  void anEndpointSlowerThanTheProbeIsAskedAgainWhenTheOtherAnswered() throws Exception {
    // a busy program: its pprof index answers within the probe, /debug/vars (memstats: a
    // stop-the-world read) only after it; without expvar no heap figure would ever be read
    HttpServer slow = slowProxy(path -> path.equals("/debug/vars"));
    try {
      listensOn(slow.getAddress().getPort());
      GoRuntimeScraper s = new GoRuntimeScraper(List.of(), identities,
          new ProcessFinder(tree.proc), new EventHeaders("test"), sink,
          GoRuntimeScraper.Config.defaults());
      GoProgramDiscovery d = new GoProgramDiscovery(tree.proc, Duration.ofSeconds(30),
          Duration.ofMillis(200), Duration.ofSeconds(2));
      d.started(PID, ProcessIdentity.newBuilder(identities.forPid(PID))
          .setRuntime(Runtime.GO).build());
      d.discover(s);
      assertThat(d.found()).isEqualTo(1);
      s.scrapeAll();
      assertThat(sink.eventsOf(HeapSummary.class)).as("memstats scraped").hasSize(1);
    } finally {
      slow.stop(0);
    }
  }

  @Test
  void aPortThatNeverAnswersIsGivenUpAfterItsProbes() throws Exception {
    int closed;
    try (ServerSocket probe = new ServerSocket(0, 1,
        InetAddress.getLoopbackAddress())) {
      closed = probe.getLocalPort();
    }
    listensOn(closed); // the table says it listens; connecting is refused
    long[] now = {0};
    GoRuntimeScraper s = new GoRuntimeScraper(List.of(), identities,
        new ProcessFinder(tree.proc), new EventHeaders("test"), sink,
        GoRuntimeScraper.Config.defaults());
    GoProgramDiscovery d = new GoProgramDiscovery(tree.proc, Duration.ofSeconds(30),
        Duration.ofMillis(200), () -> now[0]);
    d.started(PID, ProcessIdentity.newBuilder(identities.forPid(PID))
        .setRuntime(Runtime.GO).build());
    for (int i = 0; i < 2 * GoProgramDiscovery.MAX_PROBES_PER_PORT; i++) {
      d.discover(s);
      now[0] += Duration.ofMinutes(1).toNanos();
    }
    assertThat(d.probes()).isEqualTo(GoProgramDiscovery.MAX_PROBES_PER_PORT);
    assertThat(d.found()).isZero();
  }

  @Test
  void aProcessAConfiguredTargetScrapesIsLeftAlone() throws Exception {
    GoRuntimeScraper s = scraper(false); // --go-target with pid=4242
    GoProgramDiscovery d = new GoProgramDiscovery(tree.proc, Duration.ofSeconds(30),
        Duration.ofMillis(500));
    d.started(PID, ProcessIdentity.newBuilder(identities.forPid(PID))
        .setRuntime(Runtime.GO).build());
    d.discover(s);
    assertThat(d.probes()).isZero();
  }
}
