package io.memfleet.pipeline.aggregate;

import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.TimedEvent;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-process aggregates {@code process_memory_10s} and {@code process_memory_1m}, with
 * nothing dropped for being late: an event up to {@code allowedLateness} behind the watermark
 * still enters its 10-second window, which is emitted once, that much after its end
 * ({@link LatenessTrigger}); an event later still comes out of {@link Windows#late()} as a
 * {@link LateEvent} for each aggregate it missed, counted by {@link LateEventCounter}.
 *
 * <p>The minutes are built from the 10-second windows, not from the events again: each closed
 * 10-second window hands its accumulator on ({@link PartialWindow}), in the same task — the
 * windows' output is still partitioned by process — and a minute merges its six. So an event
 * late for its 10-second window is missing from its minute too, and is recorded late for both.
 * The minute is written with the same lateness, when its last 10-second window has been.
 *
 * <pre>{@code
 * ProcessWindows.Windows w = ProcessWindows.of(streams.byProcess(), Duration.ofSeconds(30));
 * w.tenSeconds().sinkTo(...);   // process_memory_10s: one row per process and window
 * w.minutes().sinkTo(...);      // process_memory_1m
 * w.late().sinkTo(...);         // late_events
 * }</pre>
 */
public final class ProcessWindows {
  public static final String TEN_SECONDS = "process_memory_10s";
  public static final String MINUTE = "process_memory_1m";

  private ProcessWindows() {}

  /** The window rows of both sizes and the events that came too late for them. */
  public record Windows(SingleOutputStreamOperator<ProcessWindow> tenSeconds,
      SingleOutputStreamOperator<ProcessWindow> minutes, DataStream<LateEvent> late) {}

  /**
   * Both aggregates over {@code byProcess}; operators are named and given uids after the tables,
   * so savepoints keep matching.
   */
  public static Windows of(KeyedStream<TimedEvent, ProcessId> byProcess, Duration allowedLateness) {
    OutputTag<TimedEvent> lateTag =
        new OutputTag<>(TEN_SECONDS + "-late", TypeInformation.of(TimedEvent.class));
    OutputTag<PartialWindow> partials =
        new OutputTag<>(TEN_SECONDS + "-partials", TypeInformation.of(PartialWindow.class));
    SingleOutputStreamOperator<ProcessWindow> tenSeconds = byProcess
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
        .trigger(new LatenessTrigger(allowedLateness.toMillis()))
        .allowedLateness(allowedLateness)
        .sideOutputLateData(lateTag)
        .aggregate(new ProcessWindowAggregate(), new ProcessWindowFinisher(partials))
        .name(TEN_SECONDS).uid(TEN_SECONDS);

    OutputTag<PartialWindow> latePartials =
        new OutputTag<>(MINUTE + "-late-partials", TypeInformation.of(PartialWindow.class));
    // the partials come out of the 10-second windows' tasks, keyed by process: no shuffle
    SingleOutputStreamOperator<ProcessWindow> minutes = DataStreamUtils
        .reinterpretAsKeyedStream(tenSeconds.getSideOutput(partials), p -> p.process,
            TypeInformation.of(ProcessId.class))
        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
        .trigger(new LatenessTrigger(allowedLateness.toMillis()))
        .allowedLateness(allowedLateness)
        .sideOutputLateData(latePartials)
        .aggregate(new PartialWindowMerge(), new ProcessWindowFinisher())
        .name(MINUTE).uid(MINUTE);
    minutes.getSideOutput(latePartials).map(new LatePartials()).name(MINUTE + "-late-partials")
        .uid(MINUTE + "-late-partials").sinkTo(new DiscardingSink<>())
        .name(MINUTE + "-late-partials-counted").uid(MINUTE + "-late-partials-counted");

    DataStream<TimedEvent> late = tenSeconds.getSideOutput(lateTag);
    DataStream<LateEvent> lateEvents = late.map(new LateEventCounter(TEN_SECONDS))
        .name(TEN_SECONDS + "-late").uid(TEN_SECONDS + "-late")
        .union(late.map(new LateEventCounter(MINUTE)).name(MINUTE + "-late").uid(MINUTE + "-late"));
    return new Windows(tenSeconds, minutes, lateEvents);
  }

  /**
   * A 10-second window that reached its minute after the minute was written: cannot happen while
   * both have the same lateness and the minute's windows run after the 10-second ones in the same
   * task; counted ({@value #METRIC}) and logged, should it ever.
   */
  static final class LatePartials extends RichMapFunction<PartialWindow, PartialWindow> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LatePartials.class);
    static final String METRIC = "latePartialWindows";
    private transient Counter counter;

    @Override
    public void open(OpenContext context) {
      counter = getRuntimeContext().getMetricGroup().counter(METRIC);
    }

    @Override
    public PartialWindow map(PartialWindow partial) {
      counter.inc();
      LOG.error("a 10-second window of {} ({} events) reached its minute after the minute was"
          + " written; the minute's row lacks them", partial.process,
          partial.accumulator.samples);
      return partial;
    }
  }
}
