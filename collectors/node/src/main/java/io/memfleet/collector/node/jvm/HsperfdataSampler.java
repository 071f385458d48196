package io.memfleet.collector.node.jvm;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.node.internal.TrackedProcessListener;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes, at every scan, each tracked JVM's {@link MemoryPools} (source PROCFS) and a
 * {@link HeapSummary} PERIODIC from its HotSpot performance counters: works for any HotSpot JVM
 * started without memfleet flags, by reading a file, without attaching.
 *
 * <pre>{@code
 * HsperfdataSampler jvms = new HsperfdataSampler(Path.of("/proc"), headers, sink);
 * new ProcessScanner(options, proc, cgroups, identities, headers, sink, List.of(jvms));
 * }</pre>
 *
 * <p>Where the file is: a JVM writes {@code /tmp/hsperfdata_USER/PID} in its own mount and pid
 * namespaces, so it is looked up as {@code /proc/PID/root/tmp/hsperfdata_*}{@code /NSPID} with
 * the pid the JVM sees itself as ({@code NSpid} in {@code /proc/PID/status}) — the same path for
 * a JVM on the host and one in a container. The file is mapped once (read-only, 32 KiB by
 * default) and its entry table indexed once (again when the JVM adds counters); each scan then
 * reads a few dozen longs from memory. A JVM without the file ({@code -XX:-UsePerfData},
 * {@code -XX:+PerfDisableSharedMem}, a non-HotSpot VM, or one still starting) is looked for
 * again at growing intervals (1, 2, 4, … up to 64 scans). A malformed file is counted in
 * {@link #malformed()}, logged once, and tried again at those intervals.
 *
 * <p>Threading: called on the scan thread only (see {@link TrackedProcessListener}); the
 * counters are atomic for the status line.
 */
public final class HsperfdataSampler implements TrackedProcessListener {
  private static final Logger LOG = LoggerFactory.getLogger(HsperfdataSampler.class);
  private static final int MAX_RETRY_SCANS = 64;
  /** The JVM's default is 32 KiB (PerfDataMemorySize); refuse absurd files. */
  private static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

  private final Path procRoot;
  private final EventHeaders headers;
  private final EventSink sink;
  private final Map<Integer, Jvm> jvms = new HashMap<>();
  private final AtomicLong readJvms = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong missing = new AtomicLong();

  private static final class Jvm {
    PerfDataBuffer perf;
    /** Where its heap counters are, found with each index of {@link #perf}. */
    JvmMemoryCounters.Layout layout;
    MappedByteBuffer map;
    int waitScans;
    int nextRetryIn;
    boolean loggedMalformed;
    boolean countedMissing;
  }

  public HsperfdataSampler(Path procRoot, EventHeaders headers, EventSink sink) {
    this.procRoot = procRoot;
    this.headers = headers;
    this.sink = sink;
  }

  @Override
  public void started(int pid, ProcessIdentity identity) {
    if (identity.getRuntime() == Runtime.JVM) {
      jvms.put(pid, new Jvm());
    }
  }

  @Override
  public void exited(int pid, ProcessIdentity identity) {
    Jvm j = jvms.remove(pid);
    if (j != null && j.perf != null) {
      readJvms.decrementAndGet();
    }
  }

  @Override
  public int sampled(int pid, ProcessIdentity identity, long epochNanos) {
    Jvm j = jvms.get(pid);
    if (j == null) {
      return 0;
    }
    if (j.perf == null || j.perf.structureChanged()) {
      if (j.waitScans > 0) {
        j.waitScans--;
        return 0;
      }
      if (!open(pid, j)) {
        j.nextRetryIn = Math.min(MAX_RETRY_SCANS, Math.max(1, j.nextRetryIn * 2));
        j.waitScans = j.nextRetryIn;
        return 0;
      }
    }
    JvmMemoryCounters c;
    try {
      c = j.layout.read();
    } catch (PerfDataBuffer.MalformedPerfDataException e) {
      malformed(pid, j, e);
      return 0;
    }
    sink.publish(MemoryPools.newBuilder()
        .setHeader(headers.next(identity, Source.PROCFS, ClockDomain.REALTIME, epochNanos))
        .setPools(c.pools())
        .setSettings(new LinkedHashMap<>(c.settings()))
        .build());
    sink.publish(HeapSummary.newBuilder()
        .setHeader(headers.next(identity, Source.PROCFS, ClockDomain.REALTIME, epochNanos))
        .setPhase(HeapPhase.PERIODIC)
        .setGcId(null)
        .setUsedBytes(c.heapUsed())
        .setCommittedBytes(c.heapCommitted())
        .setMaxBytes(c.heapMax().isPresent() ? c.heapMax().getAsLong() : null)
        // set, not left to build(), which would look up and copy each field's schema default
        .setReservedBytes(null)
        .setNextGcBytes(null)
        .setObjects(null)
        .build());
    return 2;
  }

  private boolean open(int pid, Jvm j) {
    boolean hadIndex = j.perf != null;
    try {
      if (j.map == null) {
        Optional<Path> file = locate(pid);
        if (file.isEmpty()) {
          if (!j.countedMissing) {
            j.countedMissing = true;
            missing.incrementAndGet();
          }
          return false;
        }
        try (FileChannel ch = FileChannel.open(file.get(), StandardOpenOption.READ)) {
          long size = ch.size();
          if (size < PerfDataBuffer.PROLOGUE_SIZE || size > MAX_FILE_BYTES) {
            throw new PerfDataBuffer.MalformedPerfDataException("file of " + size + " bytes");
          }
          j.map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
      }
      PerfDataBuffer perf = PerfDataBuffer.index(j.map, JvmMemoryCounters::needed);
      j.layout = JvmMemoryCounters.layout(perf);
      j.perf = perf;
      if (!hadIndex) {
        readJvms.incrementAndGet();
      }
      if (j.countedMissing) {
        j.countedMissing = false;
        missing.decrementAndGet();
      }
      j.nextRetryIn = 0;
      return true;
    } catch (PerfDataBuffer.NotReadyException e) {
      return false; // still starting
    } catch (PerfDataBuffer.MalformedPerfDataException e) {
      malformed(pid, j, e);
      return false;
    } catch (IOException e) {
      // gone, or not ours to read (another user without root): look again later
      j.map = null;
      return false;
    }
  }

  private void malformed(int pid, Jvm j, RuntimeException e) {
    malformed.incrementAndGet();
    if (!j.loggedMalformed) {
      j.loggedMalformed = true;
      LOG.warn("hsperfdata of JVM {} unreadable (counted, retried later): {}", pid,
          e.getMessage());
    }
    if (j.perf != null) {
      readJvms.decrementAndGet();
    }
    j.perf = null;
    j.layout = null;
    j.map = null;
    j.nextRetryIn = Math.min(MAX_RETRY_SCANS, Math.max(1, j.nextRetryIn * 2));
    j.waitScans = j.nextRetryIn;
  }

  /** {@code /proc/PID/root/tmp/hsperfdata_*}{@code /NSPID}: the JVM's own view of /tmp. */
  Optional<Path> locate(int pid) throws IOException {
    Path proc = procRoot.resolve(Integer.toString(pid));
    String nsPid = Integer.toString(nsPid(proc).orElse(pid));
    try (DirectoryStream<Path> dirs =
        Files.newDirectoryStream(proc.resolve("root/tmp"), "hsperfdata_*")) {
      for (Path dir : dirs) {
        Path f = dir.resolve(nsPid);
        if (Files.isRegularFile(f)) {
          return Optional.of(f);
        }
      }
    }
    return Optional.empty();
  }

  /** The innermost pid of {@code NSpid:} in status (kernel 4.1+); empty without it. */
  private static Optional<Integer> nsPid(Path proc) {
    try {
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("NSpid:")) {
          String[] f = line.substring(6).strip().split("\\s+");
          return Optional.of(Integer.parseInt(f[f.length - 1]));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no NSpid line: the host pid is the JVM's pid
    }
    return Optional.empty();
  }

  /** JVMs whose counters are being read now. */
  public long jvmsRead() {
    return readJvms.get();
  }

  /** Times a hsperfdata file could not be parsed. */
  public long malformed() {
    return malformed.get();
  }

  /** Tracked JVMs without a hsperfdata file (-XX:-UsePerfData, starting, not readable). */
  public long jvmsWithoutPerfData() {
    return missing.get();
  }
}
