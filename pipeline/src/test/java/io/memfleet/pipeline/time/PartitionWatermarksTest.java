package io.memfleet.pipeline.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.pipeline.model.TimedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class PartitionWatermarksTest {
  private static final long OOO = 2_000;
  private static final long IDLE = 10_000;

  private long wall = 1_000_000;
  private final Recorder out = new Recorder();
  private final PartitionWatermarks.Generator generator =
      new PartitionWatermarks.Generator(OOO, IDLE, () -> wall);

  @Test
  void aBacklogDrainedFasterOnOneTopicDoesNotMakeTheOtherLate() {
    // the RSS topic is read to t=260 s before the GC topic has passed t=20 s
    for (int s = 150; s <= 260; s += 2) {
      generator.onEvent(event("rss", 0, s), s * 1000L, out);
    }
    for (int s = 0; s <= 20; s += 2) {
      generator.onEvent(event("gc", 0, s), s * 1000L, out);
    }
    wall += IDLE - 1;
    generator.onPeriodicEmit(out);
    assertThat(out.watermarks).as("nothing before the warm-up is over").isEmpty();

    wall += 1;
    generator.onEvent(event("gc", 0, 22), 22_000, out);
    generator.onEvent(event("rss", 0, 262), 262_000, out);
    generator.onUpstreamWatermark(0); // every split of the sources has given a record
    generator.onPeriodicEmit(out);
    assertThat(out.last()).isEqualTo(22_000 - OOO - 1);
  }

  @Test
  void anIdlePartitionStopsHoldingBackAndAllIdleReleasesEverything() {
    generator.onEvent(event("gc", 0, 100), 100_000, out);
    generator.onEvent(event("rss", 0, 50), 50_000, out);
    wall += IDLE;
    generator.onEvent(event("gc", 0, 110), 110_000, out);
    generator.onUpstreamWatermark(50_001); // the sources are past what rss published
    generator.onPeriodicEmit(out);
    assertThat(out.last()).as("rss has been silent for the idleness").isEqualTo(110_000 - OOO - 1);
    assertThat(out.idle).isFalse();

    wall += IDLE;
    generator.onUpstreamIdle(true);
    generator.onPeriodicEmit(out);
    assertThat(out.last()).isEqualTo(110_000 - OOO - 1);
    assertThat(out.idle).as("every partition is silent").isTrue();

    generator.onEvent(event("rss", 0, 120), 120_000, out);
    assertThat(out.idle).isFalse();
    generator.onPeriodicEmit(out);
    assertThat(out.last()).isEqualTo(120_000 - OOO - 1);
  }

  @Test
  void watermarksNeverGoBack() {
    generator.onEvent(event("gc", 0, 100), 100_000, out);
    wall += IDLE;
    generator.onUpstreamIdle(true);
    generator.onPeriodicEmit(out);
    assertThat(out.last()).isEqualTo(100_000 - OOO - 1);
    generator.onEvent(event("rss", 3, 40), 40_000, out); // a partition that appears late
    generator.onPeriodicEmit(out);
    assertThat(out.watermarks).containsExactly(100_000 - OOO - 1);
  }

  @Test
  void aSubtaskWithoutInputGoesIdle() {
    generator.onPeriodicEmit(out);
    assertThat(out.idle).isFalse();
    wall += IDLE;
    generator.onPeriodicEmit(out);
    assertThat(out.idle).isTrue();
    assertThat(out.watermarks).isEmpty();
  }

  @Test
  void derivedEventsCountAsOnePartition() {
    TimedEvent derived = event(null, 0, 500);
    generator.onEvent(derived, 500_000, out);
    generator.onEvent(event("gc", 1, 400), 400_000, out);
    wall += IDLE - 1;
    generator.onEvent(derived, 500_000, out);
    generator.onEvent(event("gc", 1, 401), 401_000, out);
    generator.onUpstreamWatermark(0);
    wall += 1;
    generator.onPeriodicEmit(out);
    assertThat(out.last()).isEqualTo(401_000 - OOO - 1);
  }

  @Test
  void aPartitionUnheardFromWhileItsSourceStillHasRecordsKeepsHoldingBack() {
    // a backlog read under backpressure: gc is fetched, rss waits for its turn for longer than
    // the idleness; the sources' watermark (publish time) has not passed what rss published
    generator.onEvent(event("rss", 0, 50, 1_000), 50_000, out);
    for (int s = 100; s <= 200; s += 2) {
      generator.onEvent(event("gc", 0, s, 1_000), s * 1000L, out);
    }
    generator.onUpstreamWatermark(1_000 - OOO - 1);
    wall += 3 * IDLE;
    generator.onEvent(event("gc", 0, 202, 1_000), 202_000, out);
    generator.onPeriodicEmit(out);
    assertThat(out.last()).as("rss still holds the watermark").isEqualTo(50_000 - OOO - 1);
    assertThat(out.idle).isFalse();

    // its records come: none of them is late
    generator.onEvent(event("rss", 0, 52, 1_000), 52_000, out);
    generator.onPeriodicEmit(out);
    assertThat(out.last()).isEqualTo(52_000 - OOO - 1);
  }

  @Test
  void aStallOfEveryPartitionDoesNotReleaseEverythingWhileTheSourcesAreBehind() {
    generator.onEvent(event("rss", 0, 50, 1_000), 50_000, out);
    generator.onEvent(event("gc", 0, 200, 1_000), 200_000, out);
    generator.onUpstreamWatermark(500);
    wall += 3 * IDLE; // nothing arrives: the job is backpressured, not the fleet quiet
    generator.onPeriodicEmit(out);
    assertThat(out.last()).isEqualTo(50_000 - OOO - 1);
    assertThat(out.idle).isFalse();

    generator.onUpstreamIdle(true); // now the sources have nothing left
    generator.onPeriodicEmit(out);
    assertThat(out.last()).isEqualTo(200_000 - OOO - 1);
    assertThat(out.idle).isTrue();
  }

  @Test
  void rejectsNonsenseSettings() {
    assertThatThrownBy(() -> new PartitionWatermarks(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PartitionWatermarks(Duration.ZERO, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static TimedEvent event(String topic, int partition, long seconds) {
    return event(topic, partition, seconds, seconds * 1000);
  }

  private static TimedEvent event(String topic, int partition, long seconds, long publishMs) {
    TimedEvent e = new TimedEvent();
    e.publishTimeMs = publishMs;
    e.topic = topic;
    e.partition = partition;
    e.utcNs = seconds * 1_000_000_000L;
    return e;
  }

  private static final class Recorder implements WatermarkOutput {
    final List<Long> watermarks = new ArrayList<>();
    boolean idle;

    @Override
    public void emitWatermark(Watermark watermark) {
      watermarks.add(watermark.getTimestamp());
      idle = false;
    }

    @Override
    public void markIdle() {
      idle = true;
    }

    @Override
    public void markActive() {
      idle = false;
    }

    long last() {
      assertThat(watermarks).isNotEmpty();
      return watermarks.get(watermarks.size() - 1);
    }
  }
}
