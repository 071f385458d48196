package io.memfleet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.DeadLetter;
import io.memfleet.localstack.testing.SecureKafka;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.replay.TraceRecorder;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import io.memfleet.schema.codec.PoisonRecords;
import io.memfleet.schema.kafka.KafkaAccess;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job's Kafka source and dead-letter sink on a broker secured as production is (SASL_SSL with
 * SCRAM-SHA-512, a private CA, ACLs per role of {@link KafkaAccess}), configured only through the
 * {@code MEMFLEET_KAFKA_*} variables with the password in a file: events a collector principal
 * wrote are decoded and aligned, a poison record reaches the dead-letter topic, and {@code memfleet
 * record} reads the topic as the launcher role.
 */
class SecuredPipelineITCase {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder()
          .setNumberTaskManagers(1)
          .setNumberSlotsPerTaskManager(1)
          .setConfiguration(cluster())
          .build());

  @TempDir Path dir;

  private final EventCodec codec = EventCodec.fromClasspath();

  private static Configuration cluster() {
    Configuration c = new Configuration();
    c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("16m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("32m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("32m"));
    return c;
  }

  @Test
  void theJobReadsEventsAndWritesDeadLettersAsThePipelinePrincipal() throws Exception {
    try (SecureKafka kafka = SecureKafka.start(dir)) {
      kafka.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList());
      Path collector = kafka.createUser("collector");
      Path pipeline = kafka.createUser("pipeline");
      Path auditor = kafka.createUser("auditor");
      Path launcher = kafka.createUser("launcher");
      kafka.grant(KafkaAccess.LAUNCHER.aclBindings("User:launcher"));
      kafka.grant(KafkaAccess.COLLECTOR.aclBindings("User:collector"));
      kafka.grant(KafkaAccess.PIPELINE.aclBindings("User:pipeline"));
      kafka.grant(List.of(allow("User:auditor", ResourceType.TOPIC, Topics.DEADLETTER,
          PatternType.LITERAL), allow("User:auditor", ResourceType.GROUP, "auditor-",
          PatternType.PREFIXED)));

      Map<String, String> env = new HashMap<>(env(kafka, "pipeline", pipeline));
      env.put("MEMFLEET_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("MEMFLEET_KAFKA_GROUP_ID", "memfleet-pipeline-secured-it");
      env.put("MEMFLEET_TIME_IDLENESS", "1 s");
      env.put("MEMFLEET_CLOCK_HOLD_TIMEOUT", "1 s");
      Configuration conf = PipelineOptions.fromEnvironment(env);

      CollectingSink<TimedEvent> aligned = new CollectingSink<>();
      StreamExecutionEnvironment flink = StreamExecutionEnvironment.getExecutionEnvironment();
      flink.setParallelism(1);
      MemfleetJob.kafka(conf)
          .extension(streams -> streams.aligned().sinkTo(aligned).name("aligned-for-test"))
          .build().attach(flink);
      JobClient job = flink.executeAsync("memfleet-secured-it");
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
          client(kafka, KafkaSecurity.fromEnvironment(env(kafka, "collector", collector))),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        SpecificRecord good = SampleEvents.all().stream()
            .filter(r -> Events.header(r) != null && !"ClockSync".equals(r.getSchema().getName()))
            .findFirst().orElseThrow();
        String topic = Topics.forRecord(good);
        byte[] key = Topics.key(Events.header(good).getProcess());
        producer.send(new ProducerRecord<>(topic, key,
            PoisonRecords.garbageBody(good.getSchema()))).get(30, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>(topic, key, codec.encode(good)))
            .get(30, TimeUnit.SECONDS);

        List<DeadLetter> dead = readDeadLetters(kafka, auditor, 1);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getTopic()).isEqualTo(topic);
        assertThat(dead.get(0).getReason()).startsWith("MALFORMED_BODY");

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (aligned.values().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        assertThat(aligned.values()).extracting(e -> e.kind)
            .containsExactly(good.getSchema().getName());

        // memfleet record, as the launcher role: both records of the event topic
        TraceRecorder recorder = new TraceRecorder(kafka.bootstrapServers(), List.of(topic), true,
            KafkaSecurity.fromEnvironment(env(kafka, "launcher", launcher)));
        TraceRecorder.Result recorded = recorder.record(dir.resolve("secured.mftrace"),
            Duration.ofSeconds(5), () -> false, line -> { });
        assertThat(recorded.records()).isEqualTo(2);
      } finally {
        job.cancel().get();
        aligned.release();
      }
    }
  }

  /** What a pod of this role gets: user, password file (a Secret), CA. */
  private static Map<String, String> env(SecureKafka kafka, String user, Path passwordFile) {
    return Map.of("MEMFLEET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "MEMFLEET_KAFKA_USERNAME", user,
        "MEMFLEET_KAFKA_PASSWORD_FILE", passwordFile.toString(),
        "MEMFLEET_KAFKA_CA_FILE", kafka.caFile().toString());
  }

  private static Map<String, Object> client(SecureKafka kafka, KafkaSecurity security) {
    Map<String, Object> config = new HashMap<>(security.clientProperties());
    config.put("bootstrap.servers", kafka.bootstrapServers());
    return config;
  }

  private static AclBinding allow(String principal, ResourceType type, String name,
      PatternType pattern) {
    return new AclBinding(new ResourcePattern(type, name, pattern),
        new AccessControlEntry(principal, "*", AclOperation.READ, AclPermissionType.ALLOW));
  }

  private List<DeadLetter> readDeadLetters(SecureKafka kafka, Path auditorPassword,
      int expected) {
    Map<String, String> env = env(kafka, "auditor", auditorPassword);
    Map<String, Object> config = client(kafka, KafkaSecurity.fromEnvironment(env));
    config.put("group.id", "auditor-" + System.nanoTime());
    config.put("auto.offset.reset", "earliest");
    List<DeadLetter> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.DEADLETTER));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.add(codec.decode(r.value(), DeadLetter.class));
        }
      }
    }
    return out;
  }
}
