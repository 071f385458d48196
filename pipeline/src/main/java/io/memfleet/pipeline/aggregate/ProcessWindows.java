package io.memfleet.pipeline.aggregate;

import io.memfleet.pipeline.model.TimedEvent;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * The per-process aggregate of one window size ({@code process_memory_10s}, {@code _1m}), with
 * nothing dropped for being late: an event up to {@code allowedLateness} behind the watermark
 * still enters its window, which is emitted once, that much after its end
 * ({@link LatenessTrigger}); an event later still comes out of {@link Windows#late()} as a
 * {@link LateEvent} naming the aggregate it missed, counted by {@link LateEventCounter}.
 *
 * <pre>{@code
 * ProcessWindows.Windows w = ProcessWindows.of(streams.byProcess(), "process_memory_10s",
 *     Duration.ofSeconds(10), Duration.ofSeconds(30));
 * w.rows().sinkTo(...);   // one row per process and window
 * w.late().sinkTo(...);   // late_events
 * }</pre>
 */
public final class ProcessWindows {
  private ProcessWindows() {}

  /** The window rows and the events that came too late for them. */
  public record Windows(SingleOutputStreamOperator<ProcessWindow> rows,
      DataStream<LateEvent> late) {}

  /**
   * Windows of {@code size} over {@code byProcess}; operators are named and given uids after
   * {@code aggregate} (the table name), so savepoints keep matching.
   */
  public static Windows of(KeyedStream<TimedEvent, String> byProcess, String aggregate,
      Duration size, Duration allowedLateness) {
    OutputTag<TimedEvent> lateTag =
        new OutputTag<>(aggregate + "-late", TypeInformation.of(TimedEvent.class));
    SingleOutputStreamOperator<ProcessWindow> rows = byProcess
        .window(TumblingEventTimeWindows.of(size))
        .trigger(new LatenessTrigger(allowedLateness.toMillis()))
        .allowedLateness(allowedLateness)
        .sideOutputLateData(lateTag)
        .aggregate(new ProcessWindowAggregate(), new ProcessWindowFinisher())
        .name(aggregate).uid(aggregate);
    DataStream<LateEvent> late = rows.getSideOutput(lateTag)
        .map(new LateEventCounter(aggregate)).name(aggregate + "-late").uid(aggregate + "-late");
    return new Windows(rows, late);
  }
}
