package io.memfleet.pipeline.detect;

import static io.memfleet.pipeline.detect.Events.header;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.EventHeader;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.OomSnapshot;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.pipeline.Fixtures;
import io.memfleet.pipeline.MemfleetJob;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.clickhouse.ClickHouseOptions;
import io.memfleet.pipeline.forensics.ForensicsExtension;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on a real Kafka broker and a Flink MiniCluster: a synthetic JVM whose live set
 * grows, a healthy JVM whose heap saws back to baseline, and a process that is OOM-killed go
 * through decode, clock alignment, join, detection and forensics; the leak's alert and the
 * kill's snapshot are read back from their topics, and the healthy process raises nothing.
 */
class DetectionITCase {
  private static final long MB = 1L << 20;
  private static final EventCodec CODEC = Fixtures.CODEC;

  @TempDir
  Path dir;

  @Test
  void leakAlertAndOomSnapshotComeOutOfTheRealPipeline() throws Exception {
    try (KafkaBroker broker = TestServers.kafka(dir)) {
      List<NewTopic> topics = Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1))
          .collect(Collectors.toList());
      broker.createTopics(topics);

      long t0Seconds = System.currentTimeMillis() / 1000 - 600;
      double base = t0Seconds - Events.T0_NS / 1e9; // Events.ns() is relative to T0_NS
      ProcessIdentity leaky = Events.process("node-a", 101, Runtime.JVM);
      ProcessIdentity healthy = Events.process("node-b", 202, Runtime.JVM);
      ProcessIdentity victim = Events.process("node-c", 303, Runtime.NATIVE);
      List<SpecificRecord> events = new ArrayList<>();
      List<SpecificRecord> ahead = new ArrayList<>();
      long seq = 0;
      for (int s = 0; s <= 180; s += 2) {
        double t = base + s;
        events.add(fullGc(header(leaky, Source.JFR, t, seq++), 100 * MB + s * MB));
        events.add(fullGc(header(healthy, Source.JFR, t + 0.3, seq++),
            100 * MB + (s % 40) * MB / 2));
        if (s >= 150 && s <= 170) {
          events.add(ResidentMemory.newBuilder().setHeader(header(victim, Source.PROCFS, t, seq++))
              .setRssBytes((200 + s - 150) * MB).setCgroupUsageBytes((200 + s - 150) * MB)
              .setCgroupLimitBytes(224 * MB).build());
        }
      }
      events.add(OomKill.newBuilder().setHeader(header(victim, Source.EBPF, base + 170.5, seq++))
          .setDetectedBy(OomDetection.TRACEPOINT).setVictimComm("java").build());
      // later events of another process move event time (and so watermarks) past everything;
      // they are published first, so their topic is read ahead of the others (a backlog drained
      // unevenly): the leak and the kill must not become late because of it
      ProcessIdentity clock = Events.process("node-d", 404, Runtime.NATIVE);
      for (int s = 182; s <= 260; s += 2) {
        ahead.add(ResidentMemory.newBuilder().setHeader(header(clock, Source.PROCFS, base + s,
            seq++)).setRssBytes(10 * MB).build());
      }
      publish(broker, ahead);

      Configuration conf = new Configuration();
      conf.set(PipelineOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
      conf.set(PipelineOptions.GROUP_ID, "it-" + UUID.randomUUID());
      conf.set(ClickHouseOptions.ENABLED, false);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
      MemfleetJob.kafka(conf).extension(new DetectionExtension(Map.of()))
          .extension(new ForensicsExtension()).build().attach(env);
      JobClient job = env.executeAsync("detection-it");
      try {
        Thread.sleep(2_000);
        publish(broker, events);
        List<Alert> alerts = new ArrayList<>();
        List<OomSnapshot> snapshots = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 120_000; // generous: CI machines are shared
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(broker)) {
          consumer.subscribe(List.of(Topics.ALERTS, Topics.OOM_SNAPSHOTS));
          while (System.currentTimeMillis() < deadline
              && (alerts.stream().noneMatch(a -> a.getProcess().getPid() == 101)
              || snapshots.isEmpty())) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
              SpecificRecord v = CODEC.decode(r.value());
              if (v instanceof Alert) {
                alerts.add((Alert) v);
                assertThat(r.key()).isEqualTo(Topics.key(((Alert) v).getProcess()));
              } else {
                snapshots.add((OomSnapshot) v);
              }
            }
          }
        }
        List<Alert> leak = alerts.stream().filter(a -> a.getProcess().getPid() == 101)
            .collect(Collectors.toList());
        assertThat(leak).isNotEmpty();
        assertThat(leak.get(0).getRule()).isEqualTo("live-set-growth");
        assertThat(leak.get(0).getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(leak.get(0).getGrowthBytesPerSecond()).isBetween(0.8 * MB, 1.2 * MB);
        // time from leak start to the evidence that fired it (event time)
        long detectS = (leak.get(0).getLastSeenUtcNs() / 1_000_000_000L) - t0Seconds;
        System.out.println("DetectionITCase: leak detected after " + detectS
            + " s of event time; alerts=" + alerts.size());
        assertThat(detectS).isLessThanOrEqualTo(100); // a run must cover 90 s (warm-ups level off)
        assertThat(alerts).noneMatch(a -> a.getProcess().getPid() == 202);

        assertThat(snapshots).hasSize(1);
        OomSnapshot s = snapshots.get(0);
        assertThat(s.getProcess().getPid()).isEqualTo(303);
        // RSS at 166, 168, 170 lie in [165.5, 170.5], and the kill
        assertThat(s.getEvents()).extracting(e -> e.getKind())
            .containsExactly("ResidentMemory", "ResidentMemory", "ResidentMemory", "OomKill");
      } finally {
        job.cancel().get();
      }
    }
  }

  private static GcCycle fullGc(EventHeader h, long live) {
    return GcCycle.newBuilder().setHeader(h).setGcId(h.getSequence())
        .setCollectorName("G1 Full").setGeneration(GcGeneration.FULL)
        .setHeapBeforeBytes(live + 64 * MB).setHeapAfterBytes(live).setLiveBytes(live)
        .setDurationNs(30_000_000L).setSumOfPausesNs(30_000_000L).build();
  }

  private static void publish(KafkaBroker broker, List<SpecificRecord> events) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("acks", "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p,
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (SpecificRecord e : events) {
        producer.send(new ProducerRecord<>(Topics.forRecord(e),
            Topics.key(io.memfleet.schema.codec.Events.header(e).getProcess()),
            CODEC.encode(e))).get();
      }
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(KafkaBroker broker) {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("group.id", "it-reader-" + UUID.randomUUID());
    p.put("auto.offset.reset", "earliest");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
