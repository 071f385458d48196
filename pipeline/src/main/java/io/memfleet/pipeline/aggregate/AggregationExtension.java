package io.memfleet.pipeline.aggregate;

import io.memfleet.event.Allocation;
import io.memfleet.pipeline.PipelineExtension;
import io.memfleet.pipeline.PipelineStreams;
import io.memfleet.pipeline.clickhouse.ClickHouseOptions;
import io.memfleet.pipeline.clickhouse.Rows;
import io.memfleet.pipeline.model.ProcessScopedKey;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.outputs.Output;
import io.memfleet.pipeline.time.ClockCalibration;
import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * What capacity planners and dashboards query, computed from the per-process stream: the 10 s
 * and 1 min aggregates per process ({@link ProcessWindows}; the events too late for them), GC
 * pauses, allocation volume per stack and minute with the stacks themselves, each host's clock
 * calibrations and, unless switched off ({@link ClickHouseOptions#RAW_EVENTS}), every event
 * raw. Emitted as outputs (one ClickHouse table each in production, see
 * {@link io.memfleet.pipeline.outputs.OutputWiring}).
 *
 * <p>Not built when ClickHouse is switched off ({@link ClickHouseOptions#ENABLED}): its
 * outputs are tables.
 *
 * <p>Listed in {@code META-INF/services/io.memfleet.pipeline.PipelineExtension}.
 */
public final class AggregationExtension implements PipelineExtension {
  public static final Output<ProcessWindow> TEN_SECONDS =
      Output.table(ProcessWindows.TEN_SECONDS, Rows::processWindow, w -> w.windowStartMs);
  public static final Output<ProcessWindow> MINUTE =
      Output.table(ProcessWindows.MINUTE, Rows::processWindow, w -> w.windowStartMs);
  public static final Output<LateEvent> LATE_EVENTS =
      Output.table("late_events", Rows::lateEvent, l -> l.event.eventTimeMs());
  public static final Output<TimedEvent> GC_PAUSES =
      Output.table("gc_pauses", Rows::gcPause, TimedEvent::eventTimeMs);
  public static final Output<AllocationWindow> ALLOCATIONS =
      Output.table("allocations_1m", Rows::allocationWindow, w -> w.windowStartMs);
  public static final Output<AllocationWindow> ALLOCATION_STACKS =
      Output.table("allocation_stacks", Rows::allocationStack, null);
  public static final Output<ClockCalibration> CLOCK_CALIBRATIONS =
      Output.table("clock_calibration", Rows::clockCalibration, ClockCalibration::utcMs);
  public static final Output<TimedEvent> RAW_EVENTS =
      Output.table("events_raw", Rows::rawEvent, TimedEvent::eventTimeMs);

  private static final ThreadLocal<EventCodec> CODEC =
      ThreadLocal.withInitial(EventCodec::fromClasspath);

  @Override
  public void attach(PipelineStreams streams) {
    Configuration conf = streams.options();
    if (!conf.get(ClickHouseOptions.ENABLED)) {
      return; // every output of it is a table: nothing to compute them for
    }
    Duration lateness = conf.get(ClickHouseOptions.ALLOWED_LATENESS);
    ProcessWindows.Windows windows = ProcessWindows.of(streams.byProcess(), lateness);
    streams.emit(TEN_SECONDS, windows.tenSeconds());
    streams.emit(MINUTE, windows.minutes());
    streams.emit(LATE_EVENTS, windows.late());
    streams.emit(GC_PAUSES, streams.joined().filter(e -> "GcPause".equals(e.kind))
        .name("gc-pauses").uid("gc-pauses"));

    DataStream<AllocationWindow> allocations = PipelineStreams.byProcessPart(streams.joined()
            .filter(e -> "Allocation".equals(e.kind)).name("allocations").uid("allocations"),
            AggregationExtension::allocationKey)
        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
        .aggregate(new AllocationWindowAggregate()).name("allocations_1m").uid("allocations_1m");
    streams.emit(ALLOCATIONS, allocations);
    streams.emit(ALLOCATION_STACKS, allocations.filter(w -> !w.frames.isEmpty())
        .name("stacks").uid("stacks"));
    streams.emit(CLOCK_CALIBRATIONS, streams.clockCalibrations());
    if (conf.get(ClickHouseOptions.RAW_EVENTS)) {
      streams.emit(RAW_EVENTS, streams.joined().filter(e -> e.payload != null).name("raw")
          .uid("raw"));
    }
  }

  static ProcessScopedKey allocationKey(TimedEvent e) {
    return AllocationWindowAggregate.key(e, (Allocation) e.record(CODEC.get()));
  }
}
