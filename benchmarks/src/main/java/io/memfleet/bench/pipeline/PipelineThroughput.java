package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.FleetWorkload.TopicSet;
import io.memfleet.event.DeadLetter;
import io.memfleet.bench.pipeline.cluster.WholeJob;
import io.memfleet.pipeline.MemfleetJob;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.decode.DecodeFunction;
import io.memfleet.pipeline.kafka.KafkaEndpoints;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.time.ClockAlignFunction;
import io.memfleet.pipeline.time.ClockSample;
import io.memfleet.pipeline.time.PartitionWatermarks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Our side of the comparison: the pipeline on a fresh local Flink MiniCluster in this JVM,
 * reading the workload's topics with the production Kafka sources ({@link KafkaEndpoints}: a new
 * consumer group, so from the earliest offset) and writing dead letters with the production
 * sink. The sources are unbounded as in production; a {@link CountingSink} counts the output live
 * and the job is cancelled once every event has arrived ("until count").
 *
 * <ul>
 *   <li>{@link Stage#ALIGN}: decode → clock alignment → event-time watermarks, built from the
 *       pipeline's own operators with {@code MemfleetJob}'s wiring and settings (publish-time
 *       watermarks with alignment on the sources, keyed by host boot), counted after event time.
 *   <li>{@link Stage#SPINE}: the real {@link MemfleetJob#kafka} job without its extensions — the
 *       above plus the per-process join and enrichment — counted at its event sink (joined
 *       events; derived native-memory points are counted apart).
 *   <li>{@link Stage#JOB}: the whole job as {@code memfleet pipeline} runs it — the spine, the
 *       ClickHouse outputs (10-s and 1-min aggregates, late events, GC pauses, allocation
 *       windows and stacks, clock calibrations, raw events), detection (observations, every rule,
 *       the alert manager) and OOM forensics — with {@link CountingOutputs} in place of ClickHouse
 *       and the alert and snapshot topics: each table's rows are encoded as for ClickHouse and
 *       counted. Counted, like SPINE, at the event sink.
 * </ul>
 *
 * <p>Why not bounded sources: with watermark alignment on, the Kafka connector (5.0.0-2.2) can fail
 * the job when an alignment pause reaches a split that has just finished at its stopping offset
 * ({@code IllegalStateException: No current assignment for partition}, FLINK-39728), which
 * production, never finishing a split, does not meet.
 *
 * <p>Settings are {@link PipelineOptions}' defaults, overridable by the same {@code MEMFLEET_*}
 * variables as {@code memfleet pipeline}; checkpoints as configured (production: every 10 s), no
 * restarts (a failure fails the measurement rather than counting twice).
 *
 * <pre>{@code
 * PipelineThroughput.Result r = new PipelineThroughput(bootstrap, topics, written,
 *     checkpointInterval, checkpointDir).run(Stage.ALIGN, 2);
 * }</pre>
 */
final class PipelineThroughput {
  /** How much of the pipeline a run includes. */
  enum Stage { ALIGN, SPINE, JOB }

  /** With no new record for this long, the events that have not arrived are not coming. */
  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(90);

  /**
   * One run: the timing, and what the counting sink saw. {@code longestPauseNs} is -1 where it
   * is not measured (on a cluster, whose counts arrive through metrics once a second).
   */
  record Result(Throughput throughput, long events, long derived, long calibrated,
      long clockModel, long longestPauseNs, Map<String, Long> outputs) {}

  private final String bootstrap;
  private final TopicSet topics;
  private final long records;
  private final long events;
  private final Duration checkpointInterval;
  private final Path checkpointDir;

  /**
   * @param records records in the input topics (events and clock samples)
   * @param events events among them: the job is stopped when that many have arrived
   */
  PipelineThroughput(String bootstrap, TopicSet topics, long records, long events,
      Duration checkpointInterval, Path checkpointDir) {
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.records = records;
    this.events = events;
    this.checkpointInterval = checkpointInterval;
    this.checkpointDir = checkpointDir;
  }

  Result run(Stage stage, int parallelism) throws Exception {
    Configuration options = PipelineOptions.fromEnvironment(System.getenv());
    options.set(PipelineOptions.BOOTSTRAP_SERVERS, bootstrap);
    options.set(PipelineOptions.GROUP_ID,
        "bench-" + stage.name().toLowerCase() + "-" + UUID.randomUUID());
    options.set(PipelineOptions.START_FROM, PipelineOptions.StartFrom.EARLIEST);
    options.set(PipelineOptions.EVENT_TOPICS, topics.eventTopics());
    options.set(PipelineOptions.CLOCK_TOPIC, topics.clockTopic());
    options.set(PipelineOptions.DEAD_LETTER_TOPIC, topics.deadLetterTopic());

    CountingSink<TimedEvent> sink = new CountingSink<>();
    CountingOutputs outputs = new CountingOutputs();
    try {
      long start = System.nanoTime();
      StreamExecutionEnvironment env = environment(parallelism);
      if (stage == Stage.SPINE) {
        MemfleetJob.kafka(options).eventSink(sink).build().attach(env);
      } else if (stage == Stage.JOB) {
        WholeJob.stages(MemfleetJob.kafka(options).eventSink(sink),
            outputs).build().attach(env);
      } else {
        attachDecodeAndAlign(env, options, sink);
      }
      JobClient job = env.executeAsync("memfleet " + stage + " benchmark p=" + parallelism);
      long longestPauseNs;
      try {
        longestPauseNs = awaitEvents(sink.tally(), job.getJobExecutionResult());
      } finally {
        cancel(job);
      }
      CountingSink.Tally t = sink.tally();
      long lastNs = t.lastNs.get();
      long totalNs = lastNs == Long.MIN_VALUE ? 0 : lastNs - start;
      String variant = stage + " p=" + parallelism;
      return new Result(new Throughput(variant, records, t.events(), t.windowNs(), totalNs),
          t.events(), t.derived.sum(), t.calibrated.sum(), t.clockModel.sum(), longestPauseNs,
          outputs.counts());
    } finally {
      sink.release();
      outputs.release();
    }
  }

  /**
   * Waits until every event has arrived, the job failed, or nothing arrived for a while. Returns
   * the longest time the output stood still once it had started (sampled every 20 ms): a sign
   * of sources paused by watermark alignment or events waiting for calibration.
   */
  private long awaitEvents(CountingSink.Tally tally, CompletableFuture<JobExecutionResult> end)
      throws Exception {
    long lastCount = 0;
    long lastProgress = System.nanoTime();
    long longestPause = 0;
    while (tally.events() < events) {
      if (end.isDone()) {
        end.get(); // throws the job's failure
        throw new IllegalStateException("the job ended after " + tally.events() + " of "
            + events + " events");
      }
      long count = tally.records.sum();
      long now = System.nanoTime();
      if (count != lastCount) {
        if (lastCount > 0) {
          longestPause = Math.max(longestPause, now - lastProgress);
        }
        lastCount = count;
        lastProgress = now;
      } else if (now - lastProgress > STALL_TIMEOUT.toNanos()) {
        break; // the shortfall is reported by the caller's checks
      }
      Thread.sleep(20);
    }
    return longestPause;
  }

  private static void cancel(JobClient job) {
    try {
      job.cancel().get(60, TimeUnit.SECONDS);
      job.getJobExecutionResult().handle((r, e) -> null).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a job that already failed cannot be cancelled; its failure is what the caller reports
    }
  }

  private StreamExecutionEnvironment environment(int parallelism) {
    Configuration flink = new Configuration();
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    if (!checkpointInterval.isZero()) {
      flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
      flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
    }
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
    if (!checkpointInterval.isZero()) {
      env.enableCheckpointing(checkpointInterval.toMillis());
    }
    return env;
  }

  /**
   * The job's first stages, wired as {@link MemfleetJob#attach} wires them (the job itself always
   * adds the per-process join, which {@link Stage#JOB} measures).
   */
  private static void attachDecodeAndAlign(StreamExecutionEnvironment env, Configuration options,
      Sink<TimedEvent> sink) {
    Duration outOfOrderness = options.get(PipelineOptions.OUT_OF_ORDERNESS);
    Duration idleness = options.get(PipelineOptions.IDLENESS);
    WatermarkStrategy<RawRecord> publishTime = WatermarkStrategy
        .<RawRecord>forBoundedOutOfOrderness(outOfOrderness)
        .withTimestampAssigner((r, kafkaTs) -> r.timestampMs)
        .withIdleness(idleness)
        .withWatermarkAlignment(MemfleetJob.ALIGNMENT_GROUP,
            options.get(PipelineOptions.ALIGNMENT_MAX_DRIFT),
            options.get(PipelineOptions.ALIGNMENT_UPDATE_INTERVAL));
    KafkaSource<RawRecord> eventSource =
        KafkaEndpoints.source(options, options.get(PipelineOptions.EVENT_TOPICS), "events");
    KafkaSource<RawRecord> clockSource =
        KafkaEndpoints.source(options, List.of(options.get(PipelineOptions.CLOCK_TOPIC)), "clock");
    DataStream<RawRecord> raw = env.fromSource(eventSource, publishTime, "kafka-events")
        .union(env.fromSource(clockSource, publishTime, "kafka-clock"));

    SingleOutputStreamOperator<TimedEvent> decoded =
        raw.process(new DecodeFunction()).name("decode");
    DataStream<ClockSample> clock = decoded.getSideOutput(DecodeFunction.CLOCK_SAMPLES);
    DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DecodeFunction.DEAD_LETTERS);
    deadLetters.sinkTo(KafkaEndpoints.deadLetterSink(options)).name("dead-letters");

    new PartitionWatermarks(outOfOrderness, idleness).applyTo(decoded.keyBy(TimedEvent::hostKey)
        .connect(clock.keyBy(ClockSample::hostKey))
        .process(new ClockAlignFunction(PipelineOptions.clockAlignSettings(options)))
        .name("align-clocks"))
        .name("event-time")
        .sinkTo(sink).name("count");
  }
}
