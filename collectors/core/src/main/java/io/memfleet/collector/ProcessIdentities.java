package io.memfleet.collector;

import io.memfleet.collector.internal.ElfSections;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds the {@link ProcessIdentity} of a process from procfs, the same way in every collector,
 * so events about one process from JFR, eBPF and procfs carry the same key.
 *
 * <pre>{@code
 * ProcessIdentities identities = ProcessIdentities.fromEnvironment();
 * ProcessIdentity me = identities.self();
 * ProcessIdentity other = identities.forPid(4242);
 * }</pre>
 *
 * <p>Start time: {@code processStartTimeMs = btime * 1000 + starttime * 1000 / CLK_TCK}, with
 * {@code btime} from {@code /proc/stat} and {@code starttime} (clock ticks since boot, field 22)
 * from {@code /proc/PID/stat}. CLK_TCK ({@code sysconf(_SC_CLK_TCK)}) is 100 on every Linux
 * architecture memfleet runs on (x86-64, arm64: USER_HZ is fixed at 100 in the kernel ABI), so it
 * is a constant here rather than a native call. The value is therefore exact to 10 ms, and
 * identical for every collector that reads the same process.
 *
 * <p>Runtime: JVM when {@code libjvm.so} is mapped (from {@code /proc/PID/maps}); GO when the
 * executable has a {@code .go.buildinfo} ELF section (every Go binary since Go 1.13; read from
 * the headers only); NATIVE otherwise.
 *
 * <p>Container: from the memory cgroup path (see {@link CgroupPaths}); the container id goes to
 * {@code container} and the pod UID to label {@code k8s.pod.uid}. The pod name and namespace are
 * not in the cgroup path; they come from {@code MEMFLEET_POD} / {@code MEMFLEET_NAMESPACE} (set by
 * the Kubernetes downward API) for the collector's own process only.
 *
 * <p>Per-process labels (off by default; {@link Builder#processLabels(boolean)} or
 * {@link #withProcessLabels()}): {@link #forPid} also reads what the process declares in its
 * environment ({@link DeclaredLabels}: {@code MEMFLEET_LABELS}, {@code MEMFLEET_SERVICE}) and adds
 * the container id as label {@code container.id}. Labels merge collector-wide, then declared, then
 * cgroup-derived ({@code k8s.pod.uid}, {@code container.engine}, {@code container.id}), later
 * ones winning: a process may refine the collector's labels but cannot claim another pod. A
 * declared service replaces the collector-wide one. An unreadable environ (another user's process
 * without root, or gone) gives no declared labels and is counted in
 * {@link #environReadFailures()}.
 */
public final class ProcessIdentities {
  /** USER_HZ of the Linux ABI; see the class comment. */
  static final long CLK_TCK = 100;

  private final String cluster;
  private final String node;
  private final Map<String, String> labels;
  private final String service;
  private final String namespace;
  private final String pod;
  private final Path procRoot;
  private final boolean processLabels;
  private final AtomicLong environReadFailures = new AtomicLong();
  private final AtomicLong malformedDeclaredLabels = new AtomicLong();
  private volatile ProcessIdentity self;

  private ProcessIdentities(Builder b) {
    this.cluster = b.cluster;
    this.node = b.node;
    this.labels = Map.copyOf(b.labels);
    this.service = b.service;
    this.namespace = b.namespace;
    this.pod = b.pod;
    this.procRoot = b.procRoot;
    this.processLabels = b.processLabels;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * From {@code MEMFLEET_CLUSTER} (default {@code local}), {@code MEMFLEET_NODE} (default the
   * host name), {@code MEMFLEET_SERVICE}, {@code MEMFLEET_LABELS} ({@code k=v,k2=v2}),
   * {@code MEMFLEET_NAMESPACE} and {@code MEMFLEET_POD}.
   */
  public static ProcessIdentities fromEnvironment() {
    Map<String, String> env = System.getenv();
    Builder b = builder()
        .cluster(env.getOrDefault("MEMFLEET_CLUSTER", "local"))
        .node(env.getOrDefault("MEMFLEET_NODE", hostName()))
        .labels(parseLabels(env.getOrDefault("MEMFLEET_LABELS", "")))
        .service(env.get("MEMFLEET_SERVICE"));
    b.namespace = env.get("MEMFLEET_NAMESPACE");
    b.pod = env.get("MEMFLEET_POD");
    return b.build();
  }

  /** The host name, for the node default: the kernel's, else the resolver's, else "localhost". */
  public static String hostName() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException | RuntimeException ignored) {
      // not Linux, fall through
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  /**
   * Parses {@code k=v,k2=v2}; blank input gives an empty map.
   *
   * @throws IllegalArgumentException for an entry without {@code =} or with an empty key
   */
  public static Map<String, String> parseLabels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return labels;
    }
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("label must be key=value: '" + part.strip() + "'");
      }
      labels.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
    }
    return labels;
  }

  /** A copy of these identities that reads per-process labels (see the class comment). */
  public ProcessIdentities withProcessLabels() {
    if (processLabels) {
      return this;
    }
    Builder b = builder().cluster(cluster).node(node).labels(labels).service(service)
        .kubernetes(namespace, pod).procRoot(procRoot).processLabels(true);
    return b.build();
  }

  /** Whether {@link #forPid} reads the labels processes declare in their environment. */
  public boolean processLabels() {
    return processLabels;
  }

  /** environ files that could not be read while building identities with process labels. */
  public long environReadFailures() {
    return environReadFailures.get();
  }

  /** Declared label entries skipped as malformed (see {@link DeclaredLabels#malformed()}). */
  public long malformedDeclaredLabels() {
    return malformedDeclaredLabels.get();
  }

  /** The identity of this JVM's own process (cached). */
  public ProcessIdentity self() throws IOException {
    ProcessIdentity s = self;
    if (s == null) {
      s = build((int) ProcessHandle.current().pid(), true);
      self = s;
    }
    return s;
  }

  /** The identity of process {@code pid}, read from procfs now. */
  public ProcessIdentity forPid(int pid) throws IOException {
    return build(pid, false);
  }

  private ProcessIdentity build(int pid, boolean isSelf) throws IOException {
    Path dir = procRoot.resolve(Integer.toString(pid));
    String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
    ProcStat parsed = ProcStat.parse(stat);
    long startMs = bootTimeSeconds() * 1000 + parsed.startTicks() * 1000 / CLK_TCK;
    String comm = readOr(dir.resolve("comm"), parsed.comm()).strip();
    String cgroup = null;
    try {
      cgroup = CgroupPaths.memoryCgroup(Files.readString(dir.resolve("cgroup"))).orElse(null);
    } catch (IOException e) {
      // unreadable cgroup file (e.g. process gone): identity without container info
    }
    Map<String, String> allLabels = new LinkedHashMap<>(labels);
    String processService = service;
    if (processLabels) {
      DeclaredLabels declared = declared(dir);
      allLabels.putAll(declared.labels());
      if (declared.service() != null) {
        processService = declared.service();
      }
    }
    String container = null;
    var c = CgroupPaths.container(cgroup);
    if (c.isPresent()) {
      container = c.get().containerId();
      c.get().pod().ifPresent(uid -> allLabels.put("k8s.pod.uid", uid));
      allLabels.put("container.engine", c.get().engine());
      if (processLabels) {
        allLabels.put("container.id", container);
      }
    }
    return ProcessIdentity.newBuilder()
        .setCluster(cluster)
        .setNode(node)
        .setBootId(readOr(procRoot.resolve("sys/kernel/random/boot_id"), "unknown").strip())
        .setPid(pid)
        .setProcessStartTimeMs(startMs)
        .setComm(comm)
        .setRuntime(detectRuntime(dir))
        .setService(processService)
        .setNamespace(isSelf ? namespace : null)
        .setPod(isSelf ? pod : null)
        .setContainer(container)
        .setCgroupPath(cgroup)
        .setLabels(new LinkedHashMap<>(allLabels))
        .build();
  }

  private DeclaredLabels declared(Path dir) {
    try {
      DeclaredLabels d = DeclaredLabels.read(dir.resolve("environ"));
      malformedDeclaredLabels.addAndGet(d.malformed());
      return d;
    } catch (IOException e) {
      environReadFailures.incrementAndGet();
      return DeclaredLabels.NONE;
    }
  }

  private long bootTimeSeconds() throws IOException {
    try (BufferedReader r = Files.newBufferedReader(procRoot.resolve("stat"))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("btime ")) {
          return Long.parseLong(line.substring(6).strip());
        }
      }
    }
    throw new IOException("no btime line in " + procRoot.resolve("stat"));
  }

  private static Runtime detectRuntime(Path dir) {
    try (BufferedReader r = Files.newBufferedReader(dir.resolve("maps"))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.endsWith("/libjvm.so")) {
          return Runtime.JVM;
        }
      }
    } catch (IOException e) {
      return Runtime.UNKNOWN; // maps unreadable (permissions, process gone)
    }
    try {
      if (ElfSections.names(dir.resolve("exe")).contains(".go.buildinfo")) {
        return Runtime.GO;
      }
    } catch (IOException e) {
      return Runtime.UNKNOWN;
    }
    return Runtime.NATIVE;
  }

  private static String readOr(Path file, String fallback) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return fallback;
    }
  }

  /** The fields of {@code /proc/PID/stat} memfleet needs. */
  record ProcStat(int pid, String comm, char state, int ppid, long startTicks) {
    /**
     * Parses one stat line. {@code comm} is in parentheses and may itself contain spaces and
     * parentheses, so it runs from the first '(' to the LAST ')'.
     */
    static ProcStat parse(String line) throws IOException {
      int open = line.indexOf('(');
      int close = line.lastIndexOf(')');
      if (open < 0 || close < open) {
        throw new IOException("malformed /proc/PID/stat: " + line.strip());
      }
      String[] rest = line.substring(close + 1).strip().split(" +");
      // rest[0] is field 3 (state); starttime is field 22
      if (rest.length < 20) {
        throw new IOException("short /proc/PID/stat (" + rest.length + " fields after comm)");
      }
      try {
        return new ProcStat(Integer.parseInt(line.substring(0, open).strip()),
            line.substring(open + 1, close), rest[0].charAt(0), Integer.parseInt(rest[1]),
            Long.parseLong(rest[19]));
      } catch (NumberFormatException e) {
        throw new IOException("malformed /proc/PID/stat: " + e.getMessage(), e);
      }
    }
  }

  /** Validating builder; defaults: cluster "local", node = host name, no labels, /proc. */
  public static final class Builder {
    private String cluster = "local";
    private String node;
    private Map<String, String> labels = Map.of();
    private String service;
    private String namespace;
    private String pod;
    private Path procRoot = Path.of("/proc");
    private boolean processLabels;

    private Builder() {}

    /** Read per-process labels from each process's environment (default off). */
    public Builder processLabels(boolean read) {
      this.processLabels = read;
      return this;
    }

    public Builder cluster(String cluster) {
      this.cluster = cluster;
      return this;
    }

    public Builder node(String node) {
      this.node = node;
      return this;
    }

    public Builder labels(Map<String, String> labels) {
      this.labels = Objects.requireNonNull(labels, "labels");
      return this;
    }

    /** Logical service name; null when unknown. */
    public Builder service(String service) {
      this.service = service == null || service.isBlank() ? null : service;
      return this;
    }

    /** Kubernetes namespace and pod name of the collector's own process (self() only). */
    public Builder kubernetes(String namespace, String pod) {
      this.namespace = namespace;
      this.pod = pod;
      return this;
    }

    /** Root of procfs; a directory of captured files in golden tests. */
    public Builder procRoot(Path procRoot) {
      this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
      return this;
    }

    public ProcessIdentities build() {
      if (cluster == null || cluster.isBlank()) {
        throw new IllegalArgumentException("cluster must not be blank");
      }
      if (node == null || node.isBlank()) {
        node = hostName();
      }
      return new ProcessIdentities(this);
    }
  }
}
