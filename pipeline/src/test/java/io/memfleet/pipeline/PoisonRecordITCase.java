package io.memfleet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.DeadLetter;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.EventTypes;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import io.memfleet.schema.codec.PoisonRecords;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
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
 * Poison records through a real broker and the real job: for every event kind, records with a
 * valid single-object header and a body no writer produces (a 1.5 GB string length, garbage, a
 * cut-off body), each followed by a good record of that kind, plus one value larger than the
 * dead-letter bound on a topic that allows it. Every poison record must land on the dead-letter
 * topic (whose size limit is Kafka's default 1 MB) with its reason, every good record must come
 * through, and the job must never restart.
 */
class PoisonRecordITCase {
  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(1)
          .setConfiguration(METRICS.addToConfiguration(cluster()))
          .build());

  @TempDir Path dir;

  private final EventCodec codec = EventCodec.fromClasspath();

  private static Configuration cluster() {
    Configuration c = new Configuration();
    c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("16m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("32m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("32m"));
    // a failing record would restart the task, not fail the job: numRestarts shows it
    c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
    c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
    return c;
  }

  /** A poison value and the reasons its dead letter may give. */
  private record Poison(String what, byte[] value, Set<String> reasons) {}

  @Test
  void everyPoisonRecordIsDeadLetteredTheGoodOnesPassAndTheJobNeverRestarts() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String events = "it-poison-events-" + run;
    String clock = "it-poison-clock-" + run;
    String dlq = "it-poison-dlq-" + run;
    try (KafkaBroker broker = TestServers.kafka(dir)) {
      // the event topic takes 4 MB records; the dead-letter topic keeps Kafka's 1 MB default
      broker.createTopics(List.of(
          new NewTopic(events, 1, (short) 1).configs(Map.of("max.message.bytes", "4194304")),
          new NewTopic(clock, 1, (short) 1), new NewTopic(dlq, 1, (short) 1)));

      Configuration conf = new Configuration();
      conf.set(PipelineOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
      conf.set(PipelineOptions.GROUP_ID, "it-poison-" + run);
      conf.set(PipelineOptions.EVENT_TOPICS, List.of(events));
      conf.set(PipelineOptions.CLOCK_TOPIC, clock);
      conf.set(PipelineOptions.DEAD_LETTER_TOPIC, dlq);
      conf.set(PipelineOptions.IDLENESS, Duration.ofSeconds(1));
      conf.set(PipelineOptions.HOLD_TIMEOUT, Duration.ofSeconds(1)); // uncalibrated still leave

      CollectingSink<TimedEvent> aligned = new CollectingSink<>();
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(1);
      MemfleetJob.kafka(conf)
          .extension(streams -> streams.aligned().sinkTo(aligned).name("aligned-for-test"))
          .build().attach(env);
      JobClient job = env.executeAsync("memfleet-poison-it");
      try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
        Map<Long, Poison> poisonByOffset = new HashMap<>();
        Map<String, Long> goodOffsetByKind = new HashMap<>();
        long offset = 0;
        List<SpecificRecord> goods = SampleEvents.all().stream()
            .filter(r -> Events.header(r) != null).collect(Collectors.toList());
        assertThat(goods).extracting(r -> r.getSchema().getName())
            .containsExactlyInAnyOrderElementsOf(
                EventTypes.EVENTS.stream().map(Class::getSimpleName).collect(Collectors.toList()));
        for (SpecificRecord good : goods) {
          byte[] valid = codec.encode(good);
          byte[] key = io.memfleet.schema.Topics.key(Events.header(good).getProcess());
          for (Poison p : poisons(good.getSchema(), valid)) {
            producer.send(new ProducerRecord<>(events, 0, null, key, p.value()));
            poisonByOffset.put(offset++, p);
          }
          producer.send(new ProducerRecord<>(events, 0, null, key, valid));
          goodOffsetByKind.put(good.getSchema().getName(), offset++);
        }
        byte[] huge = hugeValue();
        producer.send(new ProducerRecord<>(events, 0, null, new byte[] {'k'}, huge));
        long hugeOffset = offset++;
        producer.flush();

        List<DeadLetter> dead = readDeadLetters(broker, dlq, poisonByOffset.size() + 1);
        assertThat(dead).hasSize(poisonByOffset.size() + 1);
        for (DeadLetter d : dead) {
          if (d.getOffset() == hugeOffset) {
            assertThat(d.getTruncated()).isTrue();
            assertThat(d.getOriginalValueBytes()).isEqualTo(huge.length);
            assertThat(d.getValue().remaining()).isEqualTo(256 * 1024 - 2);
            assertThat(d.getReason()).startsWith("LENGTH_EXCEEDS_INPUT");
            continue;
          }
          Poison p = poisonByOffset.get(d.getOffset());
          assertThat(p).as("dead letter at offset %d", d.getOffset()).isNotNull();
          assertThat(d.getTopic()).isEqualTo(events);
          assertThat(d.getStage()).isEqualTo("decode");
          assertThat(d.getTruncated()).isFalse();
          assertThat(bytes(d.getValue())).as(p.what()).isEqualTo(p.value());
          assertThat(d.getReason().substring(0, d.getReason().indexOf(':')))
              .as("%s: %s", p.what(), d.getReason()).isIn(p.reasons());
        }

        // every good event (ClockSync becomes a clock sample, so it is counted at the decoder)
        Set<String> notClock = goodOffsetByKind.keySet().stream()
            .filter(k -> !k.equals("ClockSync")).collect(Collectors.toSet());
        waitFor(() -> aligned.values().stream().map(e -> e.kind).collect(Collectors.toSet())
            .containsAll(notClock), Duration.ofSeconds(60),
            () -> "a good event of every kind; have " + aligned.values().stream()
                .map(e -> e.kind).collect(Collectors.toList()));
        for (TimedEvent e : aligned.values()) {
          assertThat(e.offset).isEqualTo(goodOffsetByKind.get(e.kind));
        }
        JobID id = job.getJobID();
        waitFor(() -> counter(id, "recordsDecoded") == goods.size(), Duration.ofSeconds(30),
            () -> "recordsDecoded = " + goods.size() + "; is " + counter(id, "recordsDecoded"));
        assertThat(counter(id, "recordsDeadLettered")).isEqualTo(dead.size());

        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        Metric restarts = METRICS.findMetric(id, "numRestarts").orElseThrow();
        assertThat(((Gauge<?>) restarts).getValue()).isEqualTo(0L);
        System.out.printf("PoisonRecordITCase: %d poison records dead-lettered, %d good passed,"
            + " 0 restarts%n", dead.size(), goods.size());
      } finally {
        job.cancel().get();
        aligned.release();
      }
    }
  }

  private List<Poison> poisons(Schema schema, byte[] valid) {
    Set<String> cut = Set.of("TRUNCATED", "LENGTH_EXCEEDS_INPUT");
    return List.of(
        new Poison(schema.getName() + " with a 1.5 GB string length",
            PoisonRecords.hugeFirstLength(schema, 1_500_000_000L), Set.of("LENGTH_EXCEEDS_INPUT")),
        new Poison(schema.getName() + " with a garbage body", PoisonRecords.garbageBody(schema),
            Set.of("MALFORMED_BODY")),
        new Poison(schema.getName() + " without its last byte",
            PoisonRecords.truncated(valid, valid.length - 11), cut),
        new Poison(schema.getName() + " cut in half",
            PoisonRecords.truncated(valid, (valid.length - 10) / 2), cut));
  }

  /** 2 MB: a ResidentMemory header and a string length one byte longer than what follows. */
  private static byte[] hugeValue() {
    int body = 2 * 1024 * 1024;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(PoisonRecords.header(io.memfleet.event.ResidentMemory.getClassSchema()));
    PoisonRecords.writeVarLong(out, body + 1);
    byte[] filler = new byte[body];
    Arrays.fill(filler, (byte) 'x');
    out.writeBytes(filler);
    return out.toByteArray();
  }

  private static long counter(JobID job, String name) {
    long sum = 0;
    for (var group : METRICS.findOperatorMetricGroups(job, "decode")) {
      Metric m = METRICS.getMetricsByGroup(group).get(name);
      if (m instanceof Counter c) {
        sum += c.getCount();
      }
    }
    return sum;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static KafkaProducer<byte[], byte[]> producer(KafkaBroker broker) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
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
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.add(codec.decode(r.value(), DeadLetter.class));
        }
      }
    }
    return out;
  }

  private static void waitFor(BooleanSupplier condition, Duration timeout, Supplier<String> what)
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
