package io.memfleet.collector.node;

import io.memfleet.collector.DurationConverter;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.jfr.JfrOptions;
import io.memfleet.collector.jfr.repository.JfrRepositoryCollector;
import io.memfleet.event.ProcessIdentity;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.SinkStats;
import io.memfleet.collector.node.go.GcTraceSource;
import io.memfleet.collector.node.go.GoTarget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code memfleet collect}: runs the node collector on this host until interrupted, publishing
 * to Kafka (spooling while Kafka is away) and printing a status line every
 * {@code --status-interval}.
 *
 * <pre>
 * memfleet collect --comm memfleet-demo --go-target demo=http://127.0.0.1:6060 \
 *     --gctrace-file /tmp/demo.stderr --kafka-bootstrap 127.0.0.1:19092
 * </pre>
 */
@Command(name = "collect", mixinStandardHelpOptions = true,
    description = "Collect procfs/cgroup memory, OOM kills and Go runtime metrics on this node"
        + " and publish them to Kafka.")
public final class CollectCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(CollectCommand.class);

  @Mixin CollectorOptions common = new CollectorOptions();

  @Spec CommandSpec spec;

  @Option(names = "--interval", paramLabel = "DURATION",
      defaultValue = "${env:MEMFLEET_NODE_INTERVAL:-1s}", converter = DurationConverter.class,
      description = "Scan and scrape interval, e.g. 1s, 500ms (MEMFLEET_NODE_INTERVAL;"
          + " default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--pid", paramLabel = "PID", split = ",",
      description = "Only these pids (repeatable or comma-separated; default: all).")
  List<Integer> pids = new ArrayList<>();

  @Option(names = "--comm", paramLabel = "NAME", split = ",",
      defaultValue = "${env:MEMFLEET_NODE_COMMS}",
      description = "Only processes with this command name (MEMFLEET_NODE_COMMS; default: all).")
  List<String> comms = new ArrayList<>();

  @Option(names = "--cgroup", paramLabel = "PREFIX", split = ",",
      defaultValue = "${env:MEMFLEET_NODE_CGROUPS}",
      description = "Only processes whose memory cgroup path starts with PREFIX"
          + " (MEMFLEET_NODE_CGROUPS; default: all).")
  List<String> cgroups = new ArrayList<>();

  @Option(names = "--label", paramLabel = "KEY=VALUE", split = ",",
      defaultValue = "${env:MEMFLEET_NODE_LABELS}",
      description = "Only processes carrying this label: collector-wide (--labels), declared by"
          + " the process (MEMFLEET_LABELS in its environment) or from its cgroup (k8s.pod.uid,"
          + " container.id); repeatable, all must match (MEMFLEET_NODE_LABELS, k=v,k2=v2;"
          + " default: all).")
  List<String> labelFilters = new ArrayList<>();

  @Option(names = "--process-labels", negatable = true,
      defaultValue = "${env:MEMFLEET_NODE_PROCESS_LABELS:-true}", fallbackValue = "true",
      description = "Read the labels and service each tracked process declares in its"
          + " environment (MEMFLEET_LABELS, MEMFLEET_SERVICE in /proc/PID/environ)"
          + " (MEMFLEET_NODE_PROCESS_LABELS; default: ${DEFAULT-VALUE}).")
  boolean processLabels;

  @Option(names = "--go-target", paramLabel = "NAME=URL[,pid=PID]",
      description = "A Go program serving expvar and pprof, e.g. demo=http://127.0.0.1:6060"
          + " (repeatable; MEMFLEET_GO_TARGETS, space-separated).")
  List<String> goTargets = new ArrayList<>();

  @Option(names = "--gctrace-file", paramLabel = "PATH[:PID]",
      description = "A GODEBUG=gctrace=1 log file or pipe ('-:PID' = stdin) to follow"
          + " (repeatable; MEMFLEET_GCTRACE_FILES, space-separated).")
  List<String> gctraceFiles = new ArrayList<>();

  @Option(names = "--smaps", negatable = true, defaultValue = "${env:MEMFLEET_NODE_SMAPS:-true}",
      fallbackValue = "true",
      description = "Read smaps_rollup for Pss; --no-smaps saves CPU (MEMFLEET_NODE_SMAPS;"
          + " default: ${DEFAULT-VALUE}).")
  boolean smaps;

  @Option(names = "--smaps-interval", paramLabel = "DURATION",
      defaultValue = "${env:MEMFLEET_NODE_SMAPS_INTERVAL:-30s}",
      converter = DurationConverter.class,
      description = "How often each process's smaps_rollup (Pss, the costly read) is read: when"
          + " the process is found, then once per DURATION, spread over it, the last Pss"
          + " repeated in between; at or below --interval: every scan"
          + " (MEMFLEET_NODE_SMAPS_INTERVAL; default: ${DEFAULT-VALUE}).")
  Duration smapsInterval;

  @Option(names = "--smaps-max-cpu", paramLabel = "PERCENT",
      defaultValue = "${env:MEMFLEET_NODE_SMAPS_MAX_CPU:-0.25}",
      description = "Most CPU the smaps_rollup reads may use together, in percent of one core"
          + " (its cost grows with resident memory, ~15 ms per GiB); due reads beyond it wait"
          + " for later scans, so Pss gets older instead of the collector costlier; 100: no"
          + " limit (MEMFLEET_NODE_SMAPS_MAX_CPU; default: ${DEFAULT-VALUE}).")
  double smapsMaxCpu;

  // --- diagnosis: memory pools of every runtime (kept together; see the module README) ---

  @Option(names = "--cgroup-stat", negatable = true,
      defaultValue = "${env:MEMFLEET_NODE_CGROUP_STAT:-true}", fallbackValue = "true",
      description = "Read each memory cgroup's memory.stat (anon, page cache, shmem, working set,"
          + " v1 swap) once per scan (MEMFLEET_NODE_CGROUP_STAT; default: ${DEFAULT-VALUE}).")
  boolean cgroupStat;

  @Option(names = "--hsperfdata", negatable = true,
      defaultValue = "${env:MEMFLEET_NODE_HSPERFDATA:-true}", fallbackValue = "true",
      description = "Read every JVM's HotSpot counters (/tmp/hsperfdata_*/PID, no attach) each"
          + " scan: heap, metaspace, class space, threads, code (MEMFLEET_NODE_HSPERFDATA;"
          + " default: ${DEFAULT-VALUE}).")
  boolean hsperfdata;

  @Option(names = "--go-discovery", negatable = true,
      defaultValue = "${env:MEMFLEET_GO_DISCOVERY:-true}", fallbackValue = "true",
      description = "Find Go programs serving expvar or pprof on their listening ports by"
          + " themselves, besides --go-target (MEMFLEET_GO_DISCOVERY; default: ${DEFAULT-VALUE}).")
  boolean goDiscovery;

  @Option(names = "--go-heap-profile-interval", paramLabel = "DURATION",
      defaultValue = "${env:MEMFLEET_GO_HEAP_PROFILE_INTERVAL:-30s}",
      converter = DurationConverter.class,
      description = "How often each Go target's heap profile (bytes held by stack) is read"
          + " (MEMFLEET_GO_HEAP_PROFILE_INTERVAL; default: ${DEFAULT-VALUE}).")
  Duration goHeapProfileInterval;

  @Option(names = "--go-top-stacks", paramLabel = "N",
      defaultValue = "${env:MEMFLEET_GO_TOP_STACKS:-16}",
      description = "Stacks kept per Go heap and goroutine profile, the rest summed"
          + " (MEMFLEET_GO_TOP_STACKS; default: ${DEFAULT-VALUE}).")
  int goTopStacks;

  @Option(names = "--proc-root", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_PROC_ROOT:-/proc}",
      description = "procfs root, e.g. /host/proc in a container (MEMFLEET_PROC_ROOT;"
          + " default: ${DEFAULT-VALUE}).")
  Path procRoot;

  @Option(names = "--jfr", negatable = true,
      defaultValue = "${env:MEMFLEET_NODE_JFR:-true}", fallbackValue = "true",
      description = "Read memfleet's JFR recording of the JVMs found, from outside them: JVMs"
          + " started with memfleet's flags (memfleet jfr-flags) or onboarded by memfleet attach"
          + " (MEMFLEET_NODE_JFR; default: ${DEFAULT-VALUE}).")
  boolean jfr;

  @Option(names = "--jfr-attach", negatable = true,
      defaultValue = "${env:MEMFLEET_NODE_JFR_ATTACH:-false}", fallbackValue = "true",
      description = "Also start memfleet's recording, through the attach mechanism, in every JVM"
          + " found without one (once per JVM; needs the JVM's user or root)"
          + " (MEMFLEET_NODE_JFR_ATTACH; default: ${DEFAULT-VALUE}).")
  boolean jfrAttach;

  @Option(names = "--jfr-probe", negatable = true,
      defaultValue = "${env:MEMFLEET_NODE_JFR_PROBE:-true}", fallbackValue = "true",
      description = "Load memfleet's direct-buffer probe (a small Java agent) into a JVM whose"
          + " direct buffers grow, through the attach mechanism, so the alert names the code that"
          + " keeps them; --no-jfr-probe: no memfleet code in any JVM (MEMFLEET_NODE_JFR_PROBE;"
          + " default: ${DEFAULT-VALUE}).")
  boolean jfrProbe;

  @Option(names = "--jfr-shared-root", paramLabel = "DIR", split = ",",
      defaultValue = "${env:MEMFLEET_JFR_SHARED_ROOTS}",
      description = "A directory mounted at the same path in the JVMs' containers and here (a"
          + " hostPath volume): their repositories under it are read directly, so a container's"
          + " last chunk stays readable after it is gone (MEMFLEET_JFR_SHARED_ROOTS, comma-"
          + "separated; default: none).")
  List<Path> jfrSharedRoots = new ArrayList<>();

  @Option(names = "--jfr-storm-gcs", paramLabel = "N",
      defaultValue = "${env:MEMFLEET_JFR_STORM_GCS:-20}",
      description = "Above N collections a second, later ones keep only their GcCycle (heap"
          + " summaries and pauses left out, counted) (MEMFLEET_JFR_STORM_GCS;"
          + " default: ${DEFAULT-VALUE}; 0: off).")
  int jfrStormGcs;

  @Option(names = "--jfr-throttle", paramLabel = "N/UNIT",
      defaultValue = "${env:MEMFLEET_JFR_THROTTLE:-100/s}",
      description = "Allocation-sample throttle of the recordings --jfr-attach starts, and"
          + " stack depth and periods as memfleet's JFR settings (MEMFLEET_JFR_THROTTLE;"
          + " default: ${DEFAULT-VALUE}).")
  String jfrThrottle;

  @Option(names = "--jfr-class-histograms", paramLabel = "DURATION",
      defaultValue = "${env:MEMFLEET_JFR_CLASS_HISTOGRAMS:-30s}",
      description = "How often to take the class histogram (GC.class_histogram -all, a heap walk"
          + " at a safepoint) of a followed JVM whose live set grows while its old-object samples"
          + " show nothing retained, as under Shenandoah (MEMFLEET_JFR_CLASS_HISTOGRAMS;"
          + " default: ${DEFAULT-VALUE}; 0s: never).")
  String jfrClassHistograms;

  @Option(names = "--jfr-events", paramLabel = "GROUPS",
      defaultValue = "${env:MEMFLEET_JFR_EVENTS}",
      description = "Event groups of the recordings --jfr-attach starts, '+'-separated"
          + " (MEMFLEET_JFR_EVENTS; default: all).")
  String jfrEvents;

  @Option(names = "--status-interval", paramLabel = "DURATION", defaultValue = "10s",
      converter = DurationConverter.class,
      description = "How often to print the status line (default: ${DEFAULT-VALUE}).")
  Duration statusInterval;

  @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Stop after this long (default: run until interrupted).")
  Duration duration;

  public CollectCommand() {}

  /** The options these flags and environment variables describe. */
  NodeCollectorOptions nodeOptions() {
    List<String> targetSpecs = new ArrayList<>(goTargets);
    List<String> traceSpecs = new ArrayList<>(gctraceFiles);
    if (targetSpecs.isEmpty()) {
      targetSpecs.addAll(words(System.getenv("MEMFLEET_GO_TARGETS")));
    }
    if (traceSpecs.isEmpty()) {
      traceSpecs.addAll(words(System.getenv("MEMFLEET_GCTRACE_FILES")));
    }
    return NodeCollectorOptions.builder()
        .interval(interval)
        .pids(new LinkedHashSet<>(pids))
        .comms(nonBlank(comms))
        .cgroupPrefixes(new ArrayList<>(nonBlank(cgroups)))
        .labels(ProcessIdentities.parseLabels(String.join(",", nonBlank(labelFilters))))
        .processLabels(processLabels)
        .readSmapsRollup(smaps)
        .smapsInterval(smapsInterval)
        .smapsMaxCpuPercent(smapsMaxCpu)
        .goTargets(targetSpecs.stream().map(GoTarget::parse).toList())
        .gctraceSources(traceSpecs.stream().map(GcTraceSource::parse).toList())
        .procRoot(procRoot)
        .readCgroupStat(cgroupStat)
        .readHsperfdata(hsperfdata)
        .goDiscovery(goDiscovery)
        .goHeapProfileInterval(goHeapProfileInterval)
        .goTopStacks(goTopStacks)
        .build();
  }

  @Override
  public Integer call() throws Exception {
    NodeCollectorOptions options = nodeOptions();
    PrintWriter out = spec.commandLine().getOut();
    String collectorId = "node/" + common.node() + "/" + ProcessHandle.current().pid();
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "memfleet-collect-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (KafkaEventSink sink = common.sinkBuilder("node", collectorId).build();
        JfrRepositoryCollector jvms = jfr ? jvmCollector(sink, options, collectorId) : null;
        NodeCollector collector = NodeCollector.builder().options(options)
            .identities(common.identities()).headers(new EventHeaders(collectorId))
            .sink(sink).processListener(jvms == null ? ProcessListener.NONE : listener(jvms))
            .build()) {
      out.printf("memfleet collect: %s, every %d ms, Kafka %s%n", describe(options),
          options.interval().toMillis(), common.kafkaBootstrap());
      out.flush();
      if (jvms != null) {
        jvms.start();
      }
      collector.start();
      long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
      long lastEvents = 0;
      long lastAt = System.nanoTime();
      while (System.nanoTime() < end) {
        long wait = Math.min(statusInterval.toNanos(), end - System.nanoTime());
        if (stop.await(Math.max(wait, 0), java.util.concurrent.TimeUnit.NANOSECONDS)) {
          break;
        }
        SinkStats s = sink.stats();
        long now = System.nanoTime();
        double rate = (s.published() - lastEvents) / ((now - lastAt) / 1e9);
        lastEvents = s.published();
        lastAt = now;
        out.println(statusLine(collector.status(), s, rate) + jvmStatus(jvms));
        out.flush();
      }
      sink.flush(Duration.ofSeconds(5));
      out.println(statusLine(collector.status(), sink.stats(), 0) + jvmStatus(jvms));
      out.flush();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: fine
      }
    }
    return 0;
  }

  /** The JFR repository collector these flags describe. */
  JfrRepositoryCollector jvmCollector(EventSink sink, NodeCollectorOptions options,
      String collectorId) {
    JfrOptions jfrOptions = new JfrOptions(common);
    if (jfrEvents != null && !jfrEvents.isBlank()) {
      jfrOptions.set("events", jfrEvents);
    }
    jfrOptions.set("throttle", jfrThrottle);
    jfrOptions.set("classHistogramPeriod", jfrClassHistograms);
    Set<String> reported = ConcurrentHashMap.newKeySet();
    return JfrRepositoryCollector.builder().options(jfrOptions).sink(sink)
        .procRoot(options.procRoot()).sharedRoots(jfrSharedRoots).attach(jfrAttach)
        .directBufferProbe(jfrProbe)
        .stormGcsPerSecond(jfrStormGcs)
        .positionsDir(common.spoolDir("node").toAbsolutePath().resolveSibling("jfr-positions"))
        .collectorId("jfr-" + collectorId)
        .log((reason, message) -> {
          if (reported.add(reason)) {
            LOG.warn("{}", message);
          }
        })
        .build();
  }

  private static ProcessListener listener(JfrRepositoryCollector jvms) {
    return new ProcessListener() {
      @Override
      public void started(ProcessIdentity process) {
        jvms.processStarted(process);
      }

      @Override
      public void exited(ProcessIdentity process) {
        jvms.processExited(process);
      }
    };
  }

  static String jvmStatus(JfrRepositoryCollector jvms) {
    if (jvms == null) {
      return "";
    }
    JfrRepositoryCollector.Status s = jvms.status();
    return String.format(" | jfr: %d JVMs read (%d with a growing live set: old-object stacks"
        + " on; %d with growing direct buffers: probe loaded), %d attached (%d failed), %d"
        + " events, %d left out in GC storms", s.following(), s.stacksOn(), s.probed(),
        s.attached(), s.attachFailures(), s.published(), s.stormDropped());
  }

  static String statusLine(NodeCollector.Status c, SinkStats s, double eventsPerSecond) {
    return String.format("tracked %d processes | %.0f events/s | scan %.1f ms cpu"
            + " | oom kills %d (+%d unattributed) | go scrapes %d (%d failed)"
            + " | gctrace %d lines, %d malformed | sink sent %d spooled %d dropped %d%s",
        c.trackedProcesses(), eventsPerSecond, c.meanScanCpuMillis(), c.oomKillsAttributed(),
        c.oomKillsUnattributed(), c.goScrapes(), c.goScrapeFailures(), c.gctraceLines(),
        c.gctraceMalformed(), s.sent() + s.replayed(), s.spooled(), s.dropped(),
        s.brokerReachable() ? "" : " | KAFKA UNREACHABLE, spooling")
        + (c.environReadFailures() == 0 ? ""
            : " | environ unreadable " + c.environReadFailures() + " (no process labels)")
        + diagnosis(c.diagnosis());
  }

  /** The runtime pool readers' part of the status line. */
  static String diagnosis(NodeCollector.Diagnosis d) {
    if (d == null) {
      return "";
    }
    return String.format(" | go targets discovered %d | jvm hsperfdata %d (%d without)",
        d.goTargetsDiscovered(), d.hsperfdataJvms(), d.hsperfdataMissing())
        + (d.hsperfdataMalformed() + d.goProfilesMalformed() == 0 ? ""
            : String.format(" | malformed hsperfdata %d, go profiles %d",
                d.hsperfdataMalformed(), d.goProfilesMalformed()));
  }

  private static String describe(NodeCollectorOptions o) {
    List<String> parts = new ArrayList<>();
    parts.add(o.pids().isEmpty() && o.comms().isEmpty() && o.cgroupPrefixes().isEmpty()
        && o.labels().isEmpty() ? "all processes" : "filtered processes");
    if (!o.goTargets().isEmpty()) {
      parts.add(o.goTargets().size() + " Go target(s)");
    }
    if (!o.gctraceSources().isEmpty()) {
      parts.add(o.gctraceSources().size() + " gctrace source(s)");
    }
    return String.join(", ", parts);
  }

  private static List<String> words(String env) {
    return env == null || env.isBlank() ? List.of() : List.of(env.strip().split("\\s+"));
  }

  private static Set<String> nonBlank(List<String> values) {
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        out.add(v.strip());
      }
    }
    return out;
  }
}
