package io.memfleet.collector.node.go;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.GcPause;
import io.memfleet.event.Source;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventCodec;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class GcTraceEventsTest {
  private static final String LINE = "gc 9 @1.402s 0%: 0.28+0.26+0.003 ms clock, "
      + "0.57+0/0.21/0.17+0.006 ms cpu, 6->6->4 MB, 8 MB goal, 0 MB stacks, 0 MB globals, "
      + "2 P (forced)";

  @Test
  void oneCycleAndTwoStopTheWorldPauses() {
    GcTraceLine line = ((GcTraceParser.Parsed) new GcTraceParser().parse(LINE)).line();
    AtomicLong seq = new AtomicLong();
    List<SpecificRecord> events = GcTraceEvents.toEvents(line, raw -> SampleEvents.header(
        Source.GO_GCTRACE, ClockDomain.GO_PROCESS_RELATIVE, raw, seq.incrementAndGet()));

    assertThat(events).hasSize(3);
    GcCycle cycle = (GcCycle) events.get(0);
    assertThat(cycle.getHeader().getRawTimestamp()).isEqualTo(1_402_000_000L);
    assertThat(cycle.getHeader().getClockDomain()).isEqualTo(ClockDomain.GO_PROCESS_RELATIVE);
    assertThat(cycle.getGcId()).isEqualTo(9);
    assertThat(cycle.getCollectorName()).isEqualTo("go");
    assertThat(cycle.getGeneration()).isEqualTo(GcGeneration.CONCURRENT);
    assertThat(cycle.getHeapBeforeBytes()).isEqualTo(6L << 20);
    assertThat(cycle.getHeapAfterBytes()).isEqualTo(6L << 20);
    assertThat(cycle.getLiveBytes()).isEqualTo(4L << 20);
    assertThat(cycle.getHeapGoalBytes()).isEqualTo(8L << 20);
    assertThat(cycle.getDurationNs()).isEqualTo(280_000 + 260_000 + 3_000);
    assertThat(cycle.getSumOfPausesNs()).isEqualTo(283_000);
    assertThat(cycle.getForced()).isTrue();
    assertThat(cycle.getGcCpuFraction()).isEqualTo(0.0);

    GcPause sweep = (GcPause) events.get(1);
    GcPause mark = (GcPause) events.get(2);
    assertThat(sweep.getPhase()).isEqualTo(GcTraceEvents.SWEEP_TERMINATION);
    assertThat(sweep.getDurationNs()).isEqualTo(280_000);
    assertThat(sweep.getHeader().getRawTimestamp()).isEqualTo(1_402_000_000L);
    assertThat(mark.getPhase()).isEqualTo(GcTraceEvents.MARK_TERMINATION);
    assertThat(mark.getDurationNs()).isEqualTo(3_000);
    assertThat(mark.getHeader().getRawTimestamp()).isEqualTo(1_402_000_000L + 540_000);
    assertThat(events).extracting(e -> ((io.memfleet.event.EventHeader) e.get(0)).getSequence())
        .containsExactly(1L, 2L, 3L);

    // every event is complete enough to encode
    EventCodec codec = EventCodec.fromClasspath();
    events.forEach(e -> assertThat(codec.decode(codec.encode(e))).isEqualTo(e));
  }
}
