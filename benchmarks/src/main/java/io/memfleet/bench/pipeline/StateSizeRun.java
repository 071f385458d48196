package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.CheckpointStateSizes.Label;
import io.memfleet.bench.pipeline.CheckpointStateSizes.OperatorSizes;
import io.memfleet.bench.pipeline.FleetWorkload.TopicSet;
import io.memfleet.bench.pipeline.KeyedStateBreakdown.Format;
import io.memfleet.bench.pipeline.StateSizeOptions.Backend;
import io.memfleet.bench.pipeline.StateSizeOptions.Fleet;
import io.memfleet.bench.pipeline.cluster.WholeJob;
import io.memfleet.pipeline.MemfleetJob;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.model.TimedEvent;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.streaming.api.graph.StreamNode;

/**
 * One measurement: the whole memfleet job over a fleet's backlog on a fresh MiniCluster with one
 * state backend, then one full, aligned checkpoint once every event has arrived and before any
 * process goes idle, read back per operator and per state.
 *
 * <p>The job is {@code DecodeAlignBenchmark}'s JOB stage ({@link PipelineThroughput}): the
 * production Kafka sources, the spine, the ClickHouse outputs, detection (observations, every
 * rule, the alert manager) and OOM forensics, with {@link CountingOutputs} and a
 * {@link CountingSink} in place of ClickHouse and the alert and snapshot topics. Pipeline settings
 * are {@link PipelineOptions}' defaults and {@code MEMFLEET_*} as for {@code memfleet pipeline}.
 *
 * <p>Flink: {@code state.backend.type} as given, incremental checkpoints off (RocksDB uploads
 * all its SST files, none shared with an earlier checkpoint), aligned exactly-once checkpoints,
 * filesystem storage, no periodic checkpoint (the interval is a day) — the one checkpoint is
 * triggered as {@code POST /jobs/:id/checkpoints} would trigger it, and kept on cancel so it can
 * be read afterwards. With RocksDB a canonical savepoint follows at once, for the per-state
 * breakdown ({@link KeyedStateBreakdown}).
 *
 * <pre>{@code
 * StateSizeRun.Result r = new StateSizeRun(bootstrap, topics, events, 2,
 *     MemorySize.parse("512m"), work)
 *     .run(Backend.ROCKSDB, fleet);
 * r.sizes().keyedBytes();
 * }</pre>
 */
final class StateSizeRun {
  /** With no new record for this long, the events that have not arrived are not coming. */
  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(30);
  /** Live heap readings a second apart closer than this: the heap has settled. */
  private static final long SETTLED_BYTES = 8L << 20;

  /**
   * One run's figures. {@code liveHeapBytes}: the JVM heap live after a full GC while the job
   * held its state, minus the same before it was submitted, on the started MiniCluster (the heap
   * backend's state as objects, plus the job's fixed working set: the slope between fleets
   * leaves the latter out). {@code localFileBytes}: Flink's temporary directories
   * while the job ran (RocksDB's SST files and logs; nearly nothing for the heap backend).
   * {@code savepoint}: RocksDB only, the canonical savepoint taken right after the checkpoint,
   * which {@code breakdowns} are read from (the heap backend's are read from its checkpoint).
   */
  record Result(Backend backend, Fleet fleet, long events, long counted, long processingMs,
      long checkpointMs, CheckpointStateSizes sizes, long savepointMs,
      CheckpointStateSizes savepoint, Map<String, KeyedStateBreakdown> breakdowns,
      long reportedStateBytes, long liveHeapBytes, long localFileBytes,
      Map<String, Long> outputs) {}

  private final String bootstrap;
  private final TopicSet topics;
  private final long events;
  private final int parallelism;
  private final MemorySize managedMemory;
  private final Path work;

  /**
   * @param events events in the input topics: the checkpoint is taken once that many have
   *     arrived at the job's event sink
   * @param work where this run's checkpoints and temporary files go
   */
  StateSizeRun(String bootstrap, TopicSet topics, long events, int parallelism,
      MemorySize managedMemory, Path work) {
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.events = events;
    this.parallelism = parallelism;
    this.managedMemory = managedMemory;
    this.work = work;
  }

  Result run(Backend backend, Fleet fleet) throws Exception {
    Path checkpoints = work.resolve("checkpoints");
    Path tmp = work.resolve("tmp");
    Files.createDirectories(checkpoints);
    Files.createDirectories(tmp);
    Configuration flink = flinkConfiguration(backend, checkpoints, tmp);

    CountingSink<TimedEvent> sink = new CountingSink<>();
    CountingOutputs outputs = new CountingOutputs();
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
        .setConfiguration(flink).setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(parallelism).build());
    try {
      cluster.start();
      StreamExecutionEnvironment env = new StreamExecutionEnvironment(flink);
      env.setParallelism(parallelism);
      env.enableCheckpointing(Duration.ofDays(1).toMillis());
      WholeJob.stages(MemfleetJob.kafka(pipelineOptions()).eventSink(sink),
          outputs).build().attach(env);
      StreamGraph graph = env.getStreamGraph();
      graph.setJobName("memfleet state size " + backend.flinkName() + " " + fleet);
      Map<OperatorID, Label> labels = labels(graph);
      JobGraph job = graph.getJobGraph();
      JobID id = job.getJobID();
      long withoutState = liveHeap();
      long start = System.nanoTime();
      cluster.submitJob(job).get(2, TimeUnit.MINUTES);

      awaitEvents(sink.tally(), cluster.requestJobResult(id));
      long processingMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      long counted = sink.tally().events();

      long triggered = System.nanoTime();
      String pointer = cluster.triggerCheckpoint(id)
          .get(CHECKPOINT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      long checkpointMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - triggered);
      long localFiles = CheckpointStateSizes.directoryBytes(tmp);
      long savepointMs = 0;
      String savepointPointer = null;
      if (backend == Backend.ROCKSDB) {
        long requested = System.nanoTime();
        savepointPointer = cluster.triggerSavepoint(id, work.resolve("savepoints").toUri()
                .toString(), false, SavepointFormatType.CANONICAL)
            .get(CHECKPOINT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        savepointMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - requested);
      }
      long withState = liveHeap();
      CompletedCheckpointStats stats = cluster.getExecutionGraph(id).get(1, TimeUnit.MINUTES)
          .getCheckpointStatsSnapshot().getHistory().getLatestCompletedCheckpoint();
      long reported = stats == null ? -1 : stats.getStateSize();

      cluster.cancelJob(id).get(1, TimeUnit.MINUTES);
      cluster.requestJobResult(id).get(2, TimeUnit.MINUTES);

      CheckpointStateSizes sizes = CheckpointStateSizes.read(directory(pointer), labels);
      CheckpointStateSizes savepoint = savepointPointer == null ? null
          : CheckpointStateSizes.read(directory(savepointPointer), labels);
      Map<String, KeyedStateBreakdown> breakdowns = new LinkedHashMap<>();
      for (OperatorSizes op : (savepoint == null ? sizes : savepoint).operators()) {
        if (!op.keyedHandles().isEmpty()) {
          breakdowns.put(op.name(), KeyedStateBreakdown.read(savepoint == null ? Format.HEAP
              : Format.CANONICAL, op.keyedHandles(), op.maxParallelism()));
        }
      }
      return new Result(backend, fleet, events, counted, processingMs, checkpointMs, sizes,
          savepointMs, savepoint, breakdowns, reported, withState - withoutState, localFiles,
          outputs.counts());
    } finally {
      sink.release();
      outputs.release();
      cluster.close();
    }
  }

  private Configuration flinkConfiguration(Backend backend, Path checkpoints, Path tmp) {
    Configuration flink = new Configuration();
    flink.set(StateBackendOptions.STATE_BACKEND, backend.flinkName());
    flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, false);
    flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofDays(1));
    flink.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, CHECKPOINT_TIMEOUT);
    flink.set(CheckpointingOptions.ENABLE_UNALIGNED, false);
    flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    flink.set(CoreOptions.TMP_DIRS, tmp.toString());
    flink.set(RestOptions.ADDRESS, "127.0.0.1");
    flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    flink.set(RestOptions.BIND_PORT, "0");
    flink.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
    flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, managedMemory);
    return flink;
  }

  private Configuration pipelineOptions() {
    Configuration options = PipelineOptions.fromEnvironment(System.getenv());
    options.set(PipelineOptions.BOOTSTRAP_SERVERS, bootstrap);
    options.set(PipelineOptions.GROUP_ID, "bench-state-" + UUID.randomUUID());
    options.set(PipelineOptions.START_FROM, PipelineOptions.StartFrom.EARLIEST);
    options.set(PipelineOptions.EVENT_TOPICS, topics.eventTopics());
    options.set(PipelineOptions.CLOCK_TOPIC, topics.clockTopic());
    options.set(PipelineOptions.DEAD_LETTER_TOPIC, topics.deadLetterTopic());
    return options;
  }

  /** Every operator's name and uid by the id its state is stored under. */
  private static Map<OperatorID, Label> labels(StreamGraph graph) {
    Map<Integer, byte[]> hashes = new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(
        graph);
    Map<OperatorID, Label> labels = new HashMap<>();
    for (StreamNode node : graph.getStreamNodes()) {
      byte[] hash = hashes.get(node.getId());
      if (hash != null) {
        labels.put(new OperatorID(hash), new Label(node.getOperatorName(),
            node.getTransformationUID() == null ? "" : node.getTransformationUID()));
      }
    }
    return labels;
  }

  /** Waits until every event has arrived; fails if the job ends or output stops coming. */
  private void awaitEvents(CountingSink.Tally tally, CompletableFuture<JobResult> end)
      throws Exception {
    long lastCount = -1;
    long lastProgress = System.nanoTime();
    while (tally.events() < events) {
      if (end.isDone()) {
        JobResult result = end.get();
        throw new IllegalStateException("the job ended (" + result.getApplicationStatus()
            + ") after " + tally.events() + " of " + events + " events",
            result.getSerializedThrowable().map(t -> (Throwable) t).orElse(null));
      }
      long count = tally.records.sum();
      long now = System.nanoTime();
      if (count != lastCount) {
        lastCount = count;
        lastProgress = now;
      } else if (now - lastProgress > STALL_TIMEOUT.toNanos()) {
        throw new IllegalStateException("no output for " + STALL_TIMEOUT.toSeconds() + " s after "
            + tally.events() + " of " + events + " events");
      }
      Thread.sleep(20);
    }
  }

  /**
   * The heap live after a full collection (System.gc() is a full GC with G1 and Parallel),
   * once it stops falling: a MiniCluster closed just before still lets go of the last job's
   * state for a while (a reading taken too early made the next run's figure negative).
   */
  private static long liveHeap() throws InterruptedException {
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 30; i++) {
      System.gc();
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (previous - used < SETTLED_BYTES) {
        return used;
      }
      previous = used;
      Thread.sleep(1_000);
    }
    return previous;
  }

  private static Path directory(String pointer) {
    return pointer.startsWith("file:") ? Path.of(URI.create(pointer)) : Path.of(pointer);
  }
}
