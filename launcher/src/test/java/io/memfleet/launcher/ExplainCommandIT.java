package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Severity;
import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.pipeline.aggregate.AllocationWindow;
import io.memfleet.pipeline.aggregate.BreakdownMeasure;
import io.memfleet.pipeline.aggregate.ProcessWindow;
import io.memfleet.pipeline.clickhouse.Rows;
import io.memfleet.pipeline.time.ClockCalibration;
import io.memfleet.schema.SampleEvents;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code memfleet explain} against a real ClickHouse with the bundled migrations and rows written
 * by the pipeline's own encoders ({@link Rows}): a JVM whose metaspace leaks 1 MiB a minute, the
 * same pid on another node (a Go program, three hours ago) and on a third (two days ago, out of
 * the lookback), their alerts in several versions, allocation stacks, and the clock calibrations
 * of the nodes (one of another JVM's ticks among them).
 */
class ExplainCommandIT {
  private static final String DB = "it_explain";
  private static final long MIB = 1 << 20;
  private static final long JVM_START_MS = 1_767_560_000_000L;
  private static final long GO_START_MS = 1_767_400_000_000L;

  @TempDir static Path dir;
  static ClickHouseServer server;
  static ClickHouseConnection ch;
  static Instant now;

  @BeforeAll
  static void seed() throws Exception {
    server = TestServers.clickHouse(dir);
    ch = ClickHouseConnection.builder(server.httpUrl()).build();
    MigrationRunner.builder(ch).database(DB).build().migrate(MigrationSource.bundled());
    now = Instant.now().truncatedTo(ChronoUnit.MINUTES);

    List<String> windows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {   // the JVM: 40 minutes up to two minutes ago
      windows.add(Rows.processWindow(jvm(now.minus(41 - i, ChronoUnit.MINUTES), i)));
    }
    for (int i = 0; i < 10; i++) {   // the Go program with the same pid on n2, 3 h ago
      windows.add(Rows.processWindow(go("n2", now.minus(190 - i, ChronoUnit.MINUTES), i)));
    }
    windows.add(Rows.processWindow(go("n3", now.minus(2, ChronoUnit.DAYS), 0)));
    ch.insertJsonEachRow(DB + ".process_memory_1m", windows);

    List<String> alerts = new ArrayList<>();
    alerts.add(Rows.alert(alert("3f9a61c07be2d415", "metaspace-growth", AlertStatus.FIRING,
        MemoryPool.METASPACE, "metaspace grows 0.8 MiB/min, classes from com.acme.PluginLoader",
        "n1", JVM_START_MS, 20)));
    alerts.add(Rows.alert(alert("3f9a61c07be2d415", "metaspace-growth", AlertStatus.UPDATED,
        MemoryPool.METASPACE, "metaspace grows 1.0 MiB/min, classes from com.acme.PluginLoader",
        "n1", JVM_START_MS, 5)));
    alerts.add(Rows.alert(alert("77c0ffee00000001", "live-set-growth", AlertStatus.FIRING,
        MemoryPool.HEAP, "heap grows 2 MiB/min", "n1", JVM_START_MS, 35)));
    alerts.add(Rows.alert(alert("77c0ffee00000001", "live-set-growth", AlertStatus.RESOLVED,
        MemoryPool.HEAP, "heap grows 2 MiB/min", "n1", JVM_START_MS, 30)));
    alerts.add(Rows.alert(alert("9d0000000000000b", "goroutine-leak", AlertStatus.FIRING,
        MemoryPool.GOROUTINE_STACKS, "goroutines grow 40/min", "n2", GO_START_MS, 185)));
    ch.insertJsonEachRow(DB + ".alerts", alerts);

    List<String> allocations = new ArrayList<>();
    List<String> stacks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      long t = now.minus(12 - i, ChronoUnit.MINUTES).toEpochMilli();
      AllocationWindow held = allocation(t, 501, "JAVA_OLD_OBJECT", "com.acme.Plugin$Meta",
          List.of("com.acme.PluginLoader.define", "com.acme.PluginLoader.load",
              "com.acme.Main.reload"));
      held.outstandingBytes = (10 + i) * MIB;
      AllocationWindow sampled = allocation(t, 502, "JAVA_SAMPLE", "byte[]",
          List.of("com.acme.Codec.encode", "com.acme.Http.handle"));
      sampled.sampledBytes = 30 * MIB;
      allocations.add(Rows.allocationWindow(held));
      allocations.add(Rows.allocationWindow(sampled));
      stacks.add(Rows.allocationStack(held));
      stacks.add(Rows.allocationStack(sampled));
    }
    ch.insertJsonEachRow(DB + ".allocations_1m", allocations);
    ch.insertJsonEachRow(DB + ".allocation_stacks", stacks);

    Instant read = Instant.now();   // not truncated: the ages shown are whole minutes from here
    ch.insertJsonEachRow(DB + ".clock_calibration", List.of(
        Rows.clockCalibration(clock("n1", "MONOTONIC", read.minus(20, ChronoUnit.MINUTES), 11.0,
            90_000)),
        Rows.clockCalibration(clock("n1", "MONOTONIC", read.minus(2, ChronoUnit.MINUTES), 12.5,
            40_000)),
        Rows.clockCalibration(clock("n1", "JFR_TICKS@4242/" + JVM_START_MS,
            read.minus(3, ChronoUnit.MINUTES), -3.0, 900_000)),
        Rows.clockCalibration(clock("n1", "JFR_TICKS@999/" + JVM_START_MS,
            read.minus(1, ChronoUnit.MINUTES), 77.0, 1_000)),
        Rows.clockCalibration(clock("n2", "PERF_CLOCK", read.minus(5, ChronoUnit.MINUTES), 5.0,
            2_000))));
  }

  private static ClockCalibration clock(String node, String domain, Instant at, double driftPpb,
      long errorBoundNs) {
    ClockCalibration c = new ClockCalibration();
    c.cluster = "prod";
    c.node = node;
    c.bootId = "boot-" + node;
    c.clockDomain = domain;
    c.utcNs = at.toEpochMilli() * 1_000_000L;
    c.offsetNs = 1_767_000_000_000_000_000L;
    c.driftPpb = driftPpb;
    c.errorBoundNs = errorBoundNs;
    c.samples = 8;
    return c;
  }

  @AfterAll
  static void stop() {
    if (ch != null) {
      ch.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** Minute {@code i} of the JVM: metaspace 64 + i MiB, RSS the pools + 100 MiB native. */
  private static ProcessWindow jvm(Instant start, int i) {
    ProcessWindow w = window("n1", 4242, JVM_START_MS, start, "checkout", "java", "JVM");
    set(w, BreakdownMeasure.HEAP_USED, (200 + (i % 4) * 50) * MIB);
    set(w, BreakdownMeasure.HEAP_COMMITTED, 512 * MIB);
    set(w, BreakdownMeasure.METASPACE, (64 + i) * MIB);
    set(w, BreakdownMeasure.CLASS_SPACE, 8 * MIB);
    set(w, BreakdownMeasure.CODE_CACHE, 30 * MIB);
    set(w, BreakdownMeasure.DIRECT_BUFFERS, 16 * MIB);
    set(w, BreakdownMeasure.THREAD_STACKS, 40 * MIB);
    set(w, BreakdownMeasure.THREAD_COUNT, 40);
    set(w, BreakdownMeasure.RSS_ANON, (650 + i) * MIB);
    set(w, BreakdownMeasure.RSS_FILE, 120 * MIB);
    set(w, BreakdownMeasure.CGROUP_WORKING_SET, (820 + i) * MIB);
    set(w, BreakdownMeasure.CGROUP_PAGE_CACHE, 64 * MIB);
    w.liveSet = 180 * MIB;
    w.nativeOther = 100 * MIB;
    w.rssLast = (512 + 64 + i + 8 + 30 + 16 + 40 + 100) * MIB;
    w.rssMax = w.rssLast;
    w.managedLimit = 1024 * MIB;
    w.cgroupLimit = 2048 * MIB;
    w.threadsMax = 40;
    return w;
  }

  private static ProcessWindow go(String node, Instant start, int i) {
    ProcessWindow w = window(node, 4242, GO_START_MS, start, "ledger", "ledger", "GO");
    set(w, BreakdownMeasure.HEAP_USED, 80 * MIB);
    set(w, BreakdownMeasure.HEAP_COMMITTED, 200 * MIB);
    set(w, BreakdownMeasure.HEAP_RELEASED, 90 * MIB);
    set(w, BreakdownMeasure.GOROUTINE_STACKS, (2 + i) * MIB);
    set(w, BreakdownMeasure.GOROUTINE_COUNT, 256L * (2 + i));
    w.nativeOther = 20 * MIB;
    w.rssLast = (110 + 2 + i + 20) * MIB;
    return w;
  }

  private static ProcessWindow window(String node, int pid, long startMs, Instant windowStart,
      String service, String comm, String runtime) {
    ProcessWindow w = new ProcessWindow();
    w.windowStartMs = windowStart.toEpochMilli();
    w.windowEndMs = w.windowStartMs + 60_000;
    w.cluster = "prod";
    w.node = node;
    w.pid = pid;
    w.processStartTimeMs = startMs;
    w.service = service;
    w.comm = comm;
    w.runtime = io.memfleet.event.Runtime.valueOf(runtime);
    return w;
  }

  private static void set(ProcessWindow w, BreakdownMeasure m, long value) {
    w.breakdown[m.ordinal()] = value;
  }

  private static Alert alert(String id, String rule, AlertStatus status, MemoryPool pool,
      String verdict, String node, long startMs, long minutesAgo) {
    ProcessIdentity p = SampleEvents.process();
    p.setCluster("prod");
    p.setNode(node);
    p.setPid(4242);
    p.setProcessStartTimeMs(startMs);
    Alert a = SampleEvents.alert();
    a.setAlertId(id);
    a.setRule(rule);
    a.setStatus(status);
    a.setSeverity(Severity.WARNING);
    a.setPool(pool);
    a.setVerdict(verdict);
    a.setProcess(p);
    a.setLastSeenUtcNs(now.minus(minutesAgo, ChronoUnit.MINUTES).toEpochMilli() * 1_000_000L);
    a.setObjectClass("com.acme.Plugin$Meta");
    return a;
  }

  private static AllocationWindow allocation(long windowStartMs, long hash, String kind,
      String objectClass, List<String> frames) {
    AllocationWindow w = new AllocationWindow();
    w.windowStartMs = windowStartMs;
    w.cluster = "prod";
    w.node = "n1";
    w.service = "checkout";
    w.pid = 4242;
    w.processStartTimeMs = JVM_START_MS;
    w.runtime = "JVM";
    w.kind = kind;
    w.stackHash = hash;
    w.objectClass = objectClass;
    w.frames = frames;
    return w;
  }

  private record Result(int exit, String out, String err) {}

  private static Result explain(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Memfleet.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("explain", "--clickhouse-url", server.httpUrl(),
        "--database", DB));
    all.addAll(List.of(args));
    int exit = cli.execute(all.toArray(String[]::new));
    System.out.println("$ memfleet " + String.join(" ", args) + "\n" + out + err);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void aPidIsItsNewestProcessWithTheGrowingPoolItsAlertsAndStacks() {
    Result r = explain("4242");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("pid 4242 · checkout, java, JVM · node n1 · cluster prod");
    assertThat(r.out()).contains("note: pid 4242 was also ledger on node n2 in cluster prod");
    assertThat(r.out()).doesNotContain("node n3");   // two days ago: outside the lookback
    assertThat(r.out()).contains("trends over the 30 min before it (30 one-minute points");
    // the last of the 40 minutes: metaspace 103 MiB of RSS 809 MiB, 74 MiB 29 minutes before
    assertThat(r.out()).containsPattern("METASPACE +103\\.0 +12\\.7 % +74\\.0 +\\+1\\.00");
    assertThat(r.out()).containsPattern("NATIVE +100\\.0 +12\\.4 % +100\\.0 +\\+0\\.00");
    assertThat(r.out()).containsPattern("RSS +809\\.0 +100\\.0 %");
    assertThat(r.out()).doesNotContain("GOROUTINE_STACKS");
    assertThat(r.out()).contains("grows the most: METASPACE +1.00 MiB/min, +29.0 MiB over 29 min");
    assertThat(r.out()).contains("cgroup: working set 859.0 MiB of a 2048.0 MiB limit");
    // the newest version of the open alert; the resolved one is left out
    assertThat(r.out()).contains("alerts (1):", "3f9a61c07be2d415  WARNING UPDATED"
        + "  metaspace-growth  pool METASPACE",
        "metaspace grows 1.0 MiB/min, classes from com.acme.PluginLoader",
        "culprit: com.acme.Plugin$Meta at java.util.HashMap.resize <- java.util.HashMap.putVal"
            + " <- java.util.HashMap.put <- com.example.checkout.PriceCache.remember <- …\n");
    assertThat(r.out()).doesNotContain("77c0ffee00000001", "goroutine-leak");
    // the held stack first, then the sampled one
    assertThat(r.out()).containsPattern("19\\.0 +0\\.0  JAVA_OLD_OBJECT  com\\.acme\\.Plugin\\$Meta"
        + " · com\\.acme\\.PluginLoader\\.define <- com\\.acme\\.PluginLoader\\.load");
    assertThat(r.out()).containsPattern("0\\.0 +300\\.0  JAVA_SAMPLE      byte\\[\\] · com\\.acme"
        + "\\.Codec\\.encode");
    // the host's clocks: the newest MONOTONIC row and this JVM's ticks, not another JVM's
    assertThat(r.out()).contains("clocks of node n1 (newest calibration per domain):");
    assertThat(r.out()).containsPattern("JFR_TICKS \\(this JVM\\) +-3\\.0 +900\\.0 µs +8 +3 min\n");
    assertThat(r.out()).containsPattern("MONOTONIC +\\+12\\.5 +40\\.0 µs +8 +2 min\n");
    assertThat(r.out()).doesNotContain("+77.0", "+11.0", "PERF_CLOCK");
  }

  @Test
  void nodeChoosesAmongProcessesWithThePid() {
    Result r = explain("4242", "--node", "n2", "--window", "2h");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("pid 4242 · ledger, ledger, GO · node n2");
    assertThat(r.out()).contains("trends over the 2 h before it (10 one-minute points");
    assertThat(r.out()).doesNotContain("note:");
    // heap 200 MiB committed less 90 released
    assertThat(r.out()).containsPattern("HEAP +110\\.0");
    assertThat(r.out()).contains("grows the most: GOROUTINE_STACKS +1.00 MiB/min",
        "goroutines 2816", "9d0000000000000b  WARNING FIRING  goroutine-leak"
            + "  pool GOROUTINE_STACKS");
    assertThat(r.out()).containsPattern("PERF_CLOCK +\\+5\\.0 +2\\.0 µs +8 +5 min\n");
    assertThat(r.out()).doesNotContain("MONOTONIC", "JFR_TICKS");
  }

  @Test
  void anAlertIdExplainsItsProcessAndShowsTheAlertEvenWhenResolved() {
    Result r = explain("77c0ffee00000001");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("pid 4242 · checkout, java, JVM · node n1");
    assertThat(r.out()).contains("alerts (2):", "77c0ffee00000001  WARNING RESOLVED"
        + "  live-set-growth  pool HEAP", "3f9a61c07be2d415");
  }

  @Test
  void unknownPidsAndAlertsSayWhatWasLookedFor() {
    Result pid = explain("4343");
    assertThat(pid.exit()).isEqualTo(3);
    assertThat(pid.err()).contains("no process with pid 4343 in the last 24 h");
    Result onNode = explain("4242", "--node", "n9", "--cluster", "prod");
    assertThat(onNode.exit()).isEqualTo(3);
    assertThat(onNode.err()).contains("no process with pid 4242 on node n9 in cluster prod in the"
        + " last 24 h");
    Result alert = explain("nosuchalert");
    assertThat(alert.exit()).isEqualTo(3);
    assertThat(alert.err()).contains("no alert with id nosuchalert");
    Result quote = explain("x' OR 1=1 --");
    assertThat(quote.exit()).isEqualTo(3);
    assertThat(quote.err()).contains("no alert with id x' OR 1=1 --");
  }
}
