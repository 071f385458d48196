package io.memfleet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.DeadLetter;
import io.memfleet.event.GcPause;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.pipeline.model.NativeMemorySample;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.time.ClockCalibration;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a MiniCluster (parallelism 2) against a real Kafka broker: procfs RSS in REALTIME,
 * JFR heap summaries and eBPF allocations in a drifting CLOCK_MONOTONIC, JFR GC pauses in a 24 MHz
 * tick domain, delivered out of order, with one idle partition and the clock samples published
 * after the first events. Everything must come out on the true UTC timeline within its error
 * bound, enriched, and joined into the native-memory series; bad bytes must reach the
 * dead-letter topic. The host's clock models are reported on the true timeline too
 * ({@link PipelineStreams#clockCalibrations}, what ClickHouse's {@code clock_calibration} is
 * written from).
 */
class MemfleetJobITCase {
  private static final int PARALLELISM = 2;
  private static final long MB = 1L << 20;
  private static final long SECOND = 1_000_000_000L;

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(PARALLELISM)
          .setConfiguration(smallMemory())
          .build());

  @TempDir Path dir;

  private final EventCodec codec = EventCodec.fromClasspath();
  private final Map<Long, Long> truthBySequence = new HashMap<>();
  private long sequence = 1;

  private static Configuration smallMemory() {
    Configuration c = new Configuration();
    c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("16m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("32m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("32m"));
    return c;
  }

  @Test
  void twoClockDomainsOutOfOrderWithAnIdlePartitionComeOutAlignedAndJoined() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String procfs = "it-procfs-" + run;
    String jfr = "it-jfr-" + run;
    String ebpf = "it-ebpf-" + run;
    String clock = "it-clock-" + run;
    String dlq = "it-dlq-" + run;
    try (KafkaBroker broker = TestServers.kafka(dir)) {
      broker.createTopics(List.of(new NewTopic(procfs, 2, (short) 1), // partition 1 stays idle
          new NewTopic(jfr, 1, (short) 1), new NewTopic(ebpf, 1, (short) 1),
          new NewTopic(clock, 1, (short) 1), new NewTopic(dlq, 1, (short) 1)));

      Configuration conf = new Configuration();
      conf.set(PipelineOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
      conf.set(PipelineOptions.GROUP_ID, "it-" + run);
      conf.set(PipelineOptions.EVENT_TOPICS, List.of(procfs, jfr, ebpf));
      conf.set(PipelineOptions.CLOCK_TOPIC, clock);
      conf.set(PipelineOptions.DEAD_LETTER_TOPIC, dlq);
      // covers the whole 30 s burst: which topic the readers drain first must not matter
      conf.set(PipelineOptions.OUT_OF_ORDERNESS, Duration.ofSeconds(40));
      conf.set(PipelineOptions.IDLENESS, Duration.ofSeconds(1));
      conf.set(PipelineOptions.ALIGNMENT_MAX_DRIFT, Duration.ofSeconds(3));
      conf.set(PipelineOptions.ALIGNMENT_UPDATE_INTERVAL, Duration.ofMillis(200));
      conf.set(PipelineOptions.JOIN_INTERVAL, Duration.ofSeconds(5));

      CollectingSink<TimedEvent> events = new CollectingSink<>();
      CollectingSink<NativeMemorySample> nativeMemory = new CollectingSink<>();
      CollectingSink<ClockCalibration> calibrations = new CollectingSink<>();
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      Configuration strict = new Configuration();
      strict.set(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false); // no Kryo
      env.configure(strict);
      env.setParallelism(PARALLELISM);
      MemfleetJob.kafka(conf).eventSink(events).nativeMemorySink(nativeMemory)
          .extension(streams -> streams.clockCalibrations().sinkTo(calibrations)
              .name("calibrations").uid("sink-calibrations"))
          .build().attach(env);
      JobClient job = env.executeAsync("memfleet-it");
      try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
        long t0Ns = (System.currentTimeMillis() - 120_000) * 1_000_000L;
        SyntheticHost host = new SyntheticHost(t0Ns, 7_000 * SECOND, -30.0, 7);
        ProcessIdentity known = Fixtures.process(4242, true);
        ProcessIdentity bare = Fixtures.process(4242, false);

        // phase 1: the node collector announces the process (with its pod and service)
        send(producer, procfs, 0, Fixtures.lifecycle(known, LifecyclePhase.STARTED, t0Ns,
            sequence++), t0Ns);
        waitFor(() -> events.values().stream().anyMatch(e -> "ProcessLifecycle".equals(e.kind)),
            Duration.ofSeconds(45), () -> "the STARTED event to pass the job");

        // phase 2: 30 s of every source, each topic out of order, clock samples after the events
        // (so the MONOTONIC and tick events wait in the hold until the calibration arrives)
        List<ProducerRecord<byte[], byte[]>> procfsRecords = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> jfrRecords = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> ebpfRecords = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> clockRecords = new ArrayList<>();
        Map<Long, Long> expectedNative = new HashMap<>();
        for (int i = 0; i < 30; i++) {
          long rssAt = t0Ns + (i + 1) * SECOND;
          long heapAt = rssAt - 300_000_000L;
          long rss = 600 * MB + i * MB;
          long committed = 256 * MB + i * (MB / 2);
          procfsRecords.add(record(procfs, 0, Fixtures.rss(known, Source.PROCFS,
              ClockDomain.REALTIME, rssAt, sequence, rss), rssAt, rssAt));
          long heapMono = host.monotonicAt(heapAt);
          jfrRecords.add(record(jfr, 0, Fixtures.heap(bare, ClockDomain.MONOTONIC, heapMono,
              sequence, committed / 2, committed), host.utcOfMonotonic(heapMono), heapAt));
          long allocMono = host.monotonicAt(rssAt - 500_000_000L);
          ebpfRecords.add(record(ebpf, 0, allocation(bare, allocMono, sequence),
              host.utcOfMonotonic(allocMono), rssAt));
          // resident: the heap as far as it has been used (half of committed here, growing)
          expectedNative.put(rssAt, rss - committed / 2);
          if (i % 3 == 0) {
            long ticks = host.ticksAt(rssAt - 700_000_000L);
            jfrRecords.add(record(jfr, 0, gcPause(bare, ticks, sequence), host.utcOfTicks(ticks),
                rssAt));
          }
        }
        for (long at = t0Ns - 2 * SECOND; at <= t0Ns + 40 * SECOND; at += SECOND) {
          clockRecords.add(record(clock, 0, host.sample(known, ClockDomain.MONOTONIC, at,
              sequence), -1, at));
          clockRecords.add(record(clock, 0, host.sample(bare, ClockDomain.JFR_TICKS,
              at + SECOND / 3, sequence), -1, at));
        }
        for (List<ProducerRecord<byte[], byte[]>> topic
            : List.of(procfsRecords, jfrRecords, ebpfRecords)) {
          reverseInChunks(topic, 4); // up to 3 s out of order within each partition
          topic.forEach(producer::send);
        }
        producer.send(new ProducerRecord<>(ebpf, 0, t0Ns / 1_000_000L, null,
            "definitely not avro".getBytes(StandardCharsets.UTF_8)));
        producer.flush();
        clockRecords.forEach(producer::send); // the host's calibration comes last
        producer.flush();
        int phase2 = procfsRecords.size() + jfrRecords.size() + ebpfRecords.size();
        waitFor(() -> events.values().stream().filter(e -> e.payload != null).count()
                >= 1 + phase2, Duration.ofSeconds(45),
            () -> "every event released from the hold; have " + events.values().size());

        // phase 3: later REALTIME events move event time past every sample, so the join fires
        for (int s = 60; s <= 80; s += 2) {
          long at = t0Ns + s * SECOND;
          send(producer, procfs, 0, threadCount(known, at, sequence), at);
        }
        producer.flush();

        waitFor(() -> nativeMemory.values().size() >= expectedNative.size(),
            Duration.ofSeconds(60), () -> "a native-memory point for every RSS sample; have "
                + nativeMemory.values().size() + " points and events by kind/basis "
                + events.values().stream().collect(Collectors.groupingBy(
                    e -> e.kind + "/" + e.timeBasis, Collectors.counting())));
        List<DeadLetter> dead = readDeadLetters(broker, dlq, 1);

        // every event: on the true timeline within its bound, calibrated, enriched
        List<TimedEvent> out = events.values().stream()
            .filter(e -> e.payload != null).collect(Collectors.toList());
        assertThat(out).hasSize(truthBySequence.size());
        long worstError = 0;
        long worstBound = 0;
        for (TimedEvent e : out) {
          long truth = truthBySequence.get(e.sequence);
          long error = Math.abs(e.utcNs - truth);
          assertThat(e.calibrated()).as("%s calibrated", e).isTrue();
          assertThat(error).as("%s vs truth %d", e, truth).isLessThanOrEqualTo(e.errorBoundNs);
          assertThat(e.service).as("%s enriched", e).isEqualTo("checkout");
          assertThat(e.pod).isEqualTo("checkout-abc");
          worstError = Math.max(worstError, error);
          worstBound = Math.max(worstBound, e.errorBoundNs);
        }
        // events released by the host's first sample are converted with that one sample and an
        // assumed 100 ppm drift: up to ~4 ms at 40 s from it; later ones get microseconds
        assertThat(worstBound).as("calibrated bounds").isLessThan(5_000_000);
        System.out.printf("ITCase: %d events aligned, worst error %d ns, worst bound %d ns%n",
            out.size(), worstError, worstBound);

        // the native-memory series: each RSS point with the heap sample 300 ms before it
        List<NativeMemorySample> points = nativeMemory.values();
        assertThat(points).hasSize(expectedNative.size());
        for (NativeMemorySample p : points) {
          assertThat(p.nativeBytes).as("native at %d", p.utcNs)
              .isEqualTo(expectedNative.get(p.utcNs));
          // the heap sample's time carries its own bound (up to ~4 ms, see above)
          assertThat(p.utcNs - p.managedUtcNs)
              .isBetween(300_000_000L - 5_000_000L, 300_000_000L + 5_000_000L);
          assertThat(p.service).isEqualTo("checkout");
          assertThat(p.managedSource).isEqualTo(Source.JFR);
        }

        // the host's calibrations: MONOTONIC and the JVM's ticks, each point on the true timeline
        List<ClockCalibration> reported = calibrations.values();
        assertThat(reported).extracting(c -> c.clockDomain).contains("MONOTONIC",
            "JFR_TICKS@" + bare.getPid() + "/" + bare.getProcessStartTimeMs());
        for (ClockCalibration c : reported.stream()
            .filter(x -> "MONOTONIC".equals(x.clockDomain)).toList()) {
          assertThat(List.of(c.cluster, c.node, c.bootId))
              .containsExactly(known.getCluster(), known.getNode(), known.getBootId());
          long raw = c.utcNs - c.offsetNs;   // offset = utc(raw) - raw for nanosecond clocks
          assertThat(Math.abs(c.utcNs - host.utcOfMonotonic(raw))).as("%s", c)
              .isLessThanOrEqualTo(c.errorBoundNs);
          assertThat(c.samples).isPositive();
        }

        // the bad record, with where it came from and why
        assertThat(dead).singleElement().satisfies(d -> {
          assertThat(d.getTopic()).isEqualTo(ebpf);
          assertThat(d.getReason()).startsWith("NOT_SINGLE_OBJECT_ENCODING");
          assertThat(StandardCharsets.UTF_8.decode(d.getValue()).toString())
              .isEqualTo("definitely not avro");
        });
      } finally {
        job.cancel().get();
        events.release();
        nativeMemory.release();
        calibrations.release();
      }
    }
  }

  private ProducerRecord<byte[], byte[]> record(
      String topic, int partition, SpecificRecord event, long truthNs, long publishNs) {
    long seq = Events.header(event).getSequence();
    sequence++;
    if (truthNs >= 0) {
      truthBySequence.put(seq, truthNs);
    }
    // collectors publish a little after the event (batching)
    long publishMs = publishNs / 1_000_000L + 200;
    byte[] key = Topics.key(Events.header(event).getProcess());
    return new ProducerRecord<>(topic, partition, publishMs, key, codec.encode(event));
  }

  private void send(KafkaProducer<byte[], byte[]> producer, String topic, int partition,
      SpecificRecord event, long truthNs) {
    producer.send(record(topic, partition, event, truthNs, truthNs));
  }

  private static Allocation allocation(ProcessIdentity p, long mono, long seq) {
    return Allocation.newBuilder()
        .setHeader(Fixtures.header(p, Source.EBPF, ClockDomain.MONOTONIC, mono, seq))
        .setKind(AllocationKind.MALLOC).setSizeBytes(4096).setWeightBytes(4096).build();
  }

  private static GcPause gcPause(ProcessIdentity p, long ticks, long seq) {
    return GcPause.newBuilder()
        .setHeader(Fixtures.header(p, Source.JFR, ClockDomain.JFR_TICKS, ticks, seq))
        .setDurationNs(1_500_000L).build();
  }

  private static ThreadCount threadCount(ProcessIdentity p, long realtimeNs, long seq) {
    return ThreadCount.newBuilder()
        .setHeader(Fixtures.header(p, Source.PROCFS, ClockDomain.REALTIME, realtimeNs, seq))
        .setCount(42).build();
  }

  private static <T> void reverseInChunks(List<T> list, int chunk) {
    for (int from = 0; from < list.size(); from += chunk) {
      Collections.reverse(list.subList(from, Math.min(list.size(), from + chunk)));
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker broker) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private List<DeadLetter> readDeadLetters(KafkaBroker broker, String topic, int expected)
      throws InterruptedException {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<DeadLetter> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.add(codec.decode(r.value(), DeadLetter.class));
        }
      }
    }
    return out;
  }

  private static void waitFor(
      BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what.get());
      }
      Thread.sleep(200);
    }
  }
}
