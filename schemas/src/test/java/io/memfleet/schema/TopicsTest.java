package io.memfleet.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.Source;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void keyIsTheProcessIdentity() {
    byte[] key = Topics.key(SampleEvents.process());

    assertThat(new String(key, StandardCharsets.UTF_8))
        .isEqualTo("prod-eu-west-1/ip-10-42-7-19.eu-west-1.compute.internal/48211/1741930002140");
  }

  @Test
  void reusedPidGetsADifferentKey() {
    var first = SampleEvents.process();
    var second = SampleEvents.process();
    second.setProcessStartTimeMs(first.getProcessStartTimeMs() + 60_000);

    assertThat(Topics.key(second)).isNotEqualTo(Topics.key(first));
  }

  @Test
  void everySourceWithEventsHasAnEventTopic() {
    Arrays.stream(Source.values())
        .filter(s -> s != Source.UNKNOWN && s != Source.PIPELINE)
        .forEach(s -> assertThat(Topics.eventTopics()).contains(Topics.forSource(s)));
    assertThat(Topics.forSource(Source.GO_GCTRACE)).isEqualTo("memfleet.events.go");
    assertThat(Topics.forSource(Source.CGROUP)).isEqualTo("memfleet.events.procfs");
    assertThatThrownBy(() -> Topics.forSource(Source.UNKNOWN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordsAreRoutedToTheirTopic() {
    assertThat(Topics.forRecord(SampleEvents.clockSync())).isEqualTo(Topics.CLOCK);
    assertThat(Topics.forRecord(SampleEvents.gcCycle())).isEqualTo(Topics.EVENTS_JFR);
    assertThat(Topics.forRecord(SampleEvents.residentMemory())).isEqualTo(Topics.EVENTS_PROCFS);
    assertThat(Topics.forRecord(SampleEvents.alert())).isEqualTo(Topics.ALERTS);
    assertThat(Topics.forRecord(SampleEvents.oomSnapshot())).isEqualTo(Topics.OOM_SNAPSHOTS);
    assertThat(Topics.forRecord(SampleEvents.deadLetter())).isEqualTo(Topics.DEADLETTER);
  }

  @Test
  void allListsEveryTopicOnce() {
    assertThat(Topics.all())
        .doesNotHaveDuplicates()
        .containsAll(Topics.eventTopics())
        .contains("memfleet.clock", "memfleet.alerts", "memfleet.oom-snapshots",
            "memfleet.deadletter")
        .hasSize(9);
  }
}
