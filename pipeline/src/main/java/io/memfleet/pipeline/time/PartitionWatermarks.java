package io.memfleet.pipeline.time;

import io.memfleet.pipeline.model.TimedEvent;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.util.PausableRelativeClock;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Event-time watermarks for the aligned stream that follow the slowest Kafka partition, not the
 * fastest, and that a backlog read under backpressure does not make late.
 *
 * <p>Event time is only known after clock alignment, where the partitions of every event topic
 * are already merged into one stream. A single "highest time seen minus out-of-orderness"
 * watermark over that stream is wrong whenever partitions are read at different speeds: while
 * catching up on a backlog (first start, restart after an outage) one topic can be drained
 * minutes ahead of another, and every event of the slower topic would then be late and dropped
 * by the rules and forensics. This operator keeps the highest event time per source partition
 * ({@link TimedEvent#topic}, {@link TimedEvent#partition}) and emits the lowest of them, minus
 * the out-of-orderness, the way Flink sources do per split.
 *
 * <ul>
 *   <li>A partition stops holding the watermark back only when it has been silent for
 *       {@code idleness} <em>and</em> the sources have moved past everything it published: their
 *       watermark (publish time, per split; it reaches this operator through decoding and
 *       alignment, in band) is beyond the partition's newest publish time, or every source is
 *       idle. Silence alone is weak evidence while a backlog is read: the Kafka consumer fetches
 *       partition by partition, so a partition can go unheard from for a while that still has
 *       records, and its events would all be late once it is.</li>
 *   <li>When every partition it has seen stops holding back, everything read so far is all
 *       there is: the watermark moves to the highest time seen, then the output is marked idle
 *       (so this subtask does not hold back the others).</li>
 *   <li>A partition is only known once its first event arrives, so no watermark is emitted until
 *       {@code idleness} after the first event: partitions that start a little later — in a
 *       backlog, those the consumer fetches last — are not declared late before they are seen.
 *       A subtask that gets no event for {@code idleness} after it starts is marked idle.</li>
 *   <li>Every "for {@code idleness}" above is counted on Flink's input-activity clock, which
 *       stops while the task is backpressured (as the sources' idleness does): a job slower than
 *       its backlog waits for records, it does not take their absence for idleness.</li>
 *   <li>Watermarks never go back; the sources' end of input ({@code Long.MAX_VALUE}) is passed
 *       on.</li>
 * </ul>
 *
 * <p>Measured (DecodeAlignBenchmark, a 500 000-event backlog at a 1-s idleness, benchmarks
 * README): with silence on the wall clock as the only rule, 460 000–650 000 {@code late_events}
 * rows per pass — most events missed the 10-s windows; with these rules 0 in 7 of 10 passes, and
 * 17 000–150 000 in the others (cold first passes mostly), from partitions first heard from more
 * than the idleness after the first event: fetched last, or held by clock alignment until their
 * host was calibrated. The default idleness is 10 s.
 *
 * <pre>{@code
 * DataStream<TimedEvent> timed = new PartitionWatermarks(Duration.ofSeconds(2),
 *     Duration.ofSeconds(10)).applyTo(aligned);
 * }</pre>
 */
public final class PartitionWatermarks implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long outOfOrdernessMs;
  private final long idlenessMs;

  public PartitionWatermarks(Duration outOfOrderness, Duration idleness) {
    if (outOfOrderness.isNegative() || idleness.isNegative() || idleness.isZero()) {
      throw new IllegalArgumentException("out-of-orderness must be >= 0 and idleness > 0, got "
          + outOfOrderness + " and " + idleness);
    }
    this.outOfOrdernessMs = outOfOrderness.toMillis();
    this.idlenessMs = idleness.toMillis();
  }

  /**
   * Stamps every event of {@code aligned} with its event time and puts these watermarks on the
   * stream, replacing the sources' (publish-time) ones.
   */
  public SingleOutputStreamOperator<TimedEvent> applyTo(DataStream<TimedEvent> aligned) {
    return aligned.transform("event-time", aligned.getType(),
        new Operator(outOfOrdernessMs, idlenessMs));
  }

  /** The operator: {@link Generator} driven by records, upstream watermarks and a timer. */
  static final class Operator extends AbstractStreamOperator<TimedEvent>
      implements OneInputStreamOperator<TimedEvent, TimedEvent>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    private static final long DEFAULT_INTERVAL_MS = 200;

    private final long outOfOrdernessMs;
    private final long idlenessMs;
    private transient PausableRelativeClock activity;
    private transient Generator generator;
    private transient Emitter emitter;
    private transient long intervalMs;
    private transient boolean ended;

    Operator(long outOfOrdernessMs, long idlenessMs) {
      this.outOfOrdernessMs = outOfOrdernessMs;
      this.idlenessMs = idlenessMs;
    }

    @Override
    public void open() throws Exception {
      super.open();
      ProcessingTimeService time = getProcessingTimeService();
      activity = new PausableRelativeClock(time.getClock());
      getContainingTask().getEnvironment().getMetricGroup().getIOMetricGroup()
          .registerBackPressureListener(activity);
      generator = new Generator(outOfOrdernessMs, idlenessMs, activity::relativeTimeMillis);
      emitter = new Emitter(output);
      long configured = getExecutionConfig().getAutoWatermarkInterval();
      intervalMs = configured > 0 ? configured : DEFAULT_INTERVAL_MS;
      time.registerTimer(time.getCurrentProcessingTime() + intervalMs, this);
    }

    @Override
    public void processElement(StreamRecord<TimedEvent> element) {
      TimedEvent event = element.getValue();
      long timestamp = event.eventTimeMs();
      generator.onEvent(event, timestamp, emitter);
      output.collect(element.replace(event, timestamp));
    }

    @Override
    public void processWatermark(Watermark mark) {
      if (mark.getTimestamp() == Long.MAX_VALUE) {
        ended = true; // end of input: everything is in
        emitter.emitWatermark(org.apache.flink.api.common.eventtime.Watermark.MAX_WATERMARK);
      } else {
        generator.onUpstreamWatermark(mark.getTimestamp());
      }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
      generator.onUpstreamIdle(status.isIdle());
    }

    @Override
    public void onProcessingTime(long timestamp) {
      if (!ended) {
        generator.onPeriodicEmit(emitter);
      }
      ProcessingTimeService time = getProcessingTimeService();
      time.registerTimer(time.getCurrentProcessingTime() + intervalMs, this);
    }

    @Override
    public void close() throws Exception {
      if (activity != null) {
        getContainingTask().getEnvironment().getMetricGroup().getIOMetricGroup()
            .unregisterBackPressureListener(activity);
      }
      super.close();
    }

    @Override
    public void finish() throws Exception {
      super.finish();
      if (!ended) {
        generator.onPeriodicEmit(emitter);
      }
    }
  }

  /** Watermarks and idleness onto the operator's output; never a watermark that goes back. */
  private static final class Emitter implements WatermarkOutput {
    private final Output<StreamRecord<TimedEvent>> output;
    private long current = Long.MIN_VALUE;
    private boolean idle;

    Emitter(Output<StreamRecord<TimedEvent>> output) {
      this.output = output;
    }

    @Override
    public void emitWatermark(org.apache.flink.api.common.eventtime.Watermark watermark) {
      markActive();
      if (watermark.getTimestamp() > current) {
        current = watermark.getTimestamp();
        output.emitWatermark(new Watermark(current));
      }
    }

    @Override
    public void markIdle() {
      if (!idle) {
        idle = true;
        output.emitWatermarkStatus(WatermarkStatus.IDLE);
      }
    }

    @Override
    public void markActive() {
      if (idle) {
        idle = false;
        output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
      }
    }
  }

  /** The watermark logic; the clock (input activity, milliseconds) is injectable for tests. */
  static final class Generator implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String DERIVED = "<derived>";

    private final long outOfOrdernessMs;
    private final long idlenessMs;
    private final LongSupplier wallClockMs;
    /**
     * Per partition: highest event time (ms), the wall time it was last heard from, its highest
     * publish time (ms).
     */
    private final Map<String, Map<Integer, long[]>> partitions = new HashMap<>();
    private final long createdWallMs;
    private long firstEventWallMs = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;
    private long upstreamMs = Long.MIN_VALUE;
    private boolean upstreamIdle;
    private boolean idle;

    Generator(long outOfOrdernessMs, long idlenessMs, LongSupplier wallClockMs) {
      this.outOfOrdernessMs = outOfOrdernessMs;
      this.idlenessMs = idlenessMs;
      this.wallClockMs = wallClockMs;
      this.createdWallMs = wallClockMs.getAsLong();
    }

    void onEvent(TimedEvent event, long eventTimestamp, WatermarkOutput output) {
      long now = wallClockMs.getAsLong();
      if (firstEventWallMs == Long.MIN_VALUE) {
        firstEventWallMs = now;
      }
      // two levels, so the per-event lookup builds no key string
      long[] p = partitions
          .computeIfAbsent(event.topic == null ? DERIVED : event.topic, t -> new HashMap<>())
          .computeIfAbsent(event.partition,
              k -> new long[] {Long.MIN_VALUE, now, Long.MIN_VALUE});
      p[0] = Math.max(p[0], eventTimestamp);
      p[1] = now;
      p[2] = Math.max(p[2], event.publishTimeMs);
      if (idle) {
        idle = false;
        output.markActive();
      }
    }

    /** The sources' watermark (publish time) as it reaches this operator. */
    void onUpstreamWatermark(long publishMs) {
      upstreamMs = Math.max(upstreamMs, publishMs);
    }

    /** Whether every source is idle (nothing to read). */
    void onUpstreamIdle(boolean sourcesIdle) {
      upstreamIdle = sourcesIdle;
    }

    void onPeriodicEmit(WatermarkOutput output) {
      long now = wallClockMs.getAsLong();
      if (firstEventWallMs == Long.MIN_VALUE) {
        if (!idle && now - createdWallMs >= idlenessMs) {
          idle = true; // no input at all on this subtask: do not hold the others back
          output.markIdle();
        }
        return;
      }
      if (now - firstEventWallMs < idlenessMs) {
        return; // partitions that start a little later must be seen first
      }
      long slowestActive = Long.MAX_VALUE;
      long highest = Long.MIN_VALUE;
      for (Map<Integer, long[]> topic : partitions.values()) {
        for (long[] p : topic.values()) {
          highest = Math.max(highest, p[0]);
          if (!done(p, now)) {
            slowestActive = Math.min(slowestActive, p[0]);
          }
        }
      }
      boolean allIdle = slowestActive == Long.MAX_VALUE;
      long candidate = (allIdle ? highest : slowestActive) - outOfOrdernessMs - 1;
      if (candidate > emitted) {
        emitted = candidate;
        output.emitWatermark(new org.apache.flink.api.common.eventtime.Watermark(candidate));
        idle = false;
      } else if (!allIdle && idle) {
        output.markActive();
        idle = false;
      }
      if (allIdle && !idle) {
        output.markIdle();
        idle = true;
      }
    }

    /**
     * Whether a partition no longer holds the watermark back: silent for the idleness, and the
     * sources past everything it published (or all idle).
     */
    private boolean done(long[] p, long now) {
      return now - p[1] >= idlenessMs && (upstreamIdle || upstreamMs > p[2]);
    }
  }
}
