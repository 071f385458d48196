package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.localstack.ChildProcess;
import io.memfleet.localstack.testing.SecureKafka;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.kafka.KafkaAccess;
import io.memfleet.schema.kafka.KafkaPasswordCallbackHandler;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collectors against a broker secured as production is: SASL_SSL with SCRAM-SHA-512, a private
 * CA, ACLs enforced by {@code StandardAuthorizer} and granted per role by {@link KafkaAccess}. The
 * collector is configured only through the {@code MEMFLEET_KAFKA_*} settings, its password in a
 * file as a mounted Secret would be.
 */
class SecuredKafkaIT {
  @TempDir static Path dir;

  private static SecureKafka kafka;
  private static Path collectorPassword;
  private static Path pipelinePassword;

  private final EventCodec codec = EventCodec.fromClasspath();

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = SecureKafka.start(dir);
    kafka.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList());
    collectorPassword = kafka.createUser("collector");
    pipelinePassword = kafka.createUser("pipeline");
    kafka.grant(KafkaAccess.COLLECTOR.aclBindings("User:collector"));
    kafka.grant(KafkaAccess.PIPELINE.aclBindings("User:pipeline"));
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void authenticatedCollectorPublishesAndThePipelineReadsItsEvents() throws Exception {
    CollectorOptions options = new CollectorOptions(env("collector", collectorPassword)::get);
    ProcessIdentity me = ProcessIdentities.builder().build().self();
    EventHeaders headers = new EventHeaders("secured-it");
    try (KafkaEventSink sink = options.sinkBuilder("secured", "secured-it")
        .spoolDir(dir.resolve("spool-ok")).build()) {
      for (int i = 0; i < 50; i++) {
        sink.publish(event(me, headers, i));
      }
      assertThat(sink.flush(Duration.ofSeconds(60))).as("stats %s", sink.stats()).isTrue();
      assertThat(sink.stats().sent()).isEqualTo(50);
      assertThat(sink.stats().dropped()).isZero();
      assertThat(sink.stats().spooled()).isZero();
    }

    // the pipeline's role reads them, in a consumer group of its own prefix
    Map<String, Object> consumer = client(security("pipeline", pipelinePassword));
    consumer.put("group.id", "memfleet-pipeline-it");
    consumer.put("auto.offset.reset", "earliest");
    List<Long> sequences = new ArrayList<>();
    try (var c = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.EVENTS_JFR));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (sequences.size() < 50 && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          ThreadCount t = codec.decode(r.value(), ThreadCount.class);
          if ("secured-it".equals(t.getHeader().getCollector().toString())) {
            sequences.add(t.getHeader().getSequence());
          }
        }
      }
    }
    // one process, one partition: every event once, in publish order
    assertThat(sequences).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 50).boxed()
        .toList());
  }

  @Test
  void clientsWithoutValidCredentialsAreRefused() throws Exception {
    // TLS to the right port and CA, but no SASL login: the broker never answers a request (so
    // how long the client waits for one only sets when it gives up: 3 s, not the usual 10 s)
    Map<String, Object> tlsOnly = unanswered(client(KafkaSecurity.builder().protocol("SSL")
        .caFile(kafka.caFile().toString()).build()));
    assertThatThrownBy(() -> describeCluster(tlsOnly)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
    // plaintext: no TLS handshake, nothing either
    assertThatThrownBy(() -> describeCluster(unanswered(client(KafkaSecurity.plaintext()))))
        .isInstanceOf(ExecutionException.class);

    Path wrong = dir.resolve("wrong-password");
    Files.writeString(wrong, "not-the-password");
    assertThatThrownBy(() -> describeCluster(client(security("collector", wrong))))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SaslAuthenticationException.class);
    assertThatThrownBy(() -> describeCluster(client(security("nobody", collectorPassword))))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SaslAuthenticationException.class);

    // a collector with a wrong password delivers nothing and loses nothing: its events wait in
    // the spool until the Secret is fixed, then go out at the next login
    Path secret = dir.resolve("rotated-password");
    Files.writeString(secret, "not-the-password");
    CollectorOptions options = new CollectorOptions(env("collector", secret)::get);
    ProcessIdentity me = ProcessIdentities.builder().build().self();
    EventHeaders headers = new EventHeaders("secured-it-wrong");
    try (KafkaEventSink sink = options.sinkBuilder("secured", "secured-it-wrong")
        .spoolDir(dir.resolve("spool-wrong")).build()) {
      for (int i = 0; i < 20; i++) {
        sink.publish(event(me, headers, i));
      }
      // every event is refused by the broker and kept: wait for all of them to reach the spool
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (sink.stats().spooled() + sink.stats().sent() + sink.stats().dropped() < 20) {
        assertThat(System.nanoTime()).as("stats %s", sink.stats()).isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(sink.flush(Duration.ofSeconds(1))).isFalse();
      SinkStats refused = sink.stats();
      assertThat(refused.sent()).isZero();
      assertThat(refused.dropped()).as("stats %s", refused).isZero();
      assertThat(refused.spooled()).isEqualTo(20);
      assertThat(refused.brokerReachable()).isFalse();

      Files.copy(collectorPassword, secret, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThat(sink.flush(Duration.ofSeconds(60))).as("stats %s", sink.stats()).isTrue();
      assertThat(sink.stats().replayed()).isEqualTo(20);
      assertThat(sink.stats().dropped()).isZero();
    }
  }

  @Test
  void aCollectorMayWriteEventTopicsOnlyAndReadNothing() throws Exception {
    Map<String, Object> producer = client(security("collector", collectorPassword));
    byte[] alert = "not really an alert".getBytes(StandardCharsets.UTF_8);
    try (var p = new KafkaProducer<>(producer, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      for (String output : List.of(Topics.ALERTS, Topics.OOM_SNAPSHOTS, Topics.DEADLETTER)) {
        assertThatThrownBy(() -> p.send(new ProducerRecord<>(output, alert)).get(30,
            TimeUnit.SECONDS)).as(output).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
    }
    Map<String, Object> consumer = client(security("collector", collectorPassword));
    consumer.put("group.id", "memfleet-pipeline-stolen");
    try (var c = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.EVENTS_JFR));
      assertThatThrownBy(() -> c.poll(Duration.ofSeconds(20)))
          .isInstanceOf(org.apache.kafka.common.errors.AuthorizationException.class);
    }
    // the role that may: the pipeline writes alerts
    try (var p = new KafkaProducer<>(client(security("pipeline", pipelinePassword)),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      assertThat(p.send(new ProducerRecord<>(Topics.ALERTS, alert)).get(30, TimeUnit.SECONDS)
          .topic()).isEqualTo(Topics.ALERTS);
    }
  }

  @Test
  void thePasswordIsInNoConfigurationLogOrCommandLine() throws Exception {
    String password = Files.readString(collectorPassword, StandardCharsets.UTF_8);
    KafkaSecurity security = new CollectorOptions(env("collector", collectorPassword)::get)
        .kafkaSecurity();
    Map<String, String> properties = security.clientProperties();
    assertThat(properties.toString()).doesNotContain(password);
    assertThat(properties).containsEntry("sasl.client.callback.handler.class",
        KafkaPasswordCallbackHandler.class.getName());
    assertThat(properties.get("sasl.jaas.config")).contains("memfleetPasswordFile=")
        .doesNotContainIgnoringCase("password=");

    StringWriter log = new StringWriter();
    try (AutoCloseable capture = captureKafkaLogs(log)) {
      ProcessIdentity me = ProcessIdentities.builder().build().self();
      EventHeaders headers = new EventHeaders("secured-it-log");
      try (KafkaEventSink sink = new CollectorOptions(env("collector", collectorPassword)::get)
          .sinkBuilder("secured", "secured-it-log").spoolDir(dir.resolve("spool-log")).build()) {
        sink.publish(event(me, headers, 1));
        assertThat(sink.flush(Duration.ofSeconds(60))).isTrue();
      }
    }
    // the client logged its whole configuration, logged in, and never wrote the password
    assertThat(log.toString()).contains("ProducerConfig values")
        .contains("sasl.client.callback.handler.class = class "
            + KafkaPasswordCallbackHandler.class.getName())
        .contains("security.protocol = SASL_SSL")
        .doesNotContain(password);

    ChildProcess broker = kafka.broker().running().orElseThrow();
    String cmdline = Files.readString(Path.of("/proc/" + broker.pid() + "/cmdline"),
        StandardCharsets.ISO_8859_1);
    assertThat(cmdline).contains("kafka.Kafka").doesNotContain(password);
    assertThat(Files.readString(Path.of("/proc/self/cmdline"), StandardCharsets.ISO_8859_1))
        .doesNotContain(password);
    assertThat(Files.readString(broker.logFile(), StandardCharsets.UTF_8))
        .doesNotContain(password);
  }

  /** The settings a collector pod gets: user, password file (a Secret), CA. */
  private static Map<String, String> env(String user, Path passwordFile) {
    return Map.of("MEMFLEET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "MEMFLEET_KAFKA_USERNAME", user,
        "MEMFLEET_KAFKA_PASSWORD_FILE", passwordFile.toString(),
        "MEMFLEET_KAFKA_CA_FILE", kafka.caFile().toString(),
        "MEMFLEET_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
  }

  private static KafkaSecurity security(String user, Path passwordFile) {
    return KafkaSecurity.fromEnvironment(env(user, passwordFile));
  }

  private static Map<String, Object> client(KafkaSecurity security) {
    Map<String, Object> config = new HashMap<>(security.clientProperties());
    config.put("bootstrap.servers", kafka.bootstrapServers());
    config.put("request.timeout.ms", 10_000);
    config.put("default.api.timeout.ms", 10_000);
    config.put("max.block.ms", 20_000);
    return config;
  }

  /** A client of a request the broker will never answer: it gives up after 3 s. */
  private static Map<String, Object> unanswered(Map<String, Object> config) {
    config.put("request.timeout.ms", 3_000);
    config.put("default.api.timeout.ms", 3_000);
    return config;
  }

  private static void describeCluster(Map<String, Object> config) throws Exception {
    try (Admin admin = Admin.create(config)) {
      admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
    }
  }

  private static ThreadCount event(ProcessIdentity p, EventHeaders headers, int i) {
    return ThreadCount.newBuilder()
        .setHeader(headers.next(p, Source.JFR, ClockDomain.REALTIME, System.currentTimeMillis()))
        .setKind(ThreadKind.JAVA_THREADS).setCount(i).build();
  }

  /** Everything {@code org.apache.kafka} logs at INFO and above, into {@code out}, until closed. */
  private static AutoCloseable captureKafkaLogs(StringWriter out) {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    WriterAppender appender = WriterAppender.newBuilder().setName("secured-it-capture")
        .setTarget(out).setLayout(PatternLayout.newBuilder().withPattern("%m%n").build())
        .build();
    appender.start();
    config.addAppender(appender);
    LoggerConfig logger = new LoggerConfig("org.apache.kafka", Level.INFO, false);
    logger.addAppender(appender, Level.INFO, null);
    config.addLogger("org.apache.kafka", logger);
    context.updateLoggers();
    return () -> {
      config.removeLogger("org.apache.kafka");
      context.updateLoggers();
      appender.stop();
    };
  }
}
