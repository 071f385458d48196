package io.memfleet.collector.ebpf.publish;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.ProbeEvent;
import io.memfleet.collector.ebpf.bpftrace.ProbeListener;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns {@code oom} events of the oom script ({@code oom:mark_victim}) into {@link OomKill}
 * events, {@code detectedBy=TRACEPOINT}, for whichever process the kernel killed.
 *
 * <p>The victim's identity is read from procfs at once (the victim is still exiting when the
 * event arrives, so usually it works); processes the collector already watches are known in
 * advance via {@link #remember}. A victim read while it exits shows the root cgroup (the kernel
 * moves exiting tasks there), so "/" is reported as an unknown cgroup. When the victim is gone
 * before it could be read, the identity is built from the event alone: pid and comm, with
 * {@code processStartTimeMs = 0}, runtime UNKNOWN and label {@code memfleet.identity=partial}.
 * rssBytesAtKill = anon + file + shmem (the tracepoint gives kB). The cgroup limit is read from
 * the victim's cgroup v1 or v2 memory files, best effort.
 *
 * <pre>{@code
 * OomKillPublisher oom = new OomKillPublisher(sink, headers, identities);
 * runner = BpftraceRunner.builder().script(BpftraceScript.OOM, Map.of()).listener(oom).build();
 * }</pre>
 */
public final class OomKillPublisher implements ProbeListener {
  private final EventSink sink;
  private final EventHeaders headers;
  private final ProcessIdentities identities;
  private final Map<Integer, ProcessIdentity> known = new ConcurrentHashMap<>();
  private final Path cgroupRoot;

  public OomKillPublisher(EventSink sink, EventHeaders headers, ProcessIdentities identities) {
    this(sink, headers, identities, Path.of("/sys/fs/cgroup"));
  }

  /** {@code cgroupRoot}: where the cgroup file systems are mounted (/host/sys/fs/cgroup). */
  public OomKillPublisher(EventSink sink, EventHeaders headers, ProcessIdentities identities,
      Path cgroupRoot) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.headers = Objects.requireNonNull(headers, "headers");
    this.identities = Objects.requireNonNull(identities, "identities");
    this.cgroupRoot = Objects.requireNonNull(cgroupRoot, "cgroupRoot");
  }

  /** An identity to use if {@code identity.pid} is killed (read ahead while it was alive). */
  public void remember(ProcessIdentity identity) {
    known.put(identity.getPid(), identity);
  }

  @Override
  public void onEvent(ProbeEvent e) {
    if (!e.name().equals("oom")) {
      return;
    }
    int pid = e.pid();
    String comm = e.field("comm") == null ? "" : e.field("comm");
    ProcessIdentity victim = known.get(pid);
    if (victim == null) {
      victim = readOrPartial(pid, comm);
    }
    long rssKb = e.longField("anon_rss_kb") + e.longField("file_rss_kb")
        + e.longField("shmem_rss_kb");
    String cgroup = victim.getCgroupPath();
    if ("/".equals(cgroup)) {
      // an exiting task has already been moved to the root cgroup: the real one is unknown
      cgroup = null;
    }
    sink.publish(OomKill.newBuilder()
        .setHeader(headers.next(victim, Source.EBPF, ClockDomain.MONOTONIC, e.timestampNs()))
        .setDetectedBy(OomDetection.TRACEPOINT)
        .setVictimComm(comm)
        .setCgroupPath(cgroup)
        .setRssBytesAtKill(rssKb * 1024)
        .setCgroupLimitBytes(cgroup == null ? null : cgroupLimit(cgroupRoot, cgroup))
        .build());
  }

  private ProcessIdentity readOrPartial(int pid, String comm) {
    try {
      return identities.forPid(pid);
    } catch (IOException | RuntimeException e) {
      ProcessIdentity host;
      try {
        host = identities.self();
      } catch (IOException ex) {
        host = null;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("memfleet.identity", "partial");
      return ProcessIdentity.newBuilder()
          .setCluster(host == null ? "unknown" : host.getCluster())
          .setNode(host == null ? "unknown" : host.getNode())
          .setBootId(host == null ? "unknown" : host.getBootId())
          .setPid(pid)
          .setProcessStartTimeMs(0)
          .setComm(comm)
          .setRuntime(Runtime.UNKNOWN)
          .setLabels(labels)
          .build();
    }
  }

  /** Memory limit of a cgroup path (v1 memory.limit_in_bytes or v2 memory.max), if limited. */
  static Long cgroupLimit(Path root, String cgroupPath) {
    String relative = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
    for (Path file : new Path[] {
        root.resolve("memory").resolve(relative).resolve("memory.limit_in_bytes"),
        root.resolve(relative).resolve("memory.max")}) {
      try {
        String v = Files.readString(file).trim();
        if (v.equals("max")) {
          return null;
        }
        long limit = Long.parseLong(v);
        // v1 reports "unlimited" as a page-rounded LONG_MAX
        return limit >= Long.MAX_VALUE - (1L << 20) ? null : limit;
      } catch (IOException | RuntimeException e) {
        // try the next layout
      }
    }
    return null;
  }
}
