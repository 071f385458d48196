package io.memfleet.collector.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.BpftraceRunnerStats;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.MemoryMapping;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
      List<SpecificRecord> events = read(kafka.bootstrapServers(), Topics.EVENTS_EBPF);
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

  private static List<SpecificRecord> read(String bootstrap, String topic) throws Exception {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "ebpf-it");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    EventCodec codec = EventCodec.fromClasspath();
    List<SpecificRecord> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int emptyPolls = 0;
      while (System.nanoTime() < deadline && emptyPolls < 3) {
        var records = consumer.poll(Duration.ofSeconds(1));
        if (records.isEmpty() && !out.isEmpty()) {
          emptyPolls++;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          out.add(codec.decode(r.value()));
        }
      }
    }
    return out;
  }
}
