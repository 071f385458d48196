package io.memfleet.collector.node.go;

import io.memfleet.event.EventHeader;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import java.util.List;
import java.util.function.LongFunction;
import org.apache.avro.specific.SpecificRecord;

/**
 * Maps a gctrace line to the unified event model: one {@link GcCycle} and one {@link GcPause}
 * for each of the two stop-the-world phases.
 *
 * <p>Timestamps stay in the trace's own clock: nanoseconds since process start (clock domain
 * {@code GO_PROCESS_RELATIVE}); the pipeline anchors them on the identity's process start time.
 * The cycle and the sweep-termination pause start at {@code @Ns}; mark termination starts after
 * sweep termination and concurrent mark.
 *
 * <pre>{@code
 * List<SpecificRecord> events = GcTraceEvents.toEvents(line,
 *     raw -> headers.next(process, Source.GO_GCTRACE, ClockDomain.GO_PROCESS_RELATIVE, raw));
 * }</pre>
 */
public final class GcTraceEvents {
  /** Phase names as the Go runtime documentation calls them. */
  public static final String SWEEP_TERMINATION = "sweep termination";

  public static final String MARK_TERMINATION = "mark termination";

  private GcTraceEvents() {}

  /**
   * @param header makes the header for a raw timestamp (ns since process start); called once
   *     per event, in event order, so sequence numbers follow the order of the returned list
   */
  public static List<SpecificRecord> toEvents(GcTraceLine line, LongFunction<EventHeader> header) {
    GcCycle cycle = GcCycle.newBuilder()
        .setHeader(header.apply(line.sinceStartNs()))
        .setGcId(line.gcNumber())
        .setCollectorName("go")
        .setCause(line.forced() ? "runtime.GC()" : null)
        .setGeneration(GcGeneration.CONCURRENT)
        .setHeapBeforeBytes(line.heapBeforeBytes())
        .setHeapAfterBytes(line.heapAfterBytes())
        .setLiveBytes(line.liveBytes())
        .setHeapGoalBytes(line.goalBytes())
        .setDurationNs(line.durationNs())
        .setSumOfPausesNs(line.stopTheWorldNs())
        .setForced(line.forced())
        .setGcCpuFraction(line.gcCpuPercent() / 100.0)
        .build();
    GcPause sweep = GcPause.newBuilder()
        .setHeader(header.apply(line.sinceStartNs()))
        .setGcId(line.gcNumber())
        .setPhase(SWEEP_TERMINATION)
        .setDurationNs(line.sweepTerminationNs())
        .build();
    GcPause mark = GcPause.newBuilder()
        .setHeader(header.apply(
            line.sinceStartNs() + line.sweepTerminationNs() + line.concurrentMarkNs()))
        .setGcId(line.gcNumber())
        .setPhase(MARK_TERMINATION)
        .setDurationNs(line.markTerminationNs())
        .build();
    return List.of(cycle, sweep, mark);
  }
}
