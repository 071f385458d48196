package io.memfleet.pipeline.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ResidentMemory;
import io.memfleet.pipeline.CollectingSink;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The 10 s / 1 min aggregates on a MiniCluster with events out of order: an event within the
 * allowed lateness is in its window's one row, an event later still comes out as a
 * {@link LateEvent} naming the aggregate it missed, and nothing disappears.
 */
class ProcessWindowsITCase {
  /** A minute boundary, so the 10 s and 1 min windows line up with the offsets below. */
  private static final long BASE_MS = 1_700_000_040_000L;
  private static final EventCodec CODEC = EventCodec.fromClasspath();

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(1).build());

  private static TimedEvent rss(long offsetMs, long bytes) {
    ResidentMemory r = SampleEvents.residentMemory();
    r.setRssBytes(bytes);
    TimedEvent e = new TimedEvent();
    e.kind = r.getSchema().getName();
    e.payload = CODEC.encode(r);
    e.utcNs = (BASE_MS + offsetMs) * 1_000_000L;
    e.cluster = "c";
    e.node = "n";
    e.pid = 7;
    e.processStartTimeMs = 1;
    e.service = "checkout";
    return e;
  }

  /** The watermark follows the newest event at once: whatever is older is behind it. */
  private static final class FollowNewest implements WatermarkGenerator<TimedEvent> {
    private long max = Long.MIN_VALUE;

    @Override
    public void onEvent(TimedEvent event, long timestamp, WatermarkOutput out) {
      max = Math.max(max, timestamp);
      out.emitWatermark(new Watermark(max));
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput out) {}
  }

  private record Run(List<ProcessWindow> tenSeconds, List<ProcessWindow> minutes,
      List<LateEvent> late) {}

  private static Run run(Duration lateness) throws Exception {
    // e1 and e3 belong to [0 s, 10 s); e3 arrives after the watermark passed 10 s but within 5 s
    // of lateness; e5 arrives after the window's lateness ran out. The minute is built from the
    // 10-second windows, so what misses its 10-second window misses the minute too.
    List<TimedEvent> events = List.of(rss(1_000, 100), rss(12_000, 200), rss(4_000, 300),
        rss(16_000, 400), rss(5_000, 500));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    var byProcess = env.fromData(events, TypeInformation.of(TimedEvent.class))
        .assignTimestampsAndWatermarks(WatermarkStrategy.<TimedEvent>forGenerator(
            ctx -> new FollowNewest()).withTimestampAssigner((e, ts) -> e.eventTimeMs()))
        .keyBy(TimedEvent::processId);
    CollectingSink<ProcessWindow> tenSeconds = new CollectingSink<>();
    CollectingSink<ProcessWindow> minutes = new CollectingSink<>();
    CollectingSink<LateEvent> late = new CollectingSink<>();
    ProcessWindows.Windows w = ProcessWindows.of(byProcess, lateness);
    w.tenSeconds().sinkTo(tenSeconds);
    w.minutes().sinkTo(minutes);
    w.late().sinkTo(late);
    env.execute("process-windows-" + lateness.toMillis());
    Run run = new Run(new ArrayList<>(tenSeconds.values()), new ArrayList<>(minutes.values()),
        new ArrayList<>(late.values()));
    tenSeconds.release();
    minutes.release();
    late.release();
    return run;
  }

  private static long offsetOf(LateEvent l) {
    return l.event.eventTimeMs() - BASE_MS;
  }

  @Test
  void anEventWithinTheLatenessJoinsItsWindowsOneRowAndALaterOneIsKeptAsLate() throws Exception {
    Run r = run(Duration.ofSeconds(5));
    // one row per window, never a second one for a late arrival
    assertThat(r.tenSeconds()).extracting(w -> w.windowStartMs - BASE_MS)
        .containsExactlyInAnyOrder(0L, 10_000L);
    ProcessWindow first = r.tenSeconds().stream().filter(w -> w.windowStartMs == BASE_MS)
        .findFirst().orElseThrow();
    assertThat(first.rssMax).as("e3, within the lateness, is in it").isEqualTo(300);
    assertThat(r.late()).extracting(l -> l.aggregate)
        .containsExactlyInAnyOrder("process_memory_10s", "process_memory_1m");
    assertThat(r.late()).allSatisfy(l -> {
      assertThat(offsetOf(l)).isEqualTo(5_000);
      assertThat(l.detectedAtMs).isPositive();
    });
    // the minute: the four events of its two 10-second windows, written once
    assertThat(r.minutes()).singleElement().satisfies(m -> {
      assertThat(m.windowStartMs).isEqualTo(BASE_MS);
      assertThat(m.samples).isEqualTo(4);
      assertThat(m.rssMax).isEqualTo(400);
    });
    assertSameAsItsTenSecondWindows(r);
  }

  /** The minute's row is what its 10-second rows add up to. */
  private static void assertSameAsItsTenSecondWindows(Run r) {
    ProcessWindow minute = r.minutes().get(0);
    assertThat(minute.samples)
        .isEqualTo(r.tenSeconds().stream().mapToInt(w -> w.samples).sum());
    assertThat(minute.rssMax)
        .isEqualTo(r.tenSeconds().stream().mapToLong(w -> w.rssMax).max().orElseThrow());
    ProcessWindow lastTen = r.tenSeconds().stream()
        .max(java.util.Comparator.comparingLong(w -> w.windowStartMs)).orElseThrow();
    assertThat(minute.rssLast).isEqualTo(lastTen.rssLast);
    assertThat(minute.service).isEqualTo(lastTen.service);
  }

  @Test
  void withoutLatenessEveryEventBehindTheWatermarkIsKeptAsLateNotDropped() throws Exception {
    Run r = run(Duration.ZERO);
    assertThat(r.tenSeconds()).hasSize(2);
    ProcessWindow first = r.tenSeconds().stream().filter(w -> w.windowStartMs == BASE_MS)
        .findFirst().orElseThrow();
    assertThat(first.rssMax).isEqualTo(100);
    assertThat(r.late()).extracting(l -> l.aggregate + "@" + offsetOf(l))
        .containsExactlyInAnyOrder("process_memory_10s@4000", "process_memory_10s@5000",
            "process_memory_1m@4000", "process_memory_1m@5000");
    assertThat(r.minutes()).singleElement().satisfies(m -> assertThat(m.samples).isEqualTo(3));
    assertSameAsItsTenSecondWindows(r);
  }
}
