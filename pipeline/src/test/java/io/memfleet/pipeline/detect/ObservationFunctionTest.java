package io.memfleet.pipeline.detect;

import static io.memfleet.pipeline.detect.Events.aligned;
import static io.memfleet.pipeline.detect.Events.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.PageFault;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.StackTrace;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.TimedEvent;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ObservationFunctionTest {
  private static final long MB = 1L << 20;
  private final ProcessIdentity jvm = Events.process("node-1", 100, Runtime.JVM);
  private final ProcessIdentity go = Events.process("node-1", 200, Runtime.GO);
  private KeyedOneInputStreamOperatorTestHarness<ProcessId, TimedEvent, Observation> h;
  private long seq;

  @BeforeEach
  void open() throws Exception {
    h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new ObservationFunction(Duration.ofSeconds(10), 6, Duration.ofMinutes(10)),
        TimedEvent::processId, TypeInformation.of(ProcessId.class));
    h.open();
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private void send(org.apache.avro.specific.SpecificRecord r) throws Exception {
    TimedEvent e = aligned(r);
    h.processElement(e, e.eventTimeMs());
  }

  private GcCycle gc(ProcessIdentity p, Source s, double t, GcGeneration g, long after, Long live) {
    return GcCycle.newBuilder().setHeader(header(p, s, t, seq++)).setGcId(seq)
        .setCollectorName("G1").setGeneration(g).setHeapBeforeBytes(after + 50 * MB)
        .setHeapAfterBytes(after).setLiveBytes(live).setDurationNs(5_000_000L)
        .setSumOfPausesNs(4_000_000L).build();
  }

  private List<Observation> out(Signal signal) {
    return h.extractOutputValues().stream().filter(o -> o.signal == signal)
        .collect(Collectors.toList());
  }

  @Test
  void youngCollectionsAloneGiveAnUnconfirmedLiveSet() throws Exception {
    // heap after young GCs: may be promoted garbage until an old collection shows otherwise
    for (int t = 1; t <= 200; t += 5) {
      send(gc(jvm, Source.JFR, t, GcGeneration.YOUNG, (100 + t) * MB, null));
    }
    assertThat(out(Signal.LIVE_SET)).hasSize(19).allMatch(o -> !o.confirmed);
  }

  @Test
  void jvmHeapAfterGcFoldsToTheBucketFloorWithHeapMaxAndTopClass() throws Exception {
    send(HeapSummary.newBuilder().setHeader(header(jvm, Source.JFR, 0.5, seq++))
        .setPhase(HeapPhase.AFTER_GC).setUsedBytes(130 * MB).setCommittedBytes(256 * MB)
        .setMaxBytes(512 * MB).build());
    send(gc(jvm, Source.JFR, 1, GcGeneration.YOUNG, 120 * MB, null));
    send(gc(jvm, Source.JFR, 4, GcGeneration.YOUNG, 110 * MB, null));
    send(Allocation.newBuilder().setHeader(header(jvm, Source.JFR, 5, seq++))
        .setKind(AllocationKind.JAVA_SAMPLE).setObjectClass("byte[]").setSizeBytes(16384)
        .setWeightBytes(10 * MB).build());
    send(gc(jvm, Source.JFR, 9, GcGeneration.FULL, 140 * MB, 100 * MB));
    assertThat(out(Signal.LIVE_SET)).isEmpty(); // bucket still open
    send(gc(jvm, Source.JFR, 12, GcGeneration.FULL, 150 * MB, 105 * MB)); // next bucket

    List<Observation> live = out(Signal.LIVE_SET);
    assertThat(live).hasSize(1);
    Observation o = live.get(0);
    assertThat(o.value).isEqualTo(100.0 * MB); // the FULL GC's live bytes, below the young ones
    assertThat(o.confirmed).isTrue();
    assertThat(o.count).isEqualTo(3); // three collections; heap summaries do not count
    assertThat(o.g1).as("collected by G1").isTrue();
    assertThat(o.companion).isEqualTo(512.0 * MB);
    assertThat(o.usedCompanion).as("G1's waste allowance: 5 % of the committed heap")
        .isCloseTo(0.05 * 256 * MB, org.assertj.core.api.Assertions.within(1.0));
    assertThat(o.objectClass).isEqualTo("byte[]");
    assertThat(o.classRetained).as("from allocation samples").isFalse();
    assertThat(o.utcNs).isEqualTo(Events.ns(9));
    assertThat(o.service).isEqualTo("checkout");
    // GC load of that bucket: 3 cycles x 4 ms of pauses in 10 s; heap after / max
    Observation load = out(Signal.GC_LOAD).get(0);
    assertThat(load.value).isCloseTo(0.0012, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(load.companion).isCloseTo(140.0 / 512, org.assertj.core.api.Assertions.within(1e-9));
  }

  @Test
  void aSerialHeapsLiveSetAimsAtWhatTheProgramCanFillTheCgroupSeesTheWholeMaximum()
      throws Exception {
    // 384 MiB of a 512 MiB container, Serial: one 12.75 MiB survivor space always stays empty
    long usable = 384 * MB - 13_369_344L;
    for (int t = 0; t <= 10; t += 10) {
      send(HeapSummary.newBuilder().setHeader(header(jvm, Source.JFR, t + 0.5, seq++))
          .setPhase(HeapPhase.AFTER_GC).setUsedBytes(300 * MB).setCommittedBytes(384 * MB)
          .setMaxBytes(384 * MB).setUsableMaxBytes(usable).build());
      send(gc(jvm, Source.JFR, t + 1, GcGeneration.FULL, 300 * MB, 300 * MB));
      send(ResidentMemory.newBuilder().setHeader(header(jvm, Source.PROCFS, t + 2, seq++))
          .setRssBytes(420 * MB).setCgroupUsageBytes(430 * MB)
          .setCgroupLimitBytes(512 * MB).build());
    }
    send(gc(jvm, Source.JFR, 21, GcGeneration.FULL, 300 * MB, 300 * MB));

    assertThat(out(Signal.LIVE_SET)).isNotEmpty()
        .allSatisfy(o -> assertThat(o.companion).isEqualTo((double) usable));
    assertThat(out(Signal.GC_LOAD)).isNotEmpty().allSatisfy(o ->
        assertThat(o.companion).isCloseTo(300.0 * MB / usable, within(1e-9)));
    // what the heap may take of the cgroup is all of it, survivors included
    assertThat(out(Signal.CGROUP_MEMORY)).isNotEmpty()
        .allSatisfy(o -> assertThat(o.heapMax).isEqualTo(384.0 * MB));
  }

  @Test
  void jvmHeapAfterGcComesEveryOomBucketWithTheNewestLiveSetAtItsOwnTime() throws Exception {
    h.close();
    h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
        new ObservationFunction(Duration.ofSeconds(10), Duration.ofSeconds(2), 6,
            Duration.ofMinutes(10)), TimedEvent::processId, TypeInformation.of(ProcessId.class));
    h.open();
    send(gc(jvm, Source.JFR, 0.2, GcGeneration.MIXED, 118 * MB, null));
    send(gc(jvm, Source.JFR, 0.6, GcGeneration.FULL, 106 * MB, 106 * MB));
    send(gc(jvm, Source.JFR, 0.9, GcGeneration.FULL, 107 * MB, 107 * MB));
    send(gc(jvm, Source.JFR, 1.5, GcGeneration.YOUNG, 110 * MB, null));
    send(gc(jvm, Source.JFR, 2.4, GcGeneration.YOUNG, 112 * MB, null)); // the next 2-s bucket
    send(gc(jvm, Source.JFR, 4.1, GcGeneration.YOUNG, 114 * MB, null)); // and the next

    List<Observation> live = out(Signal.LIVE_SET);
    assertThat(live).hasSize(2);
    Observation first = live.get(0);
    // the floor is the first full collection's; the live set its newest, at its own time
    assertThat(first.value).isEqualTo(106.0 * MB);
    assertThat(first.confirmed).isTrue();
    assertThat(first.reclaimed).isTrue();
    assertThat(first.live).isEqualTo(107.0 * MB);
    assertThat(first.liveUtcNs).isEqualTo(Events.ns(0.9));
    assertThat(first.newest).isEqualTo(110.0 * MB);
    assertThat(first.utcNs).isEqualTo(Events.ns(1.5));
    // young collections only: no live set
    assertThat(live.get(1).live).isNaN();
    assertThat(live.get(1).liveUtcNs).isZero();
    // GC load keeps the detection bucket: still open
    assertThat(out(Signal.GC_LOAD)).isEmpty();
  }

  private Allocation oldObject(double t, String objectClass, long bytes, double ageSeconds,
      long hash, String... frames) {
    return Allocation.newBuilder().setHeader(header(jvm, Source.JFR, t, seq++))
        .setKind(AllocationKind.JAVA_OLD_OBJECT).setObjectClass(objectClass)
        .setSizeBytes(bytes).setWeightBytes(bytes).setAgeNs((long) (ageSeconds * 1e9))
        .setStack(StackTrace.newBuilder().setHash(hash).setFrames(List.of(frames)).build())
        .build();
  }

  /** Two more collections, the second in the next bucket: the first bucket's live set. */
  private Observation liveSetAfterTheSamples() throws Exception {
    send(gc(jvm, Source.JFR, 4, GcGeneration.YOUNG, 125 * MB, null));
    send(gc(jvm, Source.JFR, 12, GcGeneration.YOUNG, 130 * MB, null));
    return out(Signal.LIVE_SET).get(0);
  }

  @Test
  void whatTheHeapRetainsIsNamedByOldObjectsThatOutlivedTheirFirstSeconds() throws Exception {
    send(gc(jvm, Source.JFR, 1, GcGeneration.YOUNG, 120 * MB, null));
    // one set of samples: request garbage no collection has reached yet (young, and more
    // bytes), and report rows that have stayed for tens of seconds
    for (int i = 0; i < 40; i++) {
      send(oldObject(2 + i * 0.001, "byte[]", 64 * 1024, 0.5, 11, "RequestTraffic.handle"));
    }
    for (int i = 0; i < 20; i++) {
      send(oldObject(2.1 + i * 0.001, "ReportExporter$ReportRow", 4 * 1024, 12 + i, 12,
          "ReportExporter.buffer", "ReportExporter.main"));
    }
    Observation o = liveSetAfterTheSamples();
    assertThat(o.objectClass).isEqualTo("ReportExporter$ReportRow");
    assertThat(o.classRetained).isTrue();
    assertThat(o.stackFrames).isEqualTo("ReportExporter.buffer\nReportExporter.main");
  }

  @Test
  void aStacklessHeaviestClassLeavesTheStackToTheHeaviestRetainedOneThatHasFrames()
      throws Exception {
    // a JVM read from outside from its 13th second: the map holding its rows was allocated
    // before stacks were on; of what else it retains, the rows' strings carry their stack
    send(gc(jvm, Source.JFR, 1, GcGeneration.YOUNG, 120 * MB, null));
    send(oldObject(2, "java.util.HashMap$Node[]", 0, 30, 0));
    send(oldObject(2.001, "char[]", 0, 12, 31, "ReportExporter$ReportRow.<init>:31",
        "ReportExporter.main:54"));
    for (int i = 0; i < 40; i++) { // request garbage, too young to count
      send(oldObject(2.002 + i * 0.001, "byte[]", 0, 0.5, 11, "RequestTraffic.handle:57"));
    }
    Observation o = liveSetAfterTheSamples();
    assertThat(o.objectClass).isEqualTo("java.util.HashMap$Node[]");
    assertThat(o.stackFrames).startsWith("ReportExporter$ReportRow.<init>:31");
    assertThat(o.stackBesideClass).isTrue();
  }

  /** A row of the JVM's class histogram at {@code t} s. */
  private Allocation heapClass(double t, String objectClass, long bytes, long instances) {
    return Allocation.newBuilder().setHeader(header(jvm, Source.JFR, t, seq++))
        .setKind(AllocationKind.JAVA_HEAP_CLASS).setObjectClass(objectClass)
        .setSizeBytes(bytes / instances).setWeightBytes(0).setOutstandingBytes(bytes)
        .setInstances(instances).build();
  }

  @Test
  void withNothingRetainedSampledTheHeapIsNamedByTheProgramClassItsHistogramsShowGrowing()
      throws Exception {
    // Shenandoah: JFR's leak profiler keeps no sample past a cycle, so every old-object sample
    // is request garbage too young to count; the allocations are mostly that garbage too. The
    // collector's class histograms, 30 s apart: the leak's double[] and their holder QueryTrace
    // grow, the garbage and a flat program class come and go
    send(gc(jvm, Source.JFR, 1, GcGeneration.YOUNG, 120 * MB, null));
    for (int i = 0; i < 40; i++) {
      send(oldObject(1.5 + i * 0.001, "byte[]", 2048, 0.5, 11, "RequestTraffic.handle:57"));
      send(Allocation.newBuilder().setHeader(header(jvm, Source.JFR, 1.6 + i * 0.001, seq++))
          .setKind(AllocationKind.JAVA_SAMPLE).setObjectClass("byte[]").setSizeBytes(2048)
          .setWeightBytes(MB).build());
    }
    long[][] levels = { // double[], byte[], LineItem, QueryTrace (bytes)
        {21_000_000, 15_600_000, 359_000, 124_000},
        {52_000_000, 17_900_000, 341_000, 250_000},
        {83_000_000, 15_100_000, 372_000, 376_000}};
    for (int k = 0; k < levels.length; k++) {
      double t = 2 + k * 0.5; // stands for 30 s apart: one bucket holds them all
      send(heapClass(t, "double[]", levels[k][0], levels[k][0] / 8200));
      send(heapClass(t, "byte[]", levels[k][1], levels[k][1] / 650));
      send(heapClass(t, "io.acme.RequestTraffic$LineItem", levels[k][2], levels[k][2] / 32));
      send(heapClass(t, "io.acme.SearchFrontend$QueryTrace", levels[k][3], levels[k][3] / 32));
    }
    assertNamedByItsHistograms(liveSetAfterTheSamples(), "io.acme.SearchFrontend$QueryTrace");
  }

  /** The observation names {@code growingClass} as the histograms' growing class, nothing else. */
  private static void assertNamedByItsHistograms(Observation o, String growingClass) {
    assertThat(o.objectClass).isEqualTo(growingClass);
    assertThat(o.classGrowing).isTrue();
    assertThat(o.classRetained).isFalse();
    assertThat(o.stackFrames).isNull();
  }

  @Test
  void retainedSamplesFromTheGrowingClasssCodeKeepTheirStack() throws Exception {
    send(gc(jvm, Source.JFR, 1, GcGeneration.YOUNG, 120 * MB, null));
    send(oldObject(1.5, "double[]", 8192, 20, 12, "io.acme.SearchFrontend$QueryTrace.<init>:31",
        "io.acme.SearchFrontend.main:57"));
    send(heapClass(2, "io.acme.SearchFrontend$QueryTrace", 100_000, 3_000));
    send(heapClass(2.5, "io.acme.SearchFrontend$QueryTrace", 300_000, 9_000));
    Observation o = liveSetAfterTheSamples();
    assertThat(o.objectClass).isEqualTo("double[]");
    assertThat(o.stackFrames).startsWith("io.acme.SearchFrontend$QueryTrace.<init>:31");
    assertThat(o.classGrowing).isFalse();
  }

  @Test
  void retainedSamplesOfOtherCodeYieldToTheProgramClassTheHistogramsShowGrowing()
      throws Exception {
    // Shenandoah, seen: request garbage that reached 10 s of age in one emission of JFR's broken
    // leak profiler, while the histograms show the leak's holder growing
    send(gc(jvm, Source.JFR, 1, GcGeneration.YOUNG, 120 * MB, null));
    for (int i = 0; i < 19; i++) {
      send(oldObject(1.5 + i * 0.001, "byte[]", 2048, 11, 11,
          "io.acme.RequestTraffic.handle:57"));
    }
    send(heapClass(2, "io.acme.SearchFrontend$QueryTrace", 100_000, 3_000));
    send(heapClass(2.5, "io.acme.SearchFrontend$QueryTrace", 300_000, 9_000));
    assertNamedByItsHistograms(liveSetAfterTheSamples(), "io.acme.SearchFrontend$QueryTrace");
  }

  @Test
  void histogramsTheCollectorStoppedTakingNameNothingOverTheSamplesThatCameSince()
      throws Exception {
    // seen: three histograms of a service's request garbage, taken in its healthy minutes, named
    // that garbage in the alert of the leak that began a minute later, whose retained samples by
    // then carried the leak's stack
    send(gc(jvm, Source.JFR, 1, GcGeneration.YOUNG, 120 * MB, null));
    send(heapClass(2, "io.acme.RequestTraffic$LineItem", 615_000, 19_711));
    send(heapClass(2.5, "io.acme.RequestTraffic$LineItem", 889_000, 28_475));
    send(heapClass(3, "io.acme.RequestTraffic$LineItem", 1_038_000, 33_232));
    send(gc(jvm, Source.JFR, 70, GcGeneration.YOUNG, 125 * MB, null));
    send(oldObject(71, "byte[]", 8192, 20, 12, "io.acme.SessionService$SessionRecord.<init>:45",
        "io.acme.SessionService.main:80"));
    send(gc(jvm, Source.JFR, 72, GcGeneration.YOUNG, 126 * MB, null));
    send(gc(jvm, Source.JFR, 82, GcGeneration.YOUNG, 130 * MB, null));
    List<Observation> live = out(Signal.LIVE_SET);
    Observation o = live.get(live.size() - 1);
    assertThat(o.utcNs).isGreaterThan(70_000_000_000L);
    assertThat(o.objectClass).isEqualTo("byte[]");
    assertThat(o.stackFrames).startsWith("io.acme.SessionService$SessionRecord.<init>:45");
    assertThat(o.classGrowing).isFalse();
  }

  @Test
  void anOldObjectTheJdkAllocatedOnItsOwnIsNeverTheProgramsCulprit() throws Exception {
    // a JVM dying of a leak in its first minute: JFR's own Instant (allocated when the
    // recording started, no frame of the program) is the oldest sample; the program's rows
    // are too young to count, but the list holding them is old enough (JDK 17's samples carry no
    // size: each counts one; the collector cut the JDK's stack to its first frames)
    send(gc(jvm, Source.JFR, 1, GcGeneration.YOUNG, 120 * MB, null));
    Allocation jfrs = oldObject(2, "java.time.Instant", 0, 40, 21,
        "java.time.Instant.create:415", "java.time.Instant.ofEpochSecond:332",
        "jdk.jfr.internal.PlatformRecorder.start:271", "jdk.jfr.Recording.start:184");
    jfrs.getStack().setTruncated(true);
    send(jfrs);
    send(oldObject(2.001, "java.lang.Object[]", 0, 13, 22, "java.util.Arrays.copyOf:3481",
        "java.util.ArrayList.grow:237", "ReportExporter.main:55"));
    Observation o = liveSetAfterTheSamples();
    assertThat(o.objectClass).isEqualTo("java.lang.Object[]");
    assertThat(o.stackFrames).endsWith("ReportExporter.main:55");
  }

  @Test
  void aGoCyclesBucketIsEmittedOnceTheWatermarkIsABucketPastItNotAtTheNextCycle()
      throws Exception {
    // a Go program whose cycles come 2 minutes apart (its runtime's forced collection) and whose
    // resident set the node collector reads every second; a JVM beside it collecting as rarely
    send(gc(go, Source.GO_GCTRACE, 5, GcGeneration.CONCURRENT, 40 * MB, 30L * MB));
    send(gc(jvm, Source.JFR, 5, GcGeneration.FULL, 40 * MB, 30L * MB));
    for (int t = 6; t <= 30; t++) {
      h.processWatermark(Events.ns(t) / 1_000_000L - 2_000L); // 2 s out of order
      send(ResidentMemory.newBuilder().setHeader(header(go, Source.PROCFS, t, seq++))
          .setRssBytes(90 * MB).build());
      send(ResidentMemory.newBuilder().setHeader(header(jvm, Source.PROCFS, t, seq++))
          .setRssBytes(90 * MB).build());
      if (t < 22) {
        assertThat(out(Signal.GO_LIVE_HEAP)).as("at %d s", t).isEmpty();
      }
    }
    // the JVM's heap after GC comes from JFR, read seconds behind: its bucket waits for the next
    assertThat(out(Signal.LIVE_SET)).isEmpty();
    List<Observation> live = out(Signal.GO_LIVE_HEAP);
    assertThat(live).extracting(o -> o.value).containsExactly(30.0 * MB);
    assertThat(live.get(0).utcNs).isEqualTo(Events.ns(5));
    assertThat(live.get(0).pid).isEqualTo(200);
    assertThat(live.get(0).service).isEqualTo("checkout");

    // the next cycle opens a bucket of its own; the one before is not emitted again, and the
    // process's exit emits the open one
    send(gc(go, Source.GO_GCTRACE, 125, GcGeneration.CONCURRENT, 60 * MB, 50L * MB));
    assertThat(out(Signal.GO_LIVE_HEAP)).hasSize(1);
    h.processWatermark(Events.ns(140) / 1_000_000L);
    send(ResidentMemory.newBuilder().setHeader(header(go, Source.PROCFS, 142, seq++))
        .setRssBytes(90 * MB).build());
    assertThat(out(Signal.GO_LIVE_HEAP)).extracting(o -> o.value)
        .containsExactly(30.0 * MB, 50.0 * MB);
    send(gc(go, Source.GO_GCTRACE, 143, GcGeneration.CONCURRENT, 70 * MB, 60L * MB));
    send(ProcessLifecycle.newBuilder().setHeader(header(go, Source.PROCFS, 144, seq++))
        .setPhase(LifecyclePhase.EXITED).build());
    assertThat(out(Signal.GO_LIVE_HEAP)).extracting(o -> o.value)
        .containsExactly(30.0 * MB, 50.0 * MB, 60.0 * MB);
  }

  @Test
  void theEndOfABoundedInputClosesAGoCyclesBucket() throws Exception {
    send(gc(go, Source.GO_GCTRACE, 5, GcGeneration.CONCURRENT, 40 * MB, 30L * MB));
    h.processWatermark(Long.MAX_VALUE);
    send(ResidentMemory.newBuilder().setHeader(header(go, Source.PROCFS, 6, seq++))
        .setRssBytes(90 * MB).build());
    assertThat(out(Signal.GO_LIVE_HEAP)).extracting(o -> o.value).containsExactly(30.0 * MB);
  }

  @Test
  void goCyclesGoroutinesAndCgroupMemoryBecomeTheirSignals() throws Exception {
    for (int t = 0; t <= 20; t += 5) {
      send(gc(go, Source.GO_GCTRACE, t, GcGeneration.CONCURRENT, 40 * MB, (long) (30 + t) * MB));
      send(ThreadCount.newBuilder().setHeader(header(go, Source.GO_EXPVAR, t, seq++))
          .setKind(ThreadKind.GOROUTINES).setCount(1000 + t).build());
      send(ResidentMemory.newBuilder().setHeader(header(go, Source.PROCFS, t, seq++))
          .setRssBytes(90 * MB).setCgroupUsageBytes((100L + t) * MB)
          .setCgroupLimitBytes(128 * MB).build());
      // an unlimited cgroup (v1 reports ~2^63) makes no CGROUP_MEMORY observation
      send(ResidentMemory.newBuilder().setHeader(header(jvm, Source.PROCFS, t, seq++))
          .setRssBytes(90 * MB).setCgroupUsageBytes(100 * MB)
          .setCgroupLimitBytes(9223372036854771712L).build());
    }
    assertThat(out(Signal.GO_LIVE_HEAP)).extracting(o -> o.value)
        .containsExactly(30.0 * MB, 40.0 * MB);
    assertThat(out(Signal.LIVE_SET)).isEmpty();
    assertThat(out(Signal.GOROUTINES)).extracting(o -> o.value).containsExactly(1000.0, 1010.0);
    List<Observation> cg = out(Signal.CGROUP_MEMORY);
    assertThat(cg).extracting(o -> o.value).containsExactly(105.0 * MB, 115.0 * MB);
    assertThat(cg).allMatch(o -> o.companion == 128.0 * MB && o.pid == 200);
  }

  @Test
  void cgroupMemoryCarriesTheGoHeapFootprintFromExpvarPools() throws Exception {
    for (double t = 0.8; t < 20; t += 1) {
      send(ResidentMemory.newBuilder().setHeader(header(go, Source.PROCFS, t, seq++))
          .setRssBytes((long) (10 + 5 * t) * MB).setCgroupUsageBytes((long) (10 + 5 * t) * MB)
          .setCgroupLimitBytes(128 * MB).build());
      send(io.memfleet.event.MemoryPools.newBuilder()
          .setHeader(header(go, Source.GO_EXPVAR, t + 0.3, seq++))
          .setPools(List.of(io.memfleet.event.PoolUsage.newBuilder()
              .setPool(io.memfleet.event.MemoryPool.HEAP).setUsedBytes((long) (8 + 4 * t) * MB)
              .setCommittedBytes((long) (9 + 5 * t) * MB).build()))
          .build());
    }
    List<Observation> cg = out(Signal.CGROUP_MEMORY);
    assertThat(cg).isNotEmpty().allMatch(o -> !Double.isNaN(o.usedCompanion), "heap known");
  }

  @Test
  void cgroupMemoryCarriesWhatTheGoHeapProfileHoldsWhileTheProfileCoversTheHeap()
      throws Exception {
    // a Go program at 20 MiB of heap profiled at 1.5 s (the request path's garbage heaviest);
    // from 20 s on its heap races from 20 to 180 MiB, profiled again at 40.5 s (retried
    // batches the heaviest)
    for (double t = 1; t <= 60; t += 1) {
      long heap = (long) (20 + 8 * Math.min(Math.max(t - 20, 0), 20)) * MB;
      send(io.memfleet.event.MemoryPools.newBuilder()
          .setHeader(header(go, Source.GO_EXPVAR, t, seq++))
          .setPools(List.of(io.memfleet.event.PoolUsage.newBuilder()
              .setPool(io.memfleet.event.MemoryPool.HEAP).setUsedBytes(heap / 2)
              .setCommittedBytes(heap).build()))
          .build());
      send(ResidentMemory.newBuilder().setHeader(header(go, Source.PROCFS, t + 0.2, seq++))
          .setRssBytes(heap + 10 * MB).setCgroupUsageBytes(heap + 10 * MB)
          .setCgroupLimitBytes(512 * MB).build());
      if (t == 1 || t == 40) {
        long held = heap / 2;
        send(goProfile(t + 0.5, t == 1 ? "main.(*traffic).serveDue" : "main.(*Batch).Add",
            held * 3 / 4));
        send(goProfile(t + 0.5, t == 1 ? "main.(*Batch).Add" : "main.(*traffic).serveDue",
            held / 4));
      }
    }
    List<Observation> cg = out(Signal.CGROUP_MEMORY);
    java.util.function.Function<Observation, String> named =
        o -> o.stackFrames == null ? null : o.stackFrames.split("\n")[0];
    // 10 MiB in the profile: it names a heap footprint up to eight times that
    assertThat(cg).filteredOn(o -> o.utcNs < Events.ns(20)).isNotEmpty()
        .allMatch(o -> "main.(*traffic).serveDue".equals(named.apply(o)));
    assertThat(cg).filteredOn(o -> o.utcNs > Events.ns(25) && o.utcNs < Events.ns(40))
        .isNotEmpty().allMatch(o -> o.stackFrames == null, "the profile is stale");
    assertThat(cg).filteredOn(o -> o.utcNs > Events.ns(41)).isNotEmpty()
        .allMatch(o -> "main.(*Batch).Add".equals(named.apply(o)));
  }

  private Allocation goProfile(double t, String frame, long inUse) {
    return Allocation.newBuilder().setHeader(header(go, Source.GO_EXPVAR, t, seq++))
        .setKind(AllocationKind.OUTSTANDING).setSizeBytes(inUse / 100).setWeightBytes(inUse)
        .setOutstandingBytes(inUse)
        .setStack(StackTrace.newBuilder().setHash(frame.hashCode()).setFrames(List.of(frame))
            .build())
        .build();
  }

  @Test
  void aZgcHeapInSharedMemoryIsNotTheProcesssSharedMemory() throws Exception {
    // JDK 17's ZGC maps its heap's memfd three times: RssShmem = 3 × the committed heap;
    // generational ZGC once; a G1 JVM's shared memory is its own
    int pid = 700;
    for (String gc : List.of("Z", "ZGC", "G1")) {
      int views = gc.equals("Z") ? 3 : 1;
      ProcessIdentity zgc = Events.process("node-1", pid++, Runtime.JVM);
      for (double t = 0.5; t < 40; t += 1) {
        long heap = (long) (100 + 2 * t) * MB;
        send(io.memfleet.event.MemoryPools.newBuilder()
            .setHeader(header(zgc, Source.PROCFS, t, seq++))
            .setPools(List.of(io.memfleet.event.PoolUsage.newBuilder()
                .setPool(io.memfleet.event.MemoryPool.HEAP).setUsedBytes(heap / 2)
                .setCommittedBytes(heap).build()))
            .setSettings(java.util.Map.of("gc", gc)).build());
        send(ResidentMemory.newBuilder().setHeader(header(zgc, Source.PROCFS, t + 0.2, seq++))
            .setRssBytes(views * heap + 50 * MB).setShmemBytes(views * heap + 4 * MB).build());
      }
      List<Observation> shm = out(Signal.POOL).stream()
          .filter(o -> o.pid == zgc.getPid() && "SHMEM".equals(o.series)).toList();
      assertThat(shm).as(gc).isNotEmpty();
      if (gc.startsWith("Z")) {
        assertThat(shm).as(gc).allMatch(o -> o.value == 4.0 * MB, "only its own 4 MiB");
      } else {
        assertThat(shm.get(shm.size() - 1).value).as(gc).isGreaterThan(150.0 * MB);
      }
    }
    assertThat(io.memfleet.pipeline.model.Shmem.heapViews("Z/Z")).isEqualTo(3);
    assertThat(io.memfleet.pipeline.model.Shmem.heapViews("ZGC Minor/ZGC Major")).isEqualTo(1);
    assertThat(io.memfleet.pipeline.model.Shmem.heapViews("G1New/G1Old")).isZero();
    assertThat(io.memfleet.pipeline.model.Shmem.heapViews(null)).isZero();
  }

  @Test
  void aHeapFigureThatArrivesAfterTheCgroupSamplesReachesTheirBucketWithItsOwnTime()
      throws Exception {
    // the Go scrape's pools reach the pipeline after the bucket's cgroup samples
    send(ResidentMemory.newBuilder().setHeader(header(go, Source.PROCFS, 1, seq++))
        .setRssBytes(60 * MB).setCgroupUsageBytes(60 * MB).setCgroupLimitBytes(128 * MB).build());
    send(io.memfleet.event.MemoryPools.newBuilder()
        .setHeader(header(go, Source.GO_EXPVAR, 1.5, seq++))
        .setPools(List.of(io.memfleet.event.PoolUsage.newBuilder()
            .setPool(io.memfleet.event.MemoryPool.HEAP).setUsedBytes(40 * MB)
            .setCommittedBytes(50 * MB).build()))
        .build());
    send(ResidentMemory.newBuilder().setHeader(header(go, Source.PROCFS, 12, seq++))
        .setRssBytes(70 * MB).setCgroupUsageBytes(70 * MB).setCgroupLimitBytes(128 * MB).build());
    List<Observation> cg = out(Signal.CGROUP_MEMORY);
    assertThat(cg).extracting(o -> o.usedCompanion).containsExactly(50.0 * MB);
    assertThat(cg.get(0).usedCompanionUtcNs).isGreaterThan(cg.get(0).utcNs);
  }

  @Test
  void aNativeProcesssResidentSetIsItsNativeMemoryNamedByTheStackThatFaultsIn()
      throws Exception {
    ProcessIdentity c = Events.process("node-1", 300, Runtime.NATIVE);
    for (int t = 0; t <= 10; t += 2) {
      send(ResidentMemory.newBuilder().setHeader(header(c, Source.PROCFS, t, seq++))
          .setRssBytes((20L + t) * MB).build());
      send(PageFault.newBuilder().setHeader(header(c, Source.EBPF, t + 0.5, seq++))
          .setCount(64).setMajor(false).setStack(StackTrace.newBuilder().setHash(7)
              .setFrames(List.of("memset", "leak_request_buffer", "main")).build()).build());
      send(PageFault.newBuilder().setHeader(header(c, Source.EBPF, t + 0.6, seq++))
          .setCount(8).setMajor(false).setStack(StackTrace.newBuilder().setHash(8)
              .setFrames(List.of("load_config", "main")).build()).build());
    }
    List<Observation> nat = out(Signal.NATIVE);
    assertThat(nat).hasSize(1);
    assertThat(nat.get(0).value).isEqualTo(20.0 * MB);
    assertThat(nat.get(0).companion).isZero();
    assertThat(nat.get(0).stackFrames).isEqualTo("memset\nleak_request_buffer\nmain");
  }

  @Test
  void aGoProgramWithoutRuntimeMetricsIsJudgedOnItsResidentSetUntilTheyCome() throws Exception {
    // no expvar, no pprof, no gctrace: nothing but its resident set says what it holds
    ProcessIdentity g = Events.process("node-1", 400, Runtime.GO);
    for (int t = 0; t <= 10; t += 2) {
      send(ResidentMemory.newBuilder().setHeader(header(g, Source.PROCFS, t, seq++))
          .setRssBytes((20L + t) * MB).build());
    }
    List<Observation> before = out(Signal.NATIVE);
    assertThat(before).hasSize(1);
    assertThat(before.get(0).value).isEqualTo(20.0 * MB);
    assertThat(before.get(0).companion).isZero();
    // its metrics come (the join derives its native memory): the resident set no longer counts
    for (int t = 12; t <= 40; t += 2) {
      ResidentMemory r = ResidentMemory.newBuilder().setHeader(header(g, Source.PROCFS, t, seq++))
          .setRssBytes((40L + t) * MB).build();
      send(r);
      TimedEvent derived = Events.aligned(r);
      derived.kind = TimedEvent.NATIVE_MEMORY_KIND;
      derived.nativeBytes = 8 * MB;
      derived.heapCommittedBytes = 30 * MB;
      h.processElement(derived, derived.eventTimeMs());
    }
    List<Observation> after = out(Signal.NATIVE).subList(1, out(Signal.NATIVE).size());
    assertThat(after).isNotEmpty().allMatch(o -> o.companion == 30.0 * MB && o.value == 8.0 * MB);
  }

  @Test
  void aGoProgramsOwnFiguresEndItsResidentSetsTurnBeforeTheJoinsNativeMemoryComes()
      throws Exception {
    // the join derives native memory only once the watermark passes (minutes later in a
    // replay): the runtime's own figures, in the stream beside the resident set, say it
    ProcessIdentity g = Events.process("node-1", 401, Runtime.GO);
    for (int t = 0; t <= 30; t += 2) {
      send(HeapSummary.newBuilder().setHeader(header(g, Source.GO_EXPVAR, t, seq++))
          .setPhase(HeapPhase.AFTER_GC).setUsedBytes(20 * MB).setCommittedBytes(30 * MB)
          .setMaxBytes(-1L).build());
      send(ResidentMemory.newBuilder().setHeader(header(g, Source.PROCFS, t + 0.5, seq++))
          .setRssBytes((40L + t) * MB).build());
    }
    assertThat(out(Signal.NATIVE)).isEmpty();
  }

  @Test
  void aProgramWithoutFramePointersIsNamedByTheAllocatorItCalledNotLeftUnnamed()
      throws Exception {
    // a C++ program built with -O1 and no frame pointers: its faults' stacks end in operator
    // new; a fault inside malloc alone (its stack cut inside the allocator) still names nobody
    ProcessIdentity c = Events.process("node-1", 301, Runtime.NATIVE);
    for (int t = 0; t <= 10; t += 2) {
      send(ResidentMemory.newBuilder().setHeader(header(c, Source.PROCFS, t, seq++))
          .setRssBytes((20L + t) * MB).build());
      send(PageFault.newBuilder().setHeader(header(c, Source.EBPF, t + 0.5, seq++))
          .setCount(64).setMajor(false).setStack(StackTrace.newBuilder().setHash(7)
              .setFrames(List.of("_int_malloc", "_Znwm")).build()).build());
      send(PageFault.newBuilder().setHeader(header(c, Source.EBPF, t + 0.6, seq++))
          .setCount(128).setMajor(false).setStack(StackTrace.newBuilder().setHash(8)
              .setFrames(List.of("sysmalloc", "_int_malloc")).build()).build());
    }
    List<Observation> nat = out(Signal.NATIVE);
    assertThat(nat).hasSize(1);
    assertThat(nat.get(0).stackFrames).isEqualTo("_int_malloc\n_Znwm");
  }

  @Test
  void aNativeProgramsGrowthIsNamedByAMappingThatStaysBeforeFirstTouchesAndSaysWhich()
      throws Exception {
    // a C program maps a segment per second that it keeps; its request handler touches more
    // new pages first (scratch buffers it maps and unmaps again)
    for (boolean keepsMappings : List.of(true, false)) {
      ProcessIdentity c = Events.process("node-1", keepsMappings ? 310 : 311, Runtime.NATIVE);
      for (int t = 0; t <= 40; t += 2) {
        send(ResidentMemory.newBuilder().setHeader(header(c, Source.PROCFS, t, seq++))
            .setRssBytes((20L + t) * MB).build());
        if (t % 10 == 0) {
          send(level(c, t + 0.7, AllocationKind.FAULTED_IN, (t + 1) * 3 * MB, 8, "memset",
              "handle_request", "main"));
          send(level(c, t + 0.8, AllocationKind.FAULTED_IN, (t + 1) * MB, 7, "map_segment",
              "main"));
          send(level(c, t + 0.9, AllocationKind.MAPPED, (keepsMappings ? t + 1 : 1) * MB, 9,
              "mmap", "map_segment", "main"));
        }
      }
      List<Observation> nat = out(Signal.NATIVE).stream().filter(o -> o.pid == c.getPid())
          .toList();
      Observation last = nat.get(nat.size() - 1);
      if (keepsMappings) {
        assertThat(last.stackFrames).isEqualTo("mmap\nmap_segment\nmain");
        assertThat(last.firstTouch).as("named by what stays mapped").isFalse();
      } else {
        assertThat(last.stackFrames).isEqualTo("memset\nhandle_request\nmain");
        assertThat(last.firstTouch).as("named by first touches only").isTrue();
      }
    }
  }

  private MemoryMapping mapping(ProcessIdentity p, double t, long bytes, long outstanding,
      String protection, long hash, String... frames) {
    return MemoryMapping.newBuilder().setHeader(header(p, Source.EBPF, t, seq++))
        .setOp(MappingOp.MMAP).setAddress(0x7f0000000000L + seq * 0x100000L)
        .setLengthBytes(bytes).setProtection(protection)
        .setFlags("MAP_PRIVATE|MAP_ANONYMOUS").setOutstandingBytes(outstanding)
        .setStack(StackTrace.newBuilder().setHash(hash).setFrames(List.of(frames)).build())
        .build();
  }

  @Test
  void theMappedSeriesIsNamedByTheStackThatMapsNowNotByReservationsOrOldArenas()
      throws Exception {
    // a Go program: the runtime reserves 512 MiB of address space and maps 64 MiB of heap
    // arenas at start; then the program maps a 256 KiB segment every second, for 4 minutes
    long outstanding = 64 * MB;
    send(mapping(go, 0.1, 512 * MB, outstanding, "PROT_NONE", 1, "runtime.sysMmap.abi0",
        "runtime.sysReserve", "runtime.(*pageAlloc).sysInit"));
    send(mapping(go, 0.2, 64 * MB, outstanding, "PROT_READ|PROT_WRITE", 2,
        "runtime.sysMmap.abi0", "runtime.sysMap", "runtime.(*mheap).grow"));
    for (int t = 1; t <= 240; t++) {
      outstanding += 256 * 1024;
      send(mapping(go, t, 256 * 1024, outstanding, "PROT_READ|PROT_WRITE", 3,
          "runtime/internal/syscall.Syscall6", "syscall.mmap", "main.mapSegment", "main.main"));
    }
    List<Observation> mapped = out(Signal.OUTSTANDING);
    assertThat(mapped).isNotEmpty();
    // never the reservation; the arenas first; the program's segments once they outweigh them
    assertThat(mapped).noneMatch(o -> o.stackHash == 1);
    assertThat(mapped.get(0).stackHash).isEqualTo(2);
    assertThat(mapped.get(mapped.size() - 1).stackFrames).contains("main.mapSegment");
    assertThat(mapped.get(mapped.size() - 1).value).isEqualTo(outstanding - 256 * 1024);
  }

  @Test
  void aJvmsMappedSeriesLeavesOutTheBuffersItReportsItself() throws Exception {
    // a JVM leaking 64 KiB direct buffers at 1 MiB/s: malloc maps them, the JVM reports them
    // (MemoryPools every 10 s); a second JVM maps the same but reports no buffers
    ProcessIdentity other = Events.process("node-1", 101, Runtime.JVM);
    long outstanding = 300 * MB;
    for (int t = 1; t <= 60; t++) {
      outstanding += MB;
      if (t % 10 == 0) {
        send(io.memfleet.event.MemoryPools.newBuilder()
            .setHeader(header(jvm, Source.JFR, t - 0.5, seq++))
            .setPools(List.of(io.memfleet.event.PoolUsage.newBuilder()
                .setPool(io.memfleet.event.MemoryPool.DIRECT_BUFFERS)
                .setUsedBytes(t * MB).build())).build());
      }
      for (ProcessIdentity p : List.of(jvm, other)) {
        send(mapping(p, t, MB, outstanding, "PROT_READ|PROT_WRITE", 4, "mmap", "sysmalloc",
            "_int_malloc", "malloc", "os::malloc"));
      }
    }
    List<Observation> explained = out(Signal.OUTSTANDING).stream()
        .filter(o -> o.pid == jvm.getPid()).toList();
    List<Observation> unexplained = out(Signal.OUTSTANDING).stream()
        .filter(o -> o.pid == other.getPid()).toList();
    assertThat(unexplained).hasSize(6);
    assertThat(unexplained.get(5).value - unexplained.get(0).value).isEqualTo(50.0 * MB);
    // what is left of the first one stays within the 10 s between its pool reports
    assertThat(explained).hasSize(6).allMatch(o -> o.value >= 300.0 * MB
        && o.value <= 311.0 * MB);
  }

  @Test
  void mallocsHeapGrowingThroughTheBreakIsNamedByTheStackThatFaultsItIn() throws Exception {
    ProcessIdentity c = Events.process("node-1", 300, Runtime.NATIVE);
    send(mapping(c, 0.1, 2 * MB, 2 * MB, "PROT_READ", 1, "mmap", "_dl_map_object"));
    long outstanding = 2 * MB;
    for (int t = 1; t <= 12; t++) {
      outstanding += MB;
      send(brkRise(c, t, outstanding));
      send(PageFault.newBuilder().setHeader(header(c, Source.EBPF, t + 0.5, seq++))
          .setCount(64).setMajor(false).setStack(StackTrace.newBuilder().setHash(7)
              .setFrames(List.of("_int_malloc", "malloc", "leak_request_buffer", "main")).build())
          .build());
    }
    Observation o = out(Signal.OUTSTANDING).get(0);
    assertThat(o.poolHint).isEqualTo(io.memfleet.event.MemoryPool.MALLOC);
    assertThat(o.stackFrames).contains("leak_request_buffer");
  }

  /** The heap's break risen by 1 MiB to {@code outstanding} mapped bytes. */
  private MemoryMapping brkRise(ProcessIdentity p, double t, long outstanding) {
    return MemoryMapping.newBuilder().setHeader(header(p, Source.EBPF, t, seq++))
        .setOp(MappingOp.BRK).setAddress(0x600000L + outstanding).setLengthBytes(MB)
        .setOutstandingBytes(outstanding).build();
  }

  private Allocation level(ProcessIdentity p, double t, AllocationKind kind, long bytes,
      long hash, String... frames) {
    return Allocation.newBuilder().setHeader(header(p, Source.EBPF, t, seq++)).setKind(kind)
        .setSizeBytes(0).setWeightBytes(0).setOutstandingBytes(bytes)
        .setStack(StackTrace.newBuilder().setHash(hash).setFrames(List.of(frames)).build())
        .build();
  }

  @Test
  void theCollectorsLevelsNameTheStackWhoseMemoryStaysNotTheChurnThatFaultsAndMapsMore()
      throws Exception {
    // a C server: its heap grows through the break by a leaked copy per request while request
    // parsing faults in 20 times as much (malloc trims and hands the pages out again), and it
    // maps a scratch image per request that it unmaps; the collector's levels say what stays
    ProcessIdentity c = Events.process("node-1", 300, Runtime.NATIVE);
    long outstanding = 2 * MB;
    for (int t = 1; t <= 70; t++) {
      outstanding += MB;
      send(brkRise(c, t, outstanding));
      send(PageFault.newBuilder().setHeader(header(c, Source.EBPF, t + 0.5, seq++))
          .setCount(64 * 20).setMajor(false).setStack(StackTrace.newBuilder().setHash(8)
              .setFrames(List.of("memset", "parse_request", "main")).build()).build());
      send(PageFault.newBuilder().setHeader(header(c, Source.EBPF, t + 0.6, seq++))
          .setCount(64).setMajor(false).setStack(StackTrace.newBuilder().setHash(7)
              .setFrames(List.of("_int_malloc", "leak_request_buffer", "main")).build())
          .build());
      if (t % 10 == 0) {
        send(level(c, t + 0.7, AllocationKind.FAULTED_IN, 3 * MB, 8, "memset", "parse_request",
            "main"));
        send(level(c, t + 0.8, AllocationKind.FAULTED_IN, t * MB, 7, "_int_malloc",
            "leak_request_buffer", "main"));
        send(level(c, t + 0.9, AllocationKind.FAULTED_IN, 8 * MB, 9, "memset", "load_config",
            "main"));
      }
    }
    List<Observation> heap = out(Signal.OUTSTANDING);
    assertThat(heap).isNotEmpty();
    assertThat(heap.get(0).stackFrames).as("before any level: the sums").contains(
        "parse_request");
    assertThat(heap.get(heap.size() - 1).stackFrames).contains("leak_request_buffer");
    assertThat(heap).filteredOn(o -> o.stackFrames != null).isNotEmpty()
        .as("no allocator probes: named by first touches, and marked so")
        .allMatch(o -> o.firstTouch);
  }

  @Test
  void whileTheAllocatorIsProbedItsOutstandingBytesNameTheHeapsGrowthNotFirstTouches()
      throws Exception {
    // a malloc heap growing by a leak beside churn: new heap pages are touched first as often by
    // the churn as by the leak, so the faulted-in levels favour the churn; the malloc
    // escalation's outstanding bytes by stack say who keeps what it allocated
    ProcessIdentity c = Events.process("node-1", 320, Runtime.NATIVE);
    long outstanding = 2 * MB;
    for (int t = 1; t <= 70; t++) {
      outstanding += MB;
      send(brkRise(c, t, outstanding));
      if (t % 10 == 0) {
        send(level(c, t + 0.7, AllocationKind.FAULTED_IN, t * MB * 6 / 10, 8, "memset",
            "parse_request", "main"));
        send(level(c, t + 0.8, AllocationKind.FAULTED_IN, t * MB * 4 / 10, 7,
            "leak_request_buffer", "main"));
      }
      if (t >= 40 && t % 5 == 0) {
        send(level(c, t + 0.9, AllocationKind.OUTSTANDING, (t - 35) * MB, 11,
            "leak_request_buffer", "main"));
        send(level(c, t + 0.9, AllocationKind.OUTSTANDING, 64 * 1024, 12, "parse_request",
            "main"));
      }
    }
    List<Observation> heap = out(Signal.OUTSTANDING).stream()
        .filter(o -> "mmap".equals(o.series)).toList();
    assertThat(heap).isNotEmpty();
    assertThat(heap).filteredOn(o -> o.stackFrames != null && o.utcNs < Events.ns(40)).isNotEmpty()
        .allSatisfy(o -> assertThat(o.stackFrames).startsWith("memset\nparse_request"))
        .allMatch(o -> o.firstTouch);
    Observation last = heap.get(heap.size() - 1);
    assertThat(last.stackFrames).startsWith("leak_request_buffer");
    assertThat(last.firstTouch).as("named by what the stack holds").isFalse();
  }

  @Test
  void directBufferGrowthIsNamedByTheProbesStackWhoseLiveBuffersGrowNotTheChurn()
      throws Exception {
    // a gateway keeps a 64 KiB direct buffer per closed connection while every request reads
    // through scratch buffers it drops: the probe's levels say which stack's buffers stay
    ProcessIdentity gw = Events.process("node-1", 310, Runtime.JVM);
    for (int t = 1; t <= 60; t++) {
      send(io.memfleet.event.MemoryPools.newBuilder()
          .setHeader(header(gw, Source.JFR, t, seq++))
          .setPools(List.of(io.memfleet.event.PoolUsage.newBuilder()
              .setPool(io.memfleet.event.MemoryPool.DIRECT_BUFFERS)
              .setUsedBytes((8L + t) * MB).setLimitBytes(1024 * MB).build()))
          .build());
      if (t % 10 == 0) {
        send(Allocation.newBuilder().setHeader(header(gw, Source.JFR, t + 0.5, seq++))
            .setKind(AllocationKind.OUTSTANDING).setObjectClass("java.nio.DirectByteBuffer")
            .setSizeBytes(0).setWeightBytes(0).setOutstandingBytes(2 * MB)
            .setStack(StackTrace.newBuilder().setHash(21).setFrames(List.of(
                "java.nio.ByteBuffer.allocateDirect:332", "app.Gateway.readScratch:40")).build())
            .build());
        send(Allocation.newBuilder().setHeader(header(gw, Source.JFR, t + 0.6, seq++))
            .setKind(AllocationKind.OUTSTANDING).setObjectClass("java.nio.DirectByteBuffer")
            .setSizeBytes(0).setWeightBytes(0).setOutstandingBytes(t * MB)
            .setStack(StackTrace.newBuilder().setHash(22).setFrames(List.of(
                "java.nio.ByteBuffer.allocateDirect:332", "app.Gateway.keepConnection:51"))
                .build())
            .build());
      }
    }
    List<Observation> direct = out(Signal.POOL).stream()
        .filter(o -> "DIRECT_BUFFERS".equals(o.series)).toList();
    assertThat(direct).isNotEmpty();
    assertThat(direct.get(0).stackFrames).as("before the probe's second report").isNull();
    assertThat(direct.get(direct.size() - 1).stackFrames).contains("keepConnection");
    assertThat(out(Signal.OUTSTANDING)).as("the probe's levels are no malloc series").isEmpty();

    send(ProcessLifecycle.newBuilder().setHeader(header(gw, Source.PROCFS, 70, seq++))
        .setPhase(LifecyclePhase.EXITED).build());
    assertThat(h.numKeyedStateEntries()).isZero();
  }

  @Test
  void aThreadLeakIsNamedByTheStackWhoseStartedThreadsStayNotTheBiggestPool() throws Exception {
    // a server's pool holds 200 threads from its start; a scheduler starts a thread per job
    // that never ends: the JFR thread counts carry both groups, the growing one is named
    ProcessIdentity app = Events.process("node-1", 320, Runtime.JVM);
    StackTrace pool = StackTrace.newBuilder().setHash(31).setFrames(List.of(
        "java.util.concurrent.ThreadPoolExecutor.addWorker:945", "app.Server.start:12")).build();
    StackTrace jobs = StackTrace.newBuilder().setHash(32).setFrames(List.of(
        "app.Scheduler.startJob:75", "app.Scheduler.main:40")).build();
    for (int t = 1; t <= 60; t++) {
      send(ThreadCount.newBuilder().setHeader(header(app, Source.JFR, t, seq++))
          .setKind(ThreadKind.JAVA_THREADS).setCount(220 + 5L * t)
          .setStacks(List.of(
              io.memfleet.event.StackCount.newBuilder().setStack(pool).setCount(200).build(),
              io.memfleet.event.StackCount.newBuilder().setStack(jobs).setCount(5L * t).build()))
          .build());
    }
    List<Observation> threads = out(Signal.THREADS);
    assertThat(threads).isNotEmpty();
    assertThat(threads.get(threads.size() - 1).stackFrames).startsWith("app.Scheduler.startJob");

    send(ProcessLifecycle.newBuilder().setHeader(header(app, Source.PROCFS, 70, seq++))
        .setPhase(LifecyclePhase.EXITED).build());
    assertThat(h.numKeyedStateEntries()).isZero();
  }

  @Test
  void aGoroutineLeakIsNamedByTheGroupThatGrowsNotTheLargerSteadyPool() throws Exception {
    // 2000 workers parked in their loop from the start; a leak parks 5 more a second elsewhere:
    // the goroutine profile lists the pool first for minutes, the leak is named from the start
    ProcessIdentity svc = Events.process("node-1", 322, Runtime.GO);
    StackTrace workers = StackTrace.newBuilder().setHash(51).setFrames(List.of(
        "runtime.gopark", "runtime.chanrecv", "main.worker")).build();
    StackTrace leak = StackTrace.newBuilder().setHash(52).setFrames(List.of(
        "runtime.gopark", "runtime.chanrecv", "main.waitForReply")).build();
    for (int t = 1; t <= 60; t++) {
      send(ThreadCount.newBuilder().setHeader(header(svc, Source.GO_EXPVAR, t, seq++))
          .setKind(ThreadKind.GOROUTINES).setCount(2000 + 5L * t)
          .setStacks(List.of(
              io.memfleet.event.StackCount.newBuilder().setStack(workers).setCount(2000).build(),
              io.memfleet.event.StackCount.newBuilder().setStack(leak).setCount(5L * t).build()))
          .build());
    }
    List<Observation> goroutines = out(Signal.GOROUTINES);
    assertThat(goroutines).hasSizeGreaterThan(1);
    assertThat(goroutines.get(goroutines.size() - 1).stackFrames).contains("main.waitForReply");

    send(ProcessLifecycle.newBuilder().setHeader(header(svc, Source.PROCFS, 70, seq++))
        .setPhase(LifecyclePhase.EXITED).build());
    assertThat(h.numKeyedStateEntries()).isZero();
  }

  @Test
  void aClassLoaderLeakIsNamedByTheStackWhoseDefinedClassesStay() throws Exception {
    // the application's own classes come from one stack at start-up and stay as they are; a
    // plugin host defines its plugin afresh in a new loader three times a second and keeps them
    ProcessIdentity app = Events.process("node-1", 321, Runtime.JVM);
    StackTrace boot = StackTrace.newBuilder().setHash(41).setFrames(List.of(
        "java.lang.ClassLoader.defineClass1", "app.Main.main:9")).build();
    StackTrace plugins = StackTrace.newBuilder().setHash(42).setFrames(List.of(
        "java.lang.ClassLoader.defineClass:1017", "app.PluginLoader.loadClass:52",
        "app.PluginRegistry.reload:80")).build();
    for (int t = 1; t <= 60; t++) {
      send(MemoryPools.newBuilder().setHeader(header(app, Source.JFR, t, seq++))
          .setPools(List.of(PoolUsage.newBuilder().setPool(MemoryPool.METASPACE)
              .setUsedBytes(40 * MB + t * MB / 2)
              .setStacks(List.of(
                  io.memfleet.event.StackCount.newBuilder().setStack(boot).setCount(3000).build(),
                  io.memfleet.event.StackCount.newBuilder().setStack(plugins).setCount(3L * t)
                      .build()))
              .build()))
          .build());
    }
    List<Observation> metaspace = out(Signal.POOL).stream()
        .filter(o -> "METASPACE".equals(o.series)).toList();
    assertThat(metaspace).isNotEmpty();
    assertThat(metaspace.get(metaspace.size() - 1).stackFrames).contains("app.PluginLoader");

    send(ProcessLifecycle.newBuilder().setHeader(header(app, Source.PROCFS, 70, seq++))
        .setPhase(LifecyclePhase.EXITED).build());
    assertThat(h.numKeyedStateEntries()).isZero();
  }

  @Test
  void stacksAreBoundedPerProcessAndStateIsClearedOnExit() throws Exception {
    for (int t = 0; t <= 10; t += 10) {
      for (long stack = 1; stack <= 7; stack++) {
        send(Allocation.newBuilder().setHeader(header(jvm, Source.EBPF, t, seq++))
            .setKind(AllocationKind.OUTSTANDING).setSizeBytes(1).setWeightBytes(1)
            .setOutstandingBytes(stack * MB + t)
            .setStack(StackTrace.newBuilder().setHash(stack)
                .setFrames(List.of("f" + stack, "main")).build()).build());
      }
    }
    // max 6 series per process: stack 7 is ignored
    List<Observation> outstanding = out(Signal.OUTSTANDING);
    assertThat(outstanding).extracting(o -> o.series)
        .containsExactlyInAnyOrder("stack:1", "stack:2", "stack:3", "stack:4", "stack:5",
            "stack:6");
    assertThat(outstanding.get(0).stackFrames).isEqualTo("f1\nmain");
    assertThat(h.numKeyedStateEntries()).isGreaterThan(0);
    assertThat(h.numProcessingTimeTimers()).isEqualTo(1);

    send(ProcessLifecycle.newBuilder().setHeader(header(jvm, Source.PROCFS, 30, seq++))
        .setPhase(LifecyclePhase.EXITED).build());
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numProcessingTimeTimers()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void seriesOfOneSignalThatTakeTurnsKeepTheirOwnBuckets() throws Exception {
    // JFR's Java threads and procfs's OS threads: two series of THREADS, event after event
    for (int t = 0; t <= 10; t += 10) {
      for (int i = 0; i < 3; i++) {
        send(ThreadCount.newBuilder().setHeader(header(jvm, Source.JFR, t + i, seq++))
            .setKind(ThreadKind.JAVA_THREADS).setCount(20 + t + i).build());
        send(ThreadCount.newBuilder().setHeader(header(jvm, Source.PROCFS, t + i + 0.5, seq++))
            .setKind(ThreadKind.OS_THREADS).setCount(50 + t + i).build());
      }
    }
    List<Observation> threads = out(Signal.THREADS);
    assertThat(threads).extracting(o -> o.series).containsExactlyInAnyOrder("java", "os");
    assertThat(threads).allSatisfy(o -> assertThat(o.count).isEqualTo(3));
    assertThat(threads).allSatisfy(o -> assertThat(o.newest).isEqualTo(
        "java".equals(o.series) ? 22.0 : 52.0));
  }

  @Test
  void idleProcessIsForgotten() throws Exception {
    h.setProcessingTime(1_000);
    send(ThreadCount.newBuilder().setHeader(header(go, Source.GO_EXPVAR, 0, seq++))
        .setKind(ThreadKind.GOROUTINES).setCount(10).build());
    assertThat(h.numKeyedStateEntries()).isGreaterThan(0);
    h.setProcessingTime(1_000 + Duration.ofMinutes(10).toMillis());
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numProcessingTimeTimers()).isZero();
  }
}
