package io.memfleet.collector.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.BpftraceRunnerStats;
import io.memfleet.collector.testing.PublishedEvents;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.MemoryMapping;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole collector against a real broker: events read back from the eBPF topic. */
class EbpfKafkaIT {
  @TempDir Path dir;

  @Test
  void collectorPublishesNativeEventsToTheEbpfTopic() throws Exception {
    Tracing.requireBpftrace();
    EbpfOptions options = new EbpfOptions().scripts("malloc,mmap").minAge(Duration.ZERO)
        .reportInterval(Duration.ofSeconds(2)).sampleEvery(10);
    try (KafkaBroker kafka = TestServers.kafka(dir);
        NativeDemo leaky = NativeDemo.start("leaky", "200", "4096", "0", "10")) {
      options.pid(leaky.pid());
      // the test broker does not auto-create topics
      kafka.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList());
      try (KafkaEventSink sink = KafkaEventSink.builder()
          .bootstrapServers(kafka.bootstrapServers()).collectorId("ebpf/it")
          .spoolDir(dir.resolve("spool")).build()) {
        try (EbpfCollector collector = EbpfCollector.builder().options(options).sink(sink)
            .identities(ProcessIdentities.fromEnvironment())
            .headers(new EventHeaders("ebpf/it")).workDir(dir).build()) {
          collector.start();
          assertThat(collector.awaitAttached(Duration.ofSeconds(45))).as(
              collector.stats().toString()).isTrue();
          Thread.sleep(5000);
          for (BpftraceRunnerStats s : collector.stats().values()) {
            assertThat(s.events()).isPositive();
            assertThat(s.malformedLines()).isZero();
          }
        }
        assertThat(sink.flush(Duration.ofSeconds(20))).isTrue();
      }
      List<SpecificRecord> events = PublishedEvents.readToEnd(kafka.bootstrapServers(),
          List.of(Topics.EVENTS_EBPF), Duration.ofSeconds(60));
      assertThat(events).allSatisfy(e -> assertThat(e.getSchema().getName())
          .isIn("Allocation", "Free", "MemoryMapping"));
      assertThat(events).filteredOn(e -> e instanceof Allocation a
              && a.getKind() == AllocationKind.OUTSTANDING)
          .map(e -> (Allocation) e)
          .anySatisfy(a -> assertThat(a.getStack().getFrames().get(0)).isEqualTo("leak_blocks"));
      assertThat(events).anyMatch(e -> e instanceof MemoryMapping);
      assertThat(events).allSatisfy(e -> assertThat(
          io.memfleet.schema.codec.Events.header(e).getProcess().getPid())
          .isEqualTo(leaky.pid()));
    }
  }
}
