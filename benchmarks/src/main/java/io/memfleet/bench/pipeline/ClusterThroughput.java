package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.FleetWorkload.TopicSet;
import io.memfleet.bench.pipeline.PipelineThroughput.Result;
import io.memfleet.bench.pipeline.cluster.BenchmarkMetrics;
import io.memfleet.bench.pipeline.cluster.ClusterBenchmarkJob;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.cluster.LocalFlinkCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Stage JOB of the benchmark on a real Flink cluster on this machine: a JobManager and
 * {@code taskManagers} TaskManagers of one slot each, every one its own JVM
 * ({@link LocalFlinkCluster}, with the JVM's whole JIT), and the job jar ({@link ClusterJobJar}:
 * the pipeline's shaded job jar plus {@link ClusterBenchmarkJob}) uploaded once and run over REST
 * at parallelism {@code taskManagers}, once per pass, with a fresh consumer group from the
 * earliest offset. The cluster is started once for the whole benchmark run and checkpoints as the
 * MiniCluster variants do, to local disk; a failure fails the pass (no restart strategy).
 *
 * <p>The counting sinks run in the TaskManagers, so the harness learns their counts from Flink
 * metrics over REST ({@link JobMetrics}), polled every {@value #POLL_MS} ms; the job is cancelled
 * once every event has arrived. The sinks stamp first and last arrival themselves (epoch
 * microseconds), so <b>steady</b> is first record to last event at the sinks, as for the
 * MiniCluster; <b>total</b> runs from the run request ({@code POST /jars/{jar}/run}: the JobManager
 * runs the jar's main, builds the graph, schedules and deploys it) to the last event, not
 * including the cluster's start-up or the jar's upload (once per run).
 *
 * <pre>{@code
 * try (ClusterThroughput cluster = ClusterThroughput.start(settings, bootstrap, topics, records,
 *     events, progress)) {
 *   PipelineThroughput.Result r = cluster.run();
 * }
 * }</pre>
 */
final class ClusterThroughput implements AutoCloseable {
  static final String VARIANT = "JOB cluster p=";
  private static final long POLL_MS = 500;
  /** Longer than the metric fetcher's interval: the values read after it are final. */
  private static final Duration SETTLE = Duration.ofMillis(2_500);
  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(60);

  /**
   * How the cluster is set up.
   *
   * @param dir the cluster's configuration, logs, checkpoints and the job jar
   * @param pipelineJobJar the pipeline's shaded job jar
   * @param taskHeap {@code taskmanager.memory.task.heap.size} of each TaskManager, e.g. 512m
   * @param checkpointInterval zero: no checkpoints
   */
  record Settings(Path dir, Path pipelineJobJar, int taskManagers, String taskHeap,
      Duration checkpointInterval) {}

  private final LocalFlinkCluster flink;
  private final String jarId;
  private final int parallelism;
  private final String bootstrap;
  private final TopicSet topics;
  private final long records;
  private final long events;
  private final PrintStream progress;

  private ClusterThroughput(LocalFlinkCluster flink, String jarId, int parallelism,
      String bootstrap, TopicSet topics, long records, long events, PrintStream progress) {
    this.flink = flink;
    this.jarId = jarId;
    this.parallelism = parallelism;
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.records = records;
    this.events = events;
    this.progress = progress;
  }

  /** Builds the job jar, starts the cluster and uploads the jar; ends the processes on failure. */
  static ClusterThroughput start(Settings s, String bootstrap, TopicSet topics, long records,
      long events, PrintStream progress) throws IOException, InterruptedException {
    Path jar = ClusterJobJar.build(s.pipelineJobJar(), s.dir().resolve("memfleet-bench-job.jar"));
    LocalFlinkCluster.Builder builder = LocalFlinkCluster.builder(s.dir().resolve("flink"))
        .jobJar(jar).taskManagers(s.taskManagers()).slotsPerTaskManager(1).fullJit()
        .set("taskmanager.memory.task.heap.size", s.taskHeap())
        .set("restart-strategy.type", "none")
        .set("execution.checkpointing.externalized-checkpoint-retention",
            "DELETE_ON_CANCELLATION");
    if (s.checkpointInterval().isZero()) {
      builder.unset("execution.checkpointing.interval");
    } else {
      builder.set("execution.checkpointing.interval", s.checkpointInterval().toMillis() + " ms");
    }
    LocalFlinkCluster flink = builder.start();
    try {
      String jarId = flink.upload(jar);
      progress.printf("Flink cluster up: REST %s, a JobManager and %d TaskManagers x 1 slot, "
          + "logs under %s%n", flink.restUrl(), s.taskManagers(), s.dir().resolve("flink/log"));
      return new ClusterThroughput(flink, jarId, s.taskManagers(), bootstrap, topics, records,
          events, progress);
    } catch (IOException | InterruptedException | RuntimeException e) {
      flink.close();
      throw e;
    }
  }

  String variant() {
    return VARIANT + parallelism;
  }

  /** One pass: runs the job over the whole workload, until every event arrived, then cancels. */
  Result run() throws Exception {
    List<String> args = List.of(
        PipelineOptions.BOOTSTRAP_SERVERS.key() + "=" + bootstrap,
        PipelineOptions.GROUP_ID.key() + "=bench-cluster-" + UUID.randomUUID(),
        PipelineOptions.START_FROM.key() + "=" + PipelineOptions.StartFrom.EARLIEST,
        PipelineOptions.EVENT_TOPICS.key() + "=" + String.join(";", topics.eventTopics()),
        PipelineOptions.CLOCK_TOPIC.key() + "=" + topics.clockTopic(),
        PipelineOptions.DEAD_LETTER_TOPIC.key() + "=" + topics.deadLetterTopic());
    long submittedMicros = BenchmarkMetrics.nowMicros();
    String job = flink.run(jarId, args);
    JobMetrics metrics = new JobMetrics(flink.rest(), job);
    Map<String, List<Long>> sink;
    Map<String, List<Long>> outputs;
    try {
      awaitEvents(job, metrics, submittedMicros);
      Thread.sleep(SETTLE.toMillis());
      sink = metrics.read("");
      metrics.refresh();
      outputs = metrics.read(BenchmarkMetrics.OUTPUT + ".");
    } finally {
      String state = flink.cancel(job, CANCEL_TIMEOUT);
      if (!state.equals("CANCELED")) {
        progress.println("job " + job + " ended " + state);
      }
    }
    long first = sink.getOrDefault(BenchmarkMetrics.FIRST_ARRIVAL_MICROS, List.of()).stream()
        .mapToLong(Long::longValue).filter(t -> t > 0).min().orElse(0);
    long last = sink.getOrDefault(BenchmarkMetrics.LAST_EVENT_MICROS, List.of()).stream()
        .mapToLong(Long::longValue).max().orElse(0);
    long delivered = JobMetrics.sum(sink, BenchmarkMetrics.EVENTS);
    long steadyNs = first == 0 || last < first ? 0 : (last - first) * 1_000L;
    long totalNs = last == 0 ? 0 : (last - submittedMicros) * 1_000L;
    return new Result(new Throughput(variant(), records, delivered, steadyNs, totalNs), delivered,
        JobMetrics.sum(sink, BenchmarkMetrics.DERIVED),
        JobMetrics.sum(sink, BenchmarkMetrics.CALIBRATED),
        JobMetrics.sum(sink, BenchmarkMetrics.CLOCK_MODEL), -1, outputCounts(outputs));
  }

  /**
   * Polls the event sink's count until every event arrived; fails when the job ended first, or
   * returns when nothing arrived for {@link #STALL_TIMEOUT} (the shortfall is the caller's check).
   */
  private void awaitEvents(String job, JobMetrics metrics, long submittedMicros)
      throws Exception {
    long lastCount = -1;
    long lastProgressNs = System.nanoTime();
    long lastPrintNs = System.nanoTime();
    while (true) {
      String state = flink.jobStatus(job);
      long count = JobMetrics.sum(metrics.read(BenchmarkMetrics.EVENTS), BenchmarkMetrics.EVENTS);
      if (count >= events) {
        return;
      }
      if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
        throw new IllegalStateException("the cluster job " + job + " ended " + state + " after "
            + count + " of " + events + " events: " + rootException(job));
      }
      long now = System.nanoTime();
      if (count != lastCount) {
        lastCount = count;
        lastProgressNs = now;
      } else if (count > 0 && now - lastProgressNs > STALL_TIMEOUT.toNanos()) {
        return;
      }
      if (now - lastPrintNs > PROGRESS_EVERY.toNanos()) {
        lastPrintNs = now;
        progress.printf("  %s: job %s %s, %d of %d events at the sink, %.0f s since submit%n",
            variant(), job, state, count, events,
            (BenchmarkMetrics.nowMicros() - submittedMicros) / 1e6);
        progress.flush();
      }
      Thread.sleep(POLL_MS);
    }
  }

  private String rootException(String job) {
    try {
      return flink.rest().get("/jobs/" + job + "/exceptions?maxExceptions=1")
          .path("exceptionHistory").path("entries").path(0).path("stacktrace").asText("none")
          .lines().limit(40).collect(java.util.stream.Collectors.joining("\n"));
    } catch (Exception e) {
      return "(could not read it: " + e + ")";
    }
  }

  /** {@code output.x.rows} → {@code x}, {@code output.x.bytes} → {@code BYTES x}. */
  private static Map<String, Long> outputCounts(Map<String, List<Long>> metrics) {
    Map<String, Long> counts = new TreeMap<>();
    metrics.forEach((name, values) -> {
      String rest = name.substring(BenchmarkMetrics.OUTPUT.length() + 1);
      int dot = rest.lastIndexOf('.');
      String output = rest.substring(0, dot);
      String key = rest.substring(dot + 1).equals(BenchmarkMetrics.BYTES) ? "BYTES " + output
          : output;
      counts.merge(key, values.stream().mapToLong(Long::longValue).sum(), Long::sum);
    });
    return counts;
  }

  /** Ends the cluster's processes (logs stay in its directory). */
  @Override
  public void close() {
    flink.close();
  }
}
