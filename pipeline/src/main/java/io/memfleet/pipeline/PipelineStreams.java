package io.memfleet.pipeline;

import io.memfleet.event.DeadLetter;
import io.memfleet.pipeline.model.NativeMemorySample;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.ProcessScopedKey;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.outputs.Emitted;
import io.memfleet.pipeline.outputs.Output;
import io.memfleet.pipeline.outputs.OutputWiring;
import io.memfleet.pipeline.time.ClockCalibration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;

/**
 * The streams of a built pipeline, where later stages attach (see {@link PipelineExtension}).
 *
 * <ul>
 *   <li>{@link #aligned()}: every decoded event on the UTC timeline, event-time timestamps
 *       ({@link TimedEvent#eventTimeMs()}) and watermarks assigned, not yet enriched.
 *   <li>{@link #joined()}: the same events enriched with the process identity, plus derived
 *       {@code NativeMemory} events; {@link #byProcess()} is it keyed by process — the stream
 *       detection rules run on.
 *   <li>{@link #nativeMemory()}: the native-memory series.
 *   <li>{@link #deadLetters()}: records the pipeline could not process.
 *   <li>{@link #clockCalibrations()}: where each host's clock models stand, as they change
 *       ({@link io.memfleet.pipeline.time.ClockAlignFunction#CALIBRATIONS}).
 * </ul>
 *
 * <p>Stages return streams and hand what leaves the job to {@link #emit}; sinks are attached in
 * one place ({@link OutputWiring}), so a test or a benchmark chooses them for the whole job.
 */
public final class PipelineStreams {
  private final Configuration options;
  private final DataStream<TimedEvent> aligned;
  private final DataStream<TimedEvent> joined;
  private final DataStream<NativeMemorySample> nativeMemory;
  private final DataStream<DeadLetter> deadLetters;
  private final DataStream<ClockCalibration> clockCalibrations;
  private final Map<String, Emitted<?>> emitted = new LinkedHashMap<>();

  PipelineStreams(Configuration options, DataStream<TimedEvent> aligned,
      DataStream<TimedEvent> joined, DataStream<NativeMemorySample> nativeMemory,
      DataStream<DeadLetter> deadLetters, DataStream<ClockCalibration> clockCalibrations) {
    this.options = options;
    this.aligned = aligned;
    this.joined = joined;
    this.nativeMemory = nativeMemory;
    this.deadLetters = deadLetters;
    this.clockCalibrations = clockCalibrations;
  }

  /**
   * Hands {@code stream} to the world outside as {@code output}: its sinks are attached once
   * every stage is built ({@link OutputWiring}), its table in production.
   *
   * @throws IllegalArgumentException when the output was emitted already
   */
  public <T> void emit(Output<T> output, DataStream<T> stream) {
    emit(output, stream, null);
  }

  /** As {@link #emit(Output, DataStream)}; in production also to the Kafka {@code topic}. */
  public <T> void emit(Output<T> output, DataStream<T> stream, String topic) {
    if (emitted.putIfAbsent(output.name(), new Emitted<>(output, stream, topic)) != null) {
      throw new IllegalArgumentException("output " + output.name() + " emitted twice");
    }
  }

  /** The outputs emitted so far, in order. */
  public Collection<Emitted<?>> emitted() {
    return Collections.unmodifiableCollection(emitted.values());
  }

  /** The job's configuration ({@link PipelineOptions} and anything else it was given). */
  public Configuration options() {
    return options;
  }

  public DataStream<TimedEvent> aligned() {
    return aligned;
  }

  public DataStream<TimedEvent> joined() {
    return joined;
  }

  /**
   * {@link #joined()} keyed by {@link TimedEvent#processId()}, without another shuffle: the join
   * that produced it is keyed by that key and emits only events of its current key, so each
   * subtask already holds exactly the keys a {@code keyBy} would send it. Stages on this stream
   * run in the join's tasks (chained, no serialization between them).
   */
  public KeyedStream<TimedEvent, ProcessId> byProcess() {
    return byProcess(joined, TimedEvent::processId);
  }

  /**
   * {@code stream}, which holds only what a per-process stage emitted for its current process
   * (the join's output, observations, a rule's alerts), keyed by {@code key} without another
   * shuffle: keys that hash as their {@link ProcessId} does ({@link ProcessId} itself, its
   * {@link ProcessId#victim}, a {@link ProcessScopedKey}) are already in the subtask a
   * {@code keyBy} would send them to.
   */
  public static <T> KeyedStream<T, ProcessId> byProcess(DataStream<T> stream,
      KeySelector<T, ProcessId> key) {
    return DataStreamUtils.reinterpretAsKeyedStream(stream, key,
        TypeInformation.of(ProcessId.class));
  }

  /** As {@link #byProcess(DataStream, KeySelector)}, keyed by a key within each process. */
  public static <T> KeyedStream<T, ProcessScopedKey> byProcessPart(DataStream<T> stream,
      KeySelector<T, ProcessScopedKey> key) {
    return DataStreamUtils.reinterpretAsKeyedStream(stream, key,
        TypeInformation.of(ProcessScopedKey.class));
  }

  public DataStream<NativeMemorySample> nativeMemory() {
    return nativeMemory;
  }

  public DataStream<DeadLetter> deadLetters() {
    return deadLetters;
  }

  public DataStream<ClockCalibration> clockCalibrations() {
    return clockCalibrations;
  }
}
