package io.memfleet.bench.pipeline;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.EventHeader;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * One node of the simulated fleet: its boot, its CLOCK_MONOTONIC (an uptime of days, running a
 * few ppm off UTC, as real oscillators do), the memfleet collector that publishes its ClockSync
 * samples, and the processes it runs (JVM, Go and native in turn).
 *
 * <p>The host's CLOCK_REALTIME is taken as true UTC: what clock alignment has to recover is the
 * mapping from MONOTONIC to the host's realtime, which is what the ClockSync samples carry.
 *
 * <pre>{@code
 * SimulatedHost host = new SimulatedHost("bench", 3, 4, t0Ns, new Random(7));
 * long mono = host.monotonicAt(utcNs);                  // what eBPF would stamp
 * ClockSync sync = host.clockSync(utcNs, random);      // what the collector would publish
 * }</pre>
 */
final class SimulatedHost {
  private static final long DAY_NS = 86_400_000_000_000L;
  private static final Runtime[] RUNTIMES = {Runtime.JVM, Runtime.GO, Runtime.NATIVE};

  final String cluster;
  final String node;
  final String bootId;
  /** CLOCK_MONOTONIC at {@link #t0Ns}: the host has been up for days. */
  final long mono0;
  final long t0Ns;
  final double driftPpm;
  final ProcessIdentity collector;
  final List<SimulatedProcess> processes;
  private long clockSequence;

  SimulatedHost(String cluster, int index, int processCount, long t0Ns, Random random) {
    this.cluster = cluster;
    this.node = String.format("bench-node-%03d", index);
    this.bootId = new UUID(random.nextLong(), random.nextLong()).toString();
    this.t0Ns = t0Ns;
    this.mono0 = DAY_NS + (long) (random.nextDouble() * 30 * DAY_NS);
    this.driftPpm = (random.nextDouble() - 0.5) * 100; // ±50 ppm, a typical crystal
    long bootMs = (t0Ns - mono0) / 1_000_000L;
    this.collector = identity(4000 + index, bootMs + 5_000, "java", Runtime.JVM,
        "memfleet-collector", null);
    List<SimulatedProcess> list = new ArrayList<>(processCount);
    for (int i = 0; i < processCount; i++) {
      Runtime runtime = RUNTIMES[i % RUNTIMES.length];
      String comm = runtime == Runtime.JVM ? "java" : runtime == Runtime.GO ? "api-gw" : "imgproc";
      String service = comm + "-" + (i % 5);
      long startMs = bootMs + 60_000 + random.nextInt(3_600_000);
      list.add(new SimulatedProcess(
          identity(10_000 + 97 * i + index, startMs, comm, runtime, service, i), runtime));
    }
    this.processes = List.copyOf(list);
  }

  private ProcessIdentity identity(int pid, long startMs, String comm, Runtime runtime,
      String service, Integer replica) {
    ProcessIdentity.Builder b = ProcessIdentity.newBuilder()
        .setCluster(cluster).setNode(node).setBootId(bootId).setPid(pid)
        .setProcessStartTimeMs(startMs).setComm(comm).setRuntime(runtime)
        .setService(service).setNamespace("bench")
        .setLabels(Map.of("team", "capacity"));
    if (replica != null) {
      String pod = service + "-" + Integer.toHexString(0x5a00 + replica * 31 + pid % 97);
      b.setPod(pod).setContainer(comm)
          .setCgroupPath("/kubepods/burstable/pod-" + pod + "/" + Long.toHexString(startMs));
    }
    return b.build();
  }

  /** This host's CLOCK_MONOTONIC reading at a UTC instant. */
  long monotonicAt(long utcNs) {
    return mono0 + Math.round((utcNs - t0Ns) / (1 + driftPpm * 1e-6));
  }

  /**
   * A ClockSync as the collector's sampler publishes it near {@code utcNs}: realtime and
   * monotonic read back to back, the realtime reading somewhere inside a 2–20 µs bracket.
   */
  ClockSync clockSync(long utcNs, Random random) {
    long mono = monotonicAt(utcNs);
    long uncertainty = 2_000 + random.nextInt(18_000);
    long realtime = utcNs + (long) ((random.nextDouble() - 0.5) * uncertainty);
    EventHeader header = EventHeader.newBuilder().setProcess(collector).setSource(Source.PROCFS)
        .setClockDomain(ClockDomain.MONOTONIC).setRawTimestamp(mono)
        .setCollector("memfleet-collect-" + node).setSequence(++clockSequence).build();
    return ClockSync.newBuilder().setHeader(header).setRealtimeNs(realtime)
        .setMonotonicNs(mono).setDomainValue(mono).setDomainFrequencyHz(null)
        .setUncertaintyNs(uncertainty).setBootId(bootId).build();
  }

  /** A process of this host and the running state its events are made from. */
  static final class SimulatedProcess {
    final ProcessIdentity identity;
    final Runtime runtime;
    long sequence;
    long gcId;
    long heapUsed = 64L << 20;
    long threads = 40;
    long nextAddress = 0x7f3a_0000_0000L;

    SimulatedProcess(ProcessIdentity identity, Runtime runtime) {
      this.identity = identity;
      this.runtime = runtime;
    }
  }
}
