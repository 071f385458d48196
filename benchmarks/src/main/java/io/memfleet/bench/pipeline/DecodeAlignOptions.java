package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.PipelineThroughput.Stage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Every setting of the decode + align benchmark, declared once: picocli flags whose defaults come
 * from {@code MEMFLEET_BENCH_PIPELINE_*} environment variables (the flag's name upper-cased),
 * then from the values below, sized for a run of a few minutes on a 2-core laptop. The pipeline
 * itself keeps reading its own {@code MEMFLEET_*} settings ({@code PipelineOptions}).
 * {@link #parse} builds one from arguments, as tests do.
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>option</th><th>environment</th><th>default</th></tr>
 *   <tr><td>--events</td><td>MEMFLEET_BENCH_PIPELINE_EVENTS</td><td>1000000</td></tr>
 *   <tr><td>--hosts</td><td>MEMFLEET_BENCH_PIPELINE_HOSTS</td><td>8</td></tr>
 *   <tr><td>--processes</td><td>MEMFLEET_BENCH_PIPELINE_PROCESSES</td><td>8 per host</td></tr>
 *   <tr><td>--repetitions</td><td>MEMFLEET_BENCH_PIPELINE_REPETITIONS</td><td>3</td></tr>
 *   <tr><td>--parallelism</td><td>MEMFLEET_BENCH_PIPELINE_PARALLELISM</td><td>1,2</td></tr>
 *   <tr><td>--stages</td><td>MEMFLEET_BENCH_PIPELINE_STAGES</td><td>ALIGN,JOB (or SPINE)</td></tr>
 *   <tr><td>--bootstrap</td><td>MEMFLEET_BENCH_PIPELINE_BOOTSTRAP</td><td>own broker</td></tr>
 *   <tr><td>--cluster</td><td>MEMFLEET_BENCH_PIPELINE_CLUSTER</td><td>off</td></tr>
 * </table>
 *
 * <pre>{@code
 * DecodeAlignOptions o = DecodeAlignOptions.parse("--events", "5000", "--repetitions", "1");
 * }</pre>
 */
public final class DecodeAlignOptions {
  static final String DEFAULT_EVENTS = "1000000";

  @Option(names = "--events", paramLabel = "N",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_EVENTS:-" + DEFAULT_EVENTS + "}",
      description = "Events written; ClockSync samples come on top (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--hosts", defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_HOSTS:-8}",
      description = "Simulated hosts, each with its own boot and drifting clock "
          + "(default: ${DEFAULT-VALUE}).")
  int hosts;

  @Option(names = "--processes", defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_PROCESSES:-8}",
      description = "Processes per host, JVM, Go and native in turn (default: ${DEFAULT-VALUE}).")
  int processesPerHost;

  @Option(names = "--partitions", defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_PARTITIONS:-3}",
      description = "Partitions of each topic (default: ${DEFAULT-VALUE}, as `memfleet up`).")
  int partitions;

  @Option(names = "--repetitions",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_REPETITIONS:-3}",
      description = "Rounds of baseline then every pipeline variant "
          + "(default: ${DEFAULT-VALUE}).")
  int repetitions;

  @Option(names = "--parallelism", split = ",",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_PARALLELISM:-1,2}",
      description = "Flink parallelisms to measure (default: ${DEFAULT-VALUE}).")
  List<Integer> parallelisms;

  @Option(names = "--stages", split = ",",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_STAGES:-ALIGN,JOB}",
      description = "What of the pipeline runs: ALIGN = decode, clock alignment and event-time "
          + "watermarks; SPINE = the MemfleetJob spine (adds the per-process join); JOB = the "
          + "whole job (adds aggregates, raw events, detection and forensics, their outputs "
          + "encoded and counted instead of written) (default: ${DEFAULT-VALUE}).")
  List<Stage> stages;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_BOOTSTRAP}",
      description = "Use this Kafka instead of starting a broker; fresh topics named "
          + "bench-<run>.* are created on it and deleted afterwards.")
  String bootstrap;

  @Option(names = "--work-dir", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_WORK_DIR}",
      description = "Directory of the started broker and checkpoints (default: a temporary "
          + "directory, deleted afterwards).")
  Path workDir;

  @Option(names = "--broker-heap",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_BROKER_HEAP:-1g}",
      description = "Heap of the started broker (default: ${DEFAULT-VALUE}).")
  String brokerHeap;

  @Option(names = "--rate", paramLabel = "EVENTS_PER_S",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_RATE:-50}",
      description = "Events per second of each simulated process; sets the simulated time span"
          + " and so the publish-time spread (default: ${DEFAULT-VALUE}).")
  int ratePerProcess;

  @Option(names = "--clock-sync-interval",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_CLOCK_SYNC_INTERVAL:-10s}",
      converter = DurationConverter.class,
      description = "Simulated time between two ClockSync samples of a host, as the eBPF "
          + "collector's default (default: ${DEFAULT-VALUE}).")
  Duration clockSyncInterval;

  @Option(names = "--checkpoint-interval",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_CHECKPOINT_INTERVAL:-10s}",
      converter = DurationConverter.class,
      description = "Checkpoint interval of the Flink runs, 0 = none (default: "
          + "${DEFAULT-VALUE}, as `memfleet pipeline`).")
  Duration checkpointInterval;

  @Option(names = "--cluster", negatable = true,
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_CLUSTER:-false}",
      description = "Also run stage JOB on a local Flink cluster: a JobManager and "
          + "--cluster-taskmanagers TaskManagers of one slot each as separate JVMs, the job jar "
          + "submitted over REST at parallelism = TaskManagers; variant 'JOB cluster p=N' "
          + "(default: ${DEFAULT-VALUE}).")
  boolean cluster;

  @Option(names = "--cluster-taskmanagers", paramLabel = "N",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_CLUSTER_TASKMANAGERS:-2}",
      description = "TaskManagers of the cluster, one slot each; the job's parallelism "
          + "(default: ${DEFAULT-VALUE}).")
  int clusterTaskManagers;

  @Option(names = "--cluster-task-heap", paramLabel = "SIZE",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_CLUSTER_TASK_HEAP:-512m}",
      description = "taskmanager.memory.task.heap.size of each TaskManager "
          + "(default: ${DEFAULT-VALUE}).")
  String clusterTaskHeap;

  @Option(names = "--cluster-job-jar", paramLabel = "JAR",
      defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_CLUSTER_JOB_JAR}",
      description = "The pipeline's shaded job jar the cluster job is built from (default: "
          + "memfleet-pipeline-<version>-job.jar beside the pipeline jar on the class path).")
  Path clusterJobJar;

  @Option(names = "--seed", defaultValue = "${env:MEMFLEET_BENCH_PIPELINE_SEED:-42}",
      description = "Seed of the simulated fleet (default: ${DEFAULT-VALUE}).")
  long seed;

  public DecodeAlignOptions() {}

  /** Options from command-line arguments, defaults from the environment; validated. */
  public static DecodeAlignOptions parse(String... args) {
    DecodeAlignOptions options = new DecodeAlignOptions();
    new CommandLine(options).parseArgs(args);
    options.validate();
    return options;
  }

  /** @throws IllegalArgumentException naming the first setting out of range */
  public void validate() {
    positive("--events", events);
    positive("--hosts", hosts);
    positive("--processes", processesPerHost);
    positive("--partitions", partitions);
    positive("--repetitions", repetitions);
    positive("--rate", ratePerProcess);
    positive("--cluster-taskmanagers", clusterTaskManagers);
    if (parallelisms == null || parallelisms.isEmpty()
        || parallelisms.stream().anyMatch(p -> p == null || p < 1)) {
      throw new IllegalArgumentException("--parallelism: positive numbers, got " + parallelisms);
    }
    if (stages == null || stages.isEmpty()) {
      throw new IllegalArgumentException("--stages: at least one of ALIGN, SPINE, JOB");
    }
    if (clockSyncInterval.isNegative() || clockSyncInterval.isZero()) {
      throw new IllegalArgumentException("--clock-sync-interval must be positive");
    }
    if (checkpointInterval.isNegative()) {
      throw new IllegalArgumentException("--checkpoint-interval must be 0 (none) or positive");
    }
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  public long events() {
    return events;
  }

  public int hosts() {
    return hosts;
  }

  public int processesPerHost() {
    return processesPerHost;
  }

  public int partitions() {
    return partitions;
  }

  public int repetitions() {
    return repetitions;
  }

  public List<Integer> parallelisms() {
    return List.copyOf(parallelisms);
  }

  public List<Stage> stages() {
    return List.copyOf(stages);
  }

  /** The Kafka to use, or null to start a broker. */
  public String bootstrap() {
    return bootstrap == null || bootstrap.isBlank() ? null : bootstrap.trim();
  }

  /** Where the broker and checkpoints go, or null for a temporary directory. */
  public Path workDir() {
    return workDir;
  }

  public String brokerHeap() {
    return brokerHeap;
  }

  public int ratePerProcess() {
    return ratePerProcess;
  }

  public Duration clockSyncInterval() {
    return clockSyncInterval;
  }

  /** Zero: no checkpoints. */
  public Duration checkpointInterval() {
    return checkpointInterval;
  }

  /** Whether stage JOB also runs on a local Flink cluster. */
  public boolean cluster() {
    return cluster;
  }

  public int clusterTaskManagers() {
    return clusterTaskManagers;
  }

  public String clusterTaskHeap() {
    return clusterTaskHeap;
  }

  /** The pipeline's job jar, or null to find it beside the pipeline's jar. */
  public Path clusterJobJar() {
    return clusterJobJar;
  }

  public long seed() {
    return seed;
  }

  /** Parses {@code 10s}, {@code 500ms}, {@code 2m}, or ISO-8601 ({@code PT10S}). */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      if (v.startsWith("pt")) {
        return Duration.parse(v.toUpperCase(java.util.Locale.ROOT));
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|min|h)?")
          .matcher(v);
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException("not a duration: '" + value
            + "' (e.g. 10s, 500ms, 2m)");
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      switch (unit) {
        case "ms":
          return Duration.ofMillis(n);
        case "m":
        case "min":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          return Duration.ofSeconds(n);
      }
    }
  }
}
