package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Severity;
import io.memfleet.event.Source;
import io.memfleet.event.StackTrace;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchTableTest {
  private static final long MIB = 1L << 20;

  private static ProcessIdentity process(int pid, String comm, Runtime runtime, String service) {
    return ProcessIdentity.newBuilder().setCluster("local").setNode("n").setBootId("b")
        .setPid(pid).setProcessStartTimeMs(1_000L + pid).setComm(comm).setRuntime(runtime)
        .setService(service).build();
  }

  private static EventHeader header(ProcessIdentity p, long ms) {
    return EventHeader.newBuilder().setProcess(p).setSource(Source.PROCFS)
        .setClockDomain(ClockDomain.REALTIME).setRawTimestamp(ms * 1_000_000L)
        .setCollector("c").setSequence(ms).build();
  }

  private static void rss(WatchTable t, ProcessIdentity p, long ms, long bytes) {
    EventHeader h = header(p, ms);
    t.add(ResidentMemory.newBuilder().setHeader(h).setRssBytes(bytes).build(), h, ms);
  }

  private static void heap(WatchTable t, ProcessIdentity p, long ms, long bytes) {
    heap(t, p, ms, bytes, bytes);
  }

  private static void heap(WatchTable t, ProcessIdentity p, long ms, long used, long committed) {
    EventHeader h = header(p, ms);
    t.add(HeapSummary.newBuilder().setHeader(h).setPhase(HeapPhase.AFTER_GC).setGcId(1L)
        .setUsedBytes(used).setCommittedBytes(committed).build(), h, ms);
  }

  @Test
  void showsTheFastestGrowingProcessFirstWithItsHeapNativeAndGrowingPart() {
    WatchTable t = new WatchTable();
    ProcessIdentity init = process(1, "systemd", Runtime.NATIVE, null);
    ProcessIdentity checkout = process(4242, "java", Runtime.JVM, "checkout");
    ProcessIdentity proxy = process(777, "ingest-proxy", Runtime.NATIVE, "ingest");
    for (int s = 0; s <= 60; s++) {
      long ms = 10_000L + s * 1000L;
      rss(t, init, ms, 900 * MIB);
      rss(t, checkout, ms, 400 * MIB + s * 2 * MIB); // heap +2 MiB/s
      heap(t, checkout, ms, 200 * MIB + s * 2 * MIB);
      rss(t, proxy, ms, 50 * MIB + s * MIB / 2);
    }
    List<String> rows = t.rows(10);
    assertThat(WatchTable.header()).contains("RSS", "HEAP", "NATIVE", "RSS/min", "GROWING");
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).contains("4242", "checkout / java", "520.0M", "320.0M", "200.0M",
        "+120.0M", "heap");
    // a native program: all of its resident set is native memory
    assertThat(rows.get(1)).contains("777", "ingest / ingest-proxy", "80.0M", "+30.0M",
        "native");
    assertThat(rows.get(2)).contains("systemd", "+0.0M").doesNotContain("heap", "native");
    assertThat(t.rows(1)).hasSize(1);
  }

  @Test
  void aHeapThatCommitsMoreMemoryIsTheHeapGrowingNotNativeMemory() {
    // a cache filling the heap: 1 MiB/s more in use, the heap committing 2 MiB/s from the OS
    WatchTable t = new WatchTable();
    ProcessIdentity catalog = process(31, "java", Runtime.JVM, "catalog");
    for (int s = 0; s <= 60; s++) {
      long ms = s * 1000L;
      rss(t, catalog, ms, 300 * MIB + s * 2 * MIB);
      heap(t, catalog, ms, 100 * MIB + s * MIB, 200 * MIB + s * 2 * MIB);
    }
    // resident 420, heap in use 160 of 320 committed: native 100
    assertThat(t.rows(1).get(0)).contains("420.0M", "160.0M", "100.0M", "+120.0M", "heap");
  }

  @Test
  void aZgcHeapCountsInTheResidentSetAsOftenAsItIsMapped() {
    WatchTable t = new WatchTable();
    ProcessIdentity quotes = process(41, "java", Runtime.JVM, "quotes");
    EventHeader h = header(quotes, 1_000);
    t.add(io.memfleet.event.MemoryPools.newBuilder().setHeader(h)
        .setPools(List.of(io.memfleet.event.PoolUsage.newBuilder()
            .setPool(io.memfleet.event.MemoryPool.HEAP).setUsedBytes(200 * MIB)
            .setCommittedBytes(256 * MIB).build()))
        .setSettings(java.util.Map.of("gc", "Z")).build(), h, 1_000);
    rss(t, quotes, 1_000, 3 * 256 * MIB + 90 * MIB);
    // single-generation ZGC maps its heap three times: native is what is left, 90 MiB
    assertThat(t.rows(1).get(0)).contains("858.0M", "200.0M", "90.0M");
  }

  @Test
  void anOpenAlertNamesItsPoolAndCulpritUntilResolved() {
    WatchTable t = new WatchTable();
    ProcessIdentity proxy = process(777, "ingest-proxy", Runtime.NATIVE, "ingest");
    rss(t, proxy, 1_000, 50 * MIB);
    Alert a = Alert.newBuilder().setAlertId("a").setFingerprint("f")
        .setRule("outstanding-growth").setSeverity(Severity.WARNING)
        .setStatus(AlertStatus.FIRING).setProcess(proxy).setFirstSeenUtcNs(1)
        .setLastSeenUtcNs(2).setSummary("s").setPool(MemoryPool.MALLOC)
        .setVerdict("native memory grows 1.0 MiB/s, from leak_request_buffer")
        .setTopStack(StackTrace.newBuilder().setHash(1)
            .setFrames(List.of("_int_malloc", "leak_request_buffer", "main")).build())
        .build();
    t.add(a, null, 2_000);
    assertThat(t.rows(5).get(0)).contains("malloc", "WARNING outstanding-growth "
        + "leak_request_buffer");
    assertThat(WatchTable.describe(a)).contains("outstanding-growth", "malloc", "ingest",
        "ingest-proxy/777", "from leak_request_buffer");
    a.setStatus(AlertStatus.RESOLVED);
    t.add(a, null, 3_000);
    assertThat(t.rows(5).get(0)).doesNotContain("outstanding-growth", "malloc");
  }

  @Test
  void growthNeedsSamplesSpanningAWhile() {
    WatchTable t = new WatchTable();
    ProcessIdentity p = process(9, "new", Runtime.GO, null);
    rss(t, p, 0, 10 * MIB);
    rss(t, p, 5_000, 20 * MIB);
    assertThat(t.rows(5).get(0)).contains("…");
  }
}
