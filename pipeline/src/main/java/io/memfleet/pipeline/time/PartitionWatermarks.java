package io.memfleet.pipeline.time;

import io.memfleet.pipeline.model.TimedEvent;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event-time watermarks for the aligned stream that follow the slowest Kafka partition, not the
 * fastest.
 *
 * <p>Event time is only known after clock alignment, where the partitions of every event topic
 * are already merged into one stream. A single "highest time seen minus out-of-orderness"
 * watermark over that stream is wrong whenever partitions are read at different speeds: while
 * catching up on a backlog (first start, restart after an outage) one topic can be drained
 * minutes ahead of another, and every event of the slower topic would then be late and dropped
 * by the rules and forensics. This generator keeps the highest event time per source partition
 * ({@link TimedEvent#topic}, {@link TimedEvent#partition}) and emits the lowest of them, minus
 * the out-of-orderness, the way Flink sources do per split.
 *
 * <ul>
 *   <li>A partition without events for {@code idleness} (processing time) stops holding the
 *       watermark back; when every partition is idle, everything read so far is all there is and
 *       the watermark moves to the highest time seen, then the output is marked idle.</li>
 *   <li>A partition is only known once its first event arrives, so no watermark is emitted until
 *       {@code idleness} after the first event: partitions that start a little later are not
 *       declared late before they are seen.</li>
 *   <li>Watermarks never go back.</li>
 * </ul>
 *
 * <pre>{@code
 * aligned.assignTimestampsAndWatermarks(new PartitionWatermarks(Duration.ofSeconds(2),
 *     Duration.ofSeconds(10)))
 * }</pre>
 */
public final class PartitionWatermarks implements WatermarkStrategy<TimedEvent> {
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

  @Override
  public WatermarkGenerator<TimedEvent> createWatermarkGenerator(
      WatermarkGeneratorSupplier.Context context) {
    return new Generator(outOfOrdernessMs, idlenessMs, System::currentTimeMillis);
  }

  @Override
  public TimestampAssigner<TimedEvent> createTimestampAssigner(
      TimestampAssignerSupplier.Context context) {
    return (event, recordTimestamp) -> event.eventTimeMs();
  }

  /** The generator; the wall clock is injectable for tests. */
  static final class Generator implements WatermarkGenerator<TimedEvent>, Serializable {
    private static final long serialVersionUID = 1L;
    private static final String DERIVED = "<derived>";

    private final long outOfOrdernessMs;
    private final long idlenessMs;
    private final LongSupplier wallClockMs;
    /** Per partition: highest event time (ms) and the wall time it was last heard from. */
    private final Map<String, Map<Integer, long[]>> partitions = new HashMap<>();
    private final long createdWallMs;
    private long firstEventWallMs = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;
    private boolean idle;

    Generator(long outOfOrdernessMs, long idlenessMs, LongSupplier wallClockMs) {
      this.outOfOrdernessMs = outOfOrdernessMs;
      this.idlenessMs = idlenessMs;
      this.wallClockMs = wallClockMs;
      this.createdWallMs = wallClockMs.getAsLong();
    }

    @Override
    public void onEvent(TimedEvent event, long eventTimestamp, WatermarkOutput output) {
      long now = wallClockMs.getAsLong();
      if (firstEventWallMs == Long.MIN_VALUE) {
        firstEventWallMs = now;
      }
      // two levels, so the per-event lookup builds no key string
      long[] p = partitions
          .computeIfAbsent(event.topic == null ? DERIVED : event.topic, t -> new HashMap<>())
          .computeIfAbsent(event.partition, k -> new long[] {Long.MIN_VALUE, now});
      p[0] = Math.max(p[0], eventTimestamp);
      p[1] = now;
      if (idle) {
        idle = false;
        output.markActive();
      }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
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
          if (now - p[1] < idlenessMs) {
            slowestActive = Math.min(slowestActive, p[0]);
          }
        }
      }
      boolean allIdle = slowestActive == Long.MAX_VALUE;
      long candidate = (allIdle ? highest : slowestActive) - outOfOrdernessMs - 1;
      if (candidate > emitted) {
        emitted = candidate;
        output.emitWatermark(new Watermark(candidate)); // also makes the output active
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
  }
}
