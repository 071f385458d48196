package io.memfleet.collector.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.perf.PerfClockSampler;
import io.memfleet.collector.ebpf.perf.PerfRunner;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.PageFault;
import io.memfleet.event.Source;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector with --perf faults, in rounds, against a real broker: PERF page faults. */
class EbpfPerfKafkaIT {
  @TempDir Path dir;

  @Test
  void perfRoundsPublishPageFaultsWithTheDemosStacks() throws Exception {
    Path perf = Tracing.requirePerf();
    EbpfOptions options = new EbpfOptions().scripts("none").perf("faults").perfPeriod(5)
        .perfRound(Duration.ofSeconds(3)).perfBinary(perf);
    Path work = Files.createDirectories(dir.resolve("work"));
    PerfRunner.Stats stats;
    try (KafkaBroker kafka = TestServers.kafka(dir);
        NativeDemo leaky = NativeDemo.start("leaky", "200", "4096", "0", "5")) {
      options.pid(leaky.pid());
      kafka.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList());
      long before = System.nanoTime();
      try (KafkaEventSink sink = KafkaEventSink.builder()
          .bootstrapServers(kafka.bootstrapServers()).collectorId("ebpf/perf-it")
          .spoolDir(dir.resolve("spool")).build()) {
        try (EbpfCollector collector = EbpfCollector.builder().options(options).sink(sink)
            .identities(ProcessIdentities.fromEnvironment())
            .headers(new EventHeaders("ebpf/perf-it")).workDir(work).build()) {
          collector.start();
          assertThat(collector.awaitPerfRounds(2, Duration.ofSeconds(40)))
              .as(collector.perfStats().toString()).isTrue();
          stats = collector.perfStats().orElseThrow();
        }
        assertThat(sink.flush(Duration.ofSeconds(20))).isTrue();
      }
      long after = System.nanoTime();
      assertThat(stats.rounds()).isGreaterThanOrEqualTo(2);
      assertThat(stats.failures()).isZero();
      assertThat(stats.malformedLines()).isZero();
      assertThat(stats.samples()).isGreaterThan(20);
      try (Stream<Path> left = Files.list(work)) {
        assertThat(left).as("perf.data files of finished rounds are deleted").isEmpty();
      }

      List<SpecificRecord> events = read(kafka.bootstrapServers(), Topics.EVENTS_PERF);
      List<PageFault> faults = events.stream().filter(e -> e instanceof PageFault)
          .map(e -> (PageFault) e).toList();
      // perf's own clock, calibrated by the collector's PERF_CLOCK samples on the clock topic:
      // through the first one, every sample falls inside the run's CLOCK_MONOTONIC window
      ClockSync perfClock = read(kafka.bootstrapServers(), Topics.CLOCK).stream()
          .filter(e -> e instanceof ClockSync c
              && c.getHeader().getClockDomain() == ClockDomain.PERF_CLOCK)
          .map(e -> (ClockSync) e).findFirst().orElseThrow(() -> new AssertionError(
              "no PERF_CLOCK calibration: " + PerfClockSampler.unavailableReason()));
      assertThat(faults).hasSizeGreaterThanOrEqualTo((int) stats.samples())
          .allSatisfy(f -> {
            assertThat(f.getHeader().getSource()).isEqualTo(Source.PERF);
            assertThat(f.getHeader().getClockDomain()).isEqualTo(ClockDomain.PERF_CLOCK);
            assertThat(f.getHeader().getProcess().getPid()).isEqualTo(leaky.pid());
            assertThat(f.getCount()).isEqualTo(5);
            long monotonic = perfClock.getMonotonicNs()
                + (f.getHeader().getRawTimestamp() - perfClock.getDomainValue());
            assertThat(monotonic).isBetween(before, after);
          });
      // folded root-first, as flame graphs read: the demo's own frames from main down
      assertThat(faults).filteredOn(f -> f.getStack() != null)
          .map(f -> String.join(";", reversed(f.getStack().getFrames())))
          .anyMatch(folded -> folded.contains("main;run_loop"));
    }
  }

  private static List<String> reversed(List<? extends CharSequence> frames) {
    List<String> out = new ArrayList<>();
    for (CharSequence f : frames) {
      out.add(0, f.toString());
    }
    return out;
  }

  private static List<SpecificRecord> read(String bootstrap, String topic) throws Exception {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "ebpf-perf-it");
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
