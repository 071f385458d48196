package io.memfleet.pipeline;

import io.memfleet.event.DeadLetter;
import io.memfleet.pipeline.clickhouse.TableSinks;
import io.memfleet.pipeline.decode.DecodeFunction;
import io.memfleet.pipeline.join.ProcessMemoryJoinFunction;
import io.memfleet.pipeline.kafka.KafkaEndpoints;
import io.memfleet.pipeline.model.NativeMemorySample;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.outputs.Output;
import io.memfleet.pipeline.outputs.OutputWiring;
import io.memfleet.pipeline.time.ClockAlignFunction;
import io.memfleet.pipeline.time.ClockCalibration;
import io.memfleet.pipeline.time.ClockSample;
import io.memfleet.pipeline.time.PartitionWatermarks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The memfleet pipeline's spine: decode → one timeline (clock calibration) → event time and
 * watermarks → per-process join, with sources and sinks injected.
 *
 * <pre>
 *  sources ─ decode ─┬─ events ──────── keyBy host ─┐
 *                    ├─ clock samples ─ keyBy host ─┴─ align clocks ─ watermarks
 *                    └─ dead letters ─► sink                 │
 *                            keyBy process ─ join/enrich ────┴─► joined, native memory
 * </pre>
 *
 * <p>Sources carry Kafka publish time as their timestamps; their watermarks (bounded
 * out-of-orderness, idleness, alignment group {@value #ALIGNMENT_GROUP}) throttle a source that
 * runs ahead of the others. Publish time is the only clock known before decoding; after clock
 * alignment every event is re-stamped with its calibrated UTC time and gets event-time watermarks
 * that follow the slowest source partition ({@link PartitionWatermarks}, same out-of-orderness
 * and idleness), which the join and later stages use.
 *
 * <p>Extensions (aggregation, detection, forensics) build their stages on the spine's streams
 * and emit their outputs ({@link PipelineStreams#emit}); once they are built, every output's
 * sinks are attached here, in one place ({@link OutputWiring}): production's Kafka topics and
 * ClickHouse tables, or what the builder was given instead.
 *
 * <pre>{@code
 * MemfleetJob job = MemfleetJob.builder(conf)
 *     .source("events", eventsSource).source("clock", clockSource)
 *     .deadLetterSink(deadLetters)
 *     .nativeMemorySink(testSink)          // optional
 *     .extension(new DetectionExtension()) // optional: stages that emit outputs
 *     .sink(DetectionExtension.ALERTS, testSink) // optional: instead of Kafka and ClickHouse
 *     .build();
 * job.execute(env);
 * // production wiring: MemfleetJob.kafka(conf).build()
 * }</pre>
 */
public final class MemfleetJob {
  /** Watermark alignment group of every source. */
  public static final String ALIGNMENT_GROUP = "memfleet-sources";

  private final Configuration options;
  private final Map<String, Source<RawRecord, ?, ?>> sources;
  private final Sink<DeadLetter> deadLetterSink;
  private final Sink<TimedEvent> eventSink;
  private final Sink<NativeMemorySample> nativeMemorySink;
  private final List<PipelineExtension> extensions;
  private final Map<String, Sink<?>> outputSinks;
  private final TableSinks allOutputSinks;

  private MemfleetJob(Builder b) {
    this.options = b.options;
    this.sources = new LinkedHashMap<>(b.sources);
    this.deadLetterSink = b.deadLetterSink;
    this.eventSink = b.eventSink;
    this.nativeMemorySink = b.nativeMemorySink;
    this.extensions = List.copyOf(b.extensions);
    this.outputSinks = new LinkedHashMap<>(b.outputSinks);
    this.allOutputSinks = b.allOutputSinks;
  }

  public static Builder builder(Configuration options) {
    return new Builder(options);
  }

  /** A builder with the production Kafka sources (events, clock) and dead-letter sink. */
  public static Builder kafka(Configuration options) {
    return builder(options)
        .source("kafka-events", KafkaEndpoints.source(options,
            options.get(PipelineOptions.EVENT_TOPICS), "events"))
        .source("kafka-clock", KafkaEndpoints.source(options,
            List.of(options.get(PipelineOptions.CLOCK_TOPIC)), "clock"))
        .deadLetterSink(KafkaEndpoints.deadLetterSink(options));
  }

  /**
   * Builds the job graph on {@code env} and returns its streams; sinks and extensions attached.
   * Generic types are switched off on {@code env}: every record and every piece of state has a
   * serializer of its own (Flink POJO, Avro or memfleet's), and a type that would fall back to
   * Kryo fails the job when it is built instead of running slowly.
   */
  public PipelineStreams attach(StreamExecutionEnvironment env) throws Exception {
    Configuration serialization = new Configuration();
    serialization.set(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false);
    env.configure(serialization);
    Duration outOfOrderness = options.get(PipelineOptions.OUT_OF_ORDERNESS);
    Duration idleness = options.get(PipelineOptions.IDLENESS);

    WatermarkStrategy<RawRecord> publishTime = WatermarkStrategy
        .<RawRecord>forBoundedOutOfOrderness(outOfOrderness)
        .withTimestampAssigner((r, kafkaTs) -> r.timestampMs)
        .withIdleness(idleness)
        .withWatermarkAlignment(ALIGNMENT_GROUP,
            options.get(PipelineOptions.ALIGNMENT_MAX_DRIFT),
            options.get(PipelineOptions.ALIGNMENT_UPDATE_INTERVAL));
    DataStream<RawRecord> raw = null;
    for (Map.Entry<String, Source<RawRecord, ?, ?>> s : sources.entrySet()) {
      DataStream<RawRecord> one = env.fromSource(s.getValue(), publishTime, s.getKey())
          .uid("source-" + s.getKey());
      raw = raw == null ? one : raw.union(one);
    }

    SingleOutputStreamOperator<TimedEvent> decoded =
        raw.process(new DecodeFunction(PipelineOptions.deadLetterMaxPayload(options)))
            .name("decode").uid("decode");
    DataStream<ClockSample> clock = decoded.getSideOutput(DecodeFunction.CLOCK_SAMPLES);
    DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DecodeFunction.DEAD_LETTERS);

    SingleOutputStreamOperator<TimedEvent> clockAligned = decoded.keyBy(TimedEvent::hostKey)
        .connect(clock.keyBy(ClockSample::hostKey))
        .process(new ClockAlignFunction(PipelineOptions.clockAlignSettings(options)))
        .name("align-clocks").uid("align-clocks");
    DataStream<ClockCalibration> calibrations =
        clockAligned.getSideOutput(ClockAlignFunction.CALIBRATIONS);
    DataStream<TimedEvent> aligned = new PartitionWatermarks(outOfOrderness, idleness)
        .applyTo(clockAligned).name("event-time").uid("event-time");

    SingleOutputStreamOperator<TimedEvent> joined = aligned.keyBy(TimedEvent::processId)
        .process(new ProcessMemoryJoinFunction(options.get(PipelineOptions.JOIN_INTERVAL),
            options.get(PipelineOptions.PROCESS_IDLE_TIMEOUT)))
        .name("join-per-process").uid("join-per-process");
    DataStream<NativeMemorySample> nativeMemory =
        joined.getSideOutput(ProcessMemoryJoinFunction.NATIVE_MEMORY);

    deadLetters.sinkTo(deadLetterSink).name("dead-letters").uid("sink-dead-letters");
    if (eventSink != null) {
      joined.sinkTo(eventSink).name("events").uid("sink-events");
    }
    if (nativeMemorySink != null) {
      nativeMemory.sinkTo(nativeMemorySink).name("native-memory").uid("sink-native-memory");
    }
    PipelineStreams streams =
        new PipelineStreams(options, aligned, joined, nativeMemory, deadLetters, calibrations);
    for (PipelineExtension extension : extensions) {
      extension.attach(streams);
    }
    new OutputWiring(options, outputSinks, allOutputSinks).wire(streams.emitted());
    return streams;
  }

  /** Builds the graph on {@code env} and runs it until it ends (bounded sources) or fails. */
  public JobExecutionResult execute(StreamExecutionEnvironment env) throws Exception {
    attach(env);
    return env.execute("memfleet pipeline");
  }

  /** Validating builder: at least one source and a dead-letter sink. */
  public static final class Builder {
    private final Configuration options;
    private final Map<String, Source<RawRecord, ?, ?>> sources = new LinkedHashMap<>();
    private Sink<DeadLetter> deadLetterSink;
    private Sink<TimedEvent> eventSink;
    private Sink<NativeMemorySample> nativeMemorySink;
    private final List<PipelineExtension> extensions = new ArrayList<>();
    private final Map<String, Sink<?>> outputSinks = new LinkedHashMap<>();
    private TableSinks allOutputSinks;

    private Builder(Configuration options) {
      this.options = options == null ? new Configuration() : options;
    }

    /** A source of raw Kafka-like records; the name labels the operator. */
    public Builder source(String name, Source<RawRecord, ?, ?> source) {
      if (sources.putIfAbsent(name, source) != null) {
        throw new IllegalArgumentException("two sources named " + name);
      }
      return this;
    }

    public Builder deadLetterSink(Sink<DeadLetter> sink) {
      this.deadLetterSink = sink;
      return this;
    }

    /** Optional sink of the joined stream (enriched events and derived NativeMemory events). */
    public Builder eventSink(Sink<TimedEvent> sink) {
      this.eventSink = sink;
      return this;
    }

    public Builder nativeMemorySink(Sink<NativeMemorySample> sink) {
      this.nativeMemorySink = sink;
      return this;
    }

    /**
     * {@code sink} instead of the production sinks of {@code output} (its Kafka topic and its
     * ClickHouse table): a test's, a replay's file.
     */
    public <T> Builder sink(Output<T> output, Sink<T> sink) {
      outputSinks.put(output.name(), sink);
      return this;
    }

    /**
     * {@code sinks} instead of the production sinks of every output not given one by
     * {@link #sink}: a benchmark's, which encodes each table's rows and counts them.
     */
    public Builder outputSinks(TableSinks sinks) {
      this.allOutputSinks = sinks;
      return this;
    }

    public Builder extension(PipelineExtension extension) {
      extensions.add(extension);
      return this;
    }

    public MemfleetJob build() {
      if (sources.isEmpty()) {
        throw new IllegalStateException("the pipeline needs at least one source");
      }
      if (deadLetterSink == null) {
        throw new IllegalStateException("the pipeline needs a dead-letter sink: bad records "
            + "must go somewhere");
      }
      PipelineOptions.clockAlignSettings(options); // validates the clock settings now
      PipelineOptions.deadLetterMaxPayload(options);
      return new MemfleetJob(this);
    }
  }
}
