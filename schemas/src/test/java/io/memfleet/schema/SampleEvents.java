package io.memfleet.schema;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.DeadLetter;
import io.memfleet.event.EventHeader;
import io.memfleet.event.Evidence;
import io.memfleet.event.Free;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.OomDetection;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.OomKill;
import io.memfleet.event.StackCount;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.OomSnapshot;
import io.memfleet.event.PageFault;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Severity;
import io.memfleet.event.SnapshotEvent;
import io.memfleet.event.Source;
import io.memfleet.event.StackTrace;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Fully populated, realistic instances of every top-level record type: a JVM service leaking
 * into a cache, seen by every source on one node. Every optional field is set, so a round trip
 * exercises every branch of every union. Other modules may copy this fixture.
 *
 * <pre>{@code
 * for (SpecificRecord r : SampleEvents.all()) {
 *   assertThat(codec.decode(codec.encode(r))).isEqualTo(r);
 * }
 * }</pre>
 */
public final class SampleEvents {

  public static final String BOOT_ID = "6f1c2e0a-93b4-4d8e-a1f7-2c5d9b3e7a10";
  /** 2025-03-14T09:26:53.589Z. */
  public static final long NOW_NS = 1_741_944_413_589_793_238L;
  public static final long MONOTONIC_NS = 8_812_334_501_227L;
  public static final long GC_ID = 4_211L;

  private SampleEvents() {}

  /** One of each top-level record type, in {@link EventTypes#ALL} order. */
  public static List<SpecificRecord> all() {
    return List.of(
        allocation(), free(), gcCycle(), gcPause(), heapSummary(), residentMemory(),
        memoryMapping(), pageFault(), threadCount(), oomKill(), clockSync(), processLifecycle(),
        memoryPools(), alert(), oomSnapshot(), deadLetter());
  }

  public static ProcessIdentity process() {
    return ProcessIdentity.newBuilder()
        .setCluster("prod-eu-west-1")
        .setNode("ip-10-42-7-19.eu-west-1.compute.internal")
        .setBootId(BOOT_ID)
        .setPid(48_211)
        .setProcessStartTimeMs(1_741_930_002_140L)
        .setComm("java")
        .setRuntime(Runtime.JVM)
        .setService("checkout")
        .setNamespace("shop")
        .setPod("checkout-7d9f8b6c5-x2kqp")
        .setContainer("checkout")
        .setCgroupPath("/kubepods/burstable/pod3b1e9c2a-5f7d-4e21-9a0b-8c6d2f4e1a73/"
            + "4f2a9e7c1b3d5f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a")
        .setLabels(Map.of("app", "checkout", "version", "2025.03.2"))
        .build();
  }

  public static EventHeader header(
      Source source, ClockDomain clock, long rawTimestamp, long sequence) {
    return EventHeader.newBuilder()
        .setProcess(process())
        .setSource(source)
        .setClockDomain(clock)
        .setRawTimestamp(rawTimestamp)
        .setCollector("memfleet-collector-ip-10-42-7-19")
        .setSequence(sequence)
        .build();
  }

  public static StackTrace javaStack() {
    return StackTrace.newBuilder()
        .setHash(0x5a3c_91e2_07bd_4f18L)
        .setFrames(List.of(
            "java.util.HashMap.resize",
            "java.util.HashMap.putVal",
            "java.util.HashMap.put",
            "com.example.checkout.PriceCache.remember",
            "com.example.checkout.CheckoutService.quote"))
        .setTruncated(false)
        .build();
  }

  public static StackTrace nativeStack() {
    return StackTrace.newBuilder()
        .setHash(0x1f0e_2d3c_4b5a_6978L)
        .setFrames(List.of(
            "malloc", "Unsafe_AllocateMemory0", "libjvm.so+0x9a3f10", "libjvm.so+0x6c01a4"))
        .setTruncated(true)
        .build();
  }

  public static Allocation allocation() {
    return Allocation.newBuilder()
        .setHeader(header(Source.JFR, ClockDomain.JFR_TICKS, 91_337_205_118L, 1001L))
        .setKind(AllocationKind.JAVA_OLD_OBJECT)
        .setObjectClass("java.util.HashMap$Node[]")
        .setSizeBytes(4_112)
        .setWeightBytes(2_097_152)
        .setAddress(0x7f3a_c012_4e80L)
        .setStack(javaStack())
        .setThreadName("http-nio-8080-exec-7")
        .setAllocationTimeRaw(88_102_554_002L)
        .setAgeNs(3_234_651_116L)
        .setOutstandingBytes(52_428_800L)
        .setInstances(6_400L)
        .build();
  }

  public static Free free() {
    return Free.newBuilder()
        .setHeader(header(Source.EBPF, ClockDomain.MONOTONIC, MONOTONIC_NS + 1_200, 1002L))
        .setKind(AllocationKind.MALLOC)
        .setAddress(0x7f3a_9c00_1010L)
        .setSizeBytes(65_536L)
        .build();
  }

  public static GcCycle gcCycle() {
    return GcCycle.newBuilder()
        .setHeader(header(Source.JFR, ClockDomain.JFR_TICKS, 91_337_100_000L, 1003L))
        .setGcId(GC_ID)
        .setCollectorName("G1 Old Generation")
        .setCause("G1 Humongous Allocation")
        .setGeneration(GcGeneration.MIXED)
        .setHeapBeforeBytes(1_879_048_192L)
        .setHeapAfterBytes(1_342_177_280L)
        .setLiveBytes(1_301_234_688L)
        .setHeapGoalBytes(1_610_612_736L)
        .setDurationNs(41_822_300L)
        .setSumOfPausesNs(18_004_100L)
        .setForced(false)
        .setGcCpuFraction(0.034)
        .build();
  }

  public static GcPause gcPause() {
    return GcPause.newBuilder()
        .setHeader(header(Source.JFR, ClockDomain.JFR_TICKS, 91_337_100_450L, 1004L))
        .setGcId(GC_ID)
        .setPhase("GC Pause")
        .setDurationNs(18_004_100L)
        .build();
  }

  public static HeapSummary heapSummary() {
    return HeapSummary.newBuilder()
        .setHeader(header(Source.JFR, ClockDomain.JFR_TICKS, 91_337_142_000L, 1005L))
        .setPhase(HeapPhase.AFTER_GC)
        .setGcId(GC_ID)
        .setUsedBytes(1_342_177_280L)
        .setCommittedBytes(2_147_483_648L)
        .setReservedBytes(4_294_967_296L)
        .setMaxBytes(2_147_483_648L)
        .setUsableMaxBytes(2_080_374_784L)
        .setNextGcBytes(1_610_612_736L)
        .setObjects(18_223_410L)
        .build();
  }

  public static ResidentMemory residentMemory() {
    return ResidentMemory.newBuilder()
        .setHeader(header(Source.PROCFS, ClockDomain.REALTIME, NOW_NS, 1006L))
        .setRssBytes(2_936_012_800L)
        .setPssBytes(2_901_000_192L)
        .setAnonBytes(2_810_183_680L)
        .setFileBytes(121_634_816L)
        .setShmemBytes(4_194_304L)
        .setSwapBytes(0L)
        .setVmSizeBytes(7_516_192_768L)
        .setCgroupVersion(1)
        .setCgroupUsageBytes(3_006_477_107L)
        .setCgroupLimitBytes(3_221_225_472L)
        .setCgroupOomKills(2L)
        .setCgroupAnonBytes(2_401_112_064L)
        .setCgroupFileBytes(409_600_000L)
        .setCgroupShmemBytes(16_777_216L)
        .setCgroupInactiveFileBytes(301_989_888L)
        .setCgroupWorkingSetBytes(2_615_148_544L)
        .setCgroupSwapBytes(0L)
        .setCgroupHighBytes(3_000_000_000L)
        .setCgroupHighEvents(14L)
        .setCgroupMaxEvents(2L)
        .setPsiSomeAvg10(3.25)
        .setPsiFullAvg10(0.5)
        .build();
  }

  public static MemoryMapping memoryMapping() {
    return MemoryMapping.newBuilder()
        .setHeader(header(Source.EBPF, ClockDomain.MONOTONIC, MONOTONIC_NS, 1007L))
        .setOp(MappingOp.MMAP)
        .setAddress(0x7f3a_8000_0000L)
        .setLengthBytes(67_108_864L)
        .setProtection("PROT_READ|PROT_WRITE")
        .setFlags("MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE")
        .setPath("/dev/shm/checkout-arena-3")
        .setStack(nativeStack())
        .setOutstandingBytes(805_306_368L)
        .build();
  }

  public static PageFault pageFault() {
    return PageFault.newBuilder()
        .setHeader(header(Source.PERF, ClockDomain.PERF_CLOCK, MONOTONIC_NS + 5_000, 1008L))
        .setAddress(0x7f3a_8012_3000L)
        .setCount(1_000)
        .setMajor(false)
        .setStack(nativeStack())
        .build();
  }

  public static ProcessLifecycle processLifecycle() {
    return ProcessLifecycle.newBuilder()
        .setHeader(header(Source.PROCFS, ClockDomain.REALTIME, NOW_NS + 5_000_000L, 12L))
        .setPhase(LifecyclePhase.EXITED)
        .setExitCode(137)
        .setOomKilled(true)
        .setParentPid(1)
        .setCmdline("java -Xmx512m -jar checkout.jar")
        .build();
  }

  public static ThreadCount threadCount() {
    return ThreadCount.newBuilder()
        .setHeader(header(Source.JFR, ClockDomain.JFR_TICKS, 91_337_150_000L, 1009L))
        .setKind(ThreadKind.JAVA_THREADS)
        .setCount(412)
        .setDaemonCount(377L)
        .setPeakCount(430L)
        .setStacks(List.of(StackCount.newBuilder().setStack(javaStack()).setCount(371L).build()))
        .build();
  }

  public static OomKill oomKill() {
    return OomKill.newBuilder()
        .setHeader(header(Source.EBPF, ClockDomain.MONOTONIC, MONOTONIC_NS + 9_000_000, 1010L))
        .setDetectedBy(OomDetection.TRACEPOINT)
        .setVictimComm("java")
        .setCgroupPath(process().getCgroupPath())
        .setRssBytesAtKill(3_217_031_168L)
        .setCgroupLimitBytes(3_221_225_472L)
        .setOomKillCount(3L)
        .setConstraint("CONSTRAINT_MEMCG")
        .setPool(MemoryPool.HEAP)
        .setErrorMessage("Java heap space (inferred: back-to-back full collections left the heap"
            + " 97% full)")
        .build();
  }

  public static ClockSync clockSync() {
    return ClockSync.newBuilder()
        .setHeader(header(Source.JFR, ClockDomain.JFR_TICKS, 91_337_205_900L, 1011L))
        .setRealtimeNs(NOW_NS)
        .setMonotonicNs(MONOTONIC_NS)
        .setDomainValue(91_337_205_900L)
        .setDomainFrequencyHz(1_000_000_000L)
        .setUncertaintyNs(310L)
        .setBootId(BOOT_ID)
        .build();
  }

  public static Alert alert() {
    return Alert.newBuilder()
        .setAlertId("alrt-01JPB6Q4ZK3W8M2N5R7T9V1X3Y")
        .setFingerprint("live-set-growth/checkout/5a3c91e207bd4f18")
        .setRule("live-set-growth")
        .setSeverity(Severity.CRITICAL)
        .setStatus(AlertStatus.FIRING)
        .setProcess(process())
        .setFirstSeenUtcNs(NOW_NS - 1_800_000_000_000L)
        .setLastSeenUtcNs(NOW_NS)
        .setGrowthBytesPerSecond(291_271.1)
        .setTimeToOomSeconds(2_952.4)
        .setForecastOomUtcNs(NOW_NS + 2_952_400_000_000L)
        .setSummary("checkout live set after GC grew 512 MiB in 30 min; OOM in ~49 min")
        .setTopStack(javaStack())
        .setObjectClass("java.util.HashMap$Node[]")
        .setPool(MemoryPool.HEAP)
        .setVerdict("heap grows 284 KiB/s, most retained by java.util.HashMap$Node[] from"
            + " com.acme.checkout.SessionStore.remember")
        .setEvidence(List.of(
            Evidence.newBuilder().setUtcNs(NOW_NS - 1_800_000_000_000L)
                .setKind("GcCycle.liveBytes").setValue(764_411_904d).setUnit("bytes")
                .setDescription("live set after GC 4102").build(),
            Evidence.newBuilder().setUtcNs(NOW_NS)
                .setKind("GcCycle.liveBytes").setValue(1_301_234_688d).setUnit("bytes")
                .setDescription("live set after GC 4211").build()))
        .build();
  }

  public static OomSnapshot oomSnapshot() {
    return OomSnapshot.newBuilder()
        .setSnapshotId("oom-prod-eu-west-1-48211-1741944413589")
        .setProcess(process())
        .setKillUtcNs(NOW_NS + 9_000_000)
        .setOomKill(oomKill())
        .setWindowNs(5_000_000_000L)
        .setEvents(List.of(
            SnapshotEvent.newBuilder()
                .setUtcNs(NOW_NS)
                .setErrorBoundNs(1_200)
                .setKind("ResidentMemory")
                .setSource(Source.PROCFS)
                .setSummary("rss 2.73 GiB, cgroup 2.80 / 3.00 GiB")
                // a real snapshot holds EventCodec output; any bytes do for the fixture
                .setEncoded(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8}))
                .build()))
        .setPool(MemoryPool.HEAP)
        .setVerdict("heap grew 412 MiB in the last 60 s (to 2.9 GiB of a 3.0 GiB limit)")
        .setPoolGrowthBytes(Map.of("HEAP", 432_013_312d, "RSS", 440_401_920d))
        .build();
  }

  public static MemoryPools memoryPools() {
    return MemoryPools.newBuilder()
        .setHeader(header(Source.JFR, ClockDomain.REALTIME, NOW_NS + 7_000_000L, 1013L))
        .setPools(List.of(
            PoolUsage.newBuilder().setPool(MemoryPool.METASPACE).setUsedBytes(98_566_144L)
                .setCommittedBytes(101_711_872L).setLimitBytes(268_435_456L).setCount(21_877L)
                .build(),
            PoolUsage.newBuilder().setPool(MemoryPool.DIRECT_BUFFERS).setUsedBytes(67_108_864L)
                .setCommittedBytes(67_108_864L).setLimitBytes(536_870_912L).setCount(1024L)
                .build()))
        .setSettings(Map.of("gc", "G1", "MaxMetaspaceSize", "268435456"))
        .build();
  }

  public static DeadLetter deadLetter() {
    return DeadLetter.newBuilder()
        .setTopic("memfleet.events.ebpf")
        .setPartition(7)
        .setOffset(18_446_112L)
        .setKey(ByteBuffer.wrap("prod-eu-west-1/ip-10-42-7-19/48211/1741930002140"
            .getBytes(StandardCharsets.UTF_8)))
        .setValue(ByteBuffer.wrap("{\"msg\":\"not avro\"}".getBytes(StandardCharsets.UTF_8)))
        .setReason("NOT_SINGLE_OBJECT_ENCODING: starts with 7B 22 6D 73, expected C3 01")
        .setErrorType("io.memfleet.schema.codec.EventDecodeException")
        .setStage("decode")
        .setFailedAtMs(1_741_944_413_601L)
        .setTruncated(true) // as if cut by the pipeline: both original sizes are known
        .setOriginalKeyBytes(46)
        .setOriginalValueBytes(1_048_576)
        .build();
  }
}
