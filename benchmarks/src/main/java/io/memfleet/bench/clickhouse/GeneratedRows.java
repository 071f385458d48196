package io.memfleet.bench.clickhouse;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.pipeline.aggregate.ProcessWindow;
import io.memfleet.pipeline.model.TimeBasis;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * The sink benchmark's input: element number {@code i} is always the same value, so the Flink job
 * and the baseline insert write identical rows. Elements cycle through {@code processes}
 * processes; element {@code i} is process {@code i % processes} at step {@code i / processes}.
 */
final class GeneratedRows {
  private static final Runtime[] RUNTIMES = {Runtime.JVM, Runtime.GO, Runtime.NATIVE};
  private static final long GIB = 1L << 30;

  private GeneratedRows() {}

  /** Rows of {@code process_memory_10s} / {@code _1m}: one window per process and step. */
  static final class Windows implements MapFunction<Long, ProcessWindow> {
    private static final long serialVersionUID = 1L;
    private final long startMs;
    private final long stepMs;
    private final int processes;

    Windows(long startMs, long stepMs, int processes) {
      this.startMs = startMs;
      this.stepMs = stepMs;
      this.processes = processes;
    }

    @Override
    public ProcessWindow map(Long index) {
      long i = index;
      int p = (int) (i % processes);
      long step = i / processes;
      ProcessWindow w = new ProcessWindow();
      w.windowStartMs = startMs + step * stepMs;
      w.windowEndMs = w.windowStartMs + stepMs;
      w.cluster = "prod-" + (p % 3 == 0 ? "eu" : p % 3 == 1 ? "us" : "ap") + "-1";
      w.node = w.cluster + "-node-" + p / 4;
      w.service = "svc-" + p % 20;
      w.namespace = "ns-" + p % 5;
      w.pod = w.service + "-" + p;
      w.container = w.service;
      w.pid = 1000 + p;
      w.processStartTimeMs = startMs - p * 1000L;
      w.runtime = RUNTIMES[p % 20 % 3];
      w.comm = w.runtime == Runtime.JVM ? "java" : w.runtime == Runtime.GO ? "server" : "nativesvc";
      long limit = (1 + p % 4) * GIB;
      w.rssMax = limit / 3 + (step * 4096) % (limit / 2) + mix(i) % (64L << 20);
      w.rssAvg = w.rssMax * 0.97;
      w.rssLast = w.rssMax - mix(i + 1) % (8L << 20);
      boolean managed = w.runtime != Runtime.NATIVE;
      w.managedCommittedMax = managed ? w.rssMax * 7 / 10 : 0;
      w.managedUsedMax = managed ? w.managedCommittedMax * (55 + mix(i + 2) % 40) / 100 : 0;
      w.managedLimit = w.runtime == Runtime.JVM ? limit * 3 / 4 : 0;
      w.heapAfterGcMin = w.managedUsedMax / 2;
      w.nativeMax = w.rssMax - w.managedCommittedMax;
      w.nativeLast = w.nativeMax - mix(i + 3) % (4L << 20);
      w.cgroupUsageMax = w.rssMax * 106 / 100;
      w.cgroupLimit = limit;
      w.threadsMax = 20 + p % 60;
      w.goroutinesMax = w.runtime == Runtime.GO ? 150 + mix(i) % 300 : 0;
      w.gcCount = managed ? (int) (1 + mix(i + 4) % 8) : 0;
      w.gcPauseP50Ns = 2_000_000 + mix(p) % 3_000_000;
      w.gcPauseP99Ns = w.gcPauseP50Ns * 4;
      w.gcPauseMaxNs = w.gcPauseP99Ns * 13 / 10;
      w.gcPauseTotalNs = w.gcCount * w.gcPauseP50Ns * 14 / 10;
      w.gcCpuFraction = w.gcPauseTotalNs / (stepMs * 1e6);
      w.allocBytes = (20 + mix(i + 5) % 200) << 20;
      w.samples = (int) Math.max(3, stepMs / 10_000 * 3);
      return w;
    }
  }

  /**
   * Events as the pipeline carries them ({@link TimedEvent} with the Avro value bytes): every
   * process reports resident memory, a heap summary and a GC pause per step, or only GC pauses.
   * Payloads come from a pool of one encoded record per process and kind, built on first use.
   */
  static final class Events implements MapFunction<Long, TimedEvent> {
    private static final long serialVersionUID = 1L;
    private static final String[] KINDS = {"ResidentMemory", "HeapSummary", "GcPause"};
    private final long startMs;
    private final int processes;
    private final boolean gcPausesOnly;
    private transient byte[][] pool;

    Events(long startMs, int processes, boolean gcPausesOnly) {
      this.startMs = startMs;
      this.processes = processes;
      this.gcPausesOnly = gcPausesOnly;
    }

    @Override
    public TimedEvent map(Long index) {
      long i = index;
      int p = (int) (i % processes);
      long step = i / processes;
      int kind = gcPausesOnly ? 2 : (int) (step % 3);
      TimedEvent e = new TimedEvent();
      e.kind = KINDS[kind];
      e.runtime = RUNTIMES[p % 20 % 3];
      e.source = kind == 0 ? Source.PROCFS : e.runtime == Runtime.GO ? Source.GO_GCTRACE
          : Source.JFR;
      e.clockDomain = ClockDomain.REALTIME;
      e.cluster = "prod-" + (p % 3 == 0 ? "eu" : p % 3 == 1 ? "us" : "ap") + "-1";
      e.node = e.cluster + "-node-" + p / 4;
      e.bootId = "boot-" + p / 4;
      e.pid = 1000 + p;
      e.processStartTimeMs = startMs - p * 1000L;
      e.comm = e.runtime == Runtime.JVM ? "java" : "server";
      e.service = "svc-" + p % 20;
      e.namespace = "ns-" + p % 5;
      e.pod = e.service + "-" + p;
      e.container = e.service;
      e.sequence = step;
      e.utcNs = (startMs + step * 1000L) * 1_000_000L + mix(i) % 1_000_000L;
      e.rawTimestamp = e.utcNs;
      e.errorBoundNs = 20_000 + mix(i + 1) % 50_000;
      e.timeBasis = TimeBasis.REALTIME;
      if (kind == 0) {
        e.rssBytes = (1 + p % 4) * GIB / 3 + (step * 4096) % GIB;
      } else if (kind == 1) {
        e.heapUsedBytes = (1 + p % 4) * GIB / 5 + mix(i) % (256L << 20);
        e.heapCommittedBytes = (1 + p % 4) * GIB / 3;
        e.heapMaxBytes = (1 + p % 4) * GIB / 2;
      }
      e.payload = payloads()[p * 3 + kind];
      return e;
    }

    private byte[][] payloads() {
      if (pool == null) {
        EventCodec codec = EventCodec.fromClasspath();
        byte[][] built = new byte[processes * 3][];
        for (int p = 0; p < processes; p++) {
          for (int kind = 0; kind < 3; kind++) {
            built[p * 3 + kind] = codec.encode(record(p, kind));
          }
        }
        pool = built;
      }
      return pool;
    }

    private SpecificRecord record(int p, int kind) {
      Runtime runtime = RUNTIMES[p % 20 % 3];
      String cluster = "prod-" + (p % 3 == 0 ? "eu" : p % 3 == 1 ? "us" : "ap") + "-1";
      ProcessIdentity identity = ProcessIdentity.newBuilder().setCluster(cluster)
          .setNode(cluster + "-node-" + p / 4).setBootId("boot-" + p / 4).setPid(1000 + p)
          .setProcessStartTimeMs(startMs - p * 1000L)
          .setComm(runtime == Runtime.JVM ? "java" : "server").setRuntime(runtime)
          .setService("svc-" + p % 20).setNamespace("ns-" + p % 5).setPod("svc-" + p % 20 + "-" + p)
          .setContainer("svc-" + p % 20)
          .setCgroupPath("/kubepods/burstable/pod-" + p + "/svc-" + p % 20).build();
      EventHeader header = EventHeader.newBuilder().setProcess(identity)
          .setSource(kind == 0 ? Source.PROCFS : Source.JFR).setClockDomain(ClockDomain.REALTIME)
          .setRawTimestamp(startMs * 1_000_000L).setCollector("memfleet-bench/0.1")
          .setSequence(p).build();
      long limit = (1 + p % 4) * GIB;
      return switch (kind) {
        case 0 -> ResidentMemory.newBuilder().setHeader(header).setRssBytes(limit / 3)
            .setPssBytes(limit / 3 - 4096).setAnonBytes(limit / 4).setFileBytes(limit / 20)
            .setSwapBytes(0L).setVmSizeBytes(limit * 2).setCgroupVersion(1)
            .setCgroupUsageBytes(limit / 3 + (16L << 20)).setCgroupLimitBytes(limit)
            .setCgroupOomKills(0L).build();
        case 1 -> HeapSummary.newBuilder().setHeader(header).setPhase(HeapPhase.AFTER_GC)
            .setGcId((long) p).setUsedBytes(limit / 5).setCommittedBytes(limit / 3)
            .setReservedBytes(limit / 2).setMaxBytes(limit / 2).build();
        default -> GcPause.newBuilder().setHeader(header).setGcId((long) p)
            .setPhase("Pause Young (Normal)").setDurationNs(2_000_000L + p * 1000L).build();
      };
    }
  }

  /** A cheap, well-mixed hash, non-negative: the "noise" of generated measures. */
  static long mix(long x) {
    long z = x * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return (z ^ (z >>> 31)) & Long.MAX_VALUE;
  }
}
