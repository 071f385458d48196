package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.SimulatedHost.SimulatedProcess;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.Source;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes a simulated fleet's backlog to a fresh set of topics: {@code hosts × processes} processes
 * publishing the {@link EventMix} at {@code rate} events/s each, and every host's ClockSync
 * samples (one just before its first event, then one per interval), all ordered by simulated
 * time, keyed by process as collectors key them, with the Kafka timestamp a collector's batching
 * delay after the event. The backlog ends two minutes ago, as after an outage or at first start.
 *
 * <pre>{@code
 * FleetWorkload.Written w = new FleetWorkload(options).write(bootstrap, "bench-1a2b");
 * w.topics().inputs();   // what both the baseline and the pipeline read
 * }</pre>
 */
final class FleetWorkload {
  private static final long PUBLISH_DELAY_NS = 200_000_000L;

  private final DecodeAlignOptions options;

  FleetWorkload(DecodeAlignOptions options) {
    this.options = options;
  }

  /**
   * The fresh topics of one run: one per event source as in production, the clock topic, and the
   * dead-letter topic the pipeline writes to.
   */
  record TopicSet(String prefix, List<String> eventTopics, String clockTopic,
      String deadLetterTopic) {
    static TopicSet withPrefix(String prefix) {
      List<String> events = new ArrayList<>();
      for (String t : Topics.eventTopics()) {
        events.add(prefix + "." + t);
      }
      return new TopicSet(prefix, List.copyOf(events), prefix + "." + Topics.CLOCK,
          prefix + "." + Topics.DEADLETTER);
    }

    String eventTopic(Source source) {
      return prefix + "." + Topics.forSource(source);
    }

    /** What every reader reads: the event topics and the clock topic. */
    List<String> inputs() {
      List<String> all = new ArrayList<>(eventTopics);
      all.add(clockTopic);
      return all;
    }

    /** Everything created for the run. */
    List<String> all() {
      List<String> all = new ArrayList<>(inputs());
      all.add(deadLetterTopic);
      return all;
    }
  }

  /** What was written: counts to check both readers against, and the simulated span. */
  record Written(TopicSet topics, long events, long clockSamples, long bytes,
      Map<ClockDomain, Long> eventsByDomain, Map<String, Long> eventsByKind, long spanMs,
      long writeMs) {
    long records() {
      return events + clockSamples;
    }
  }

  /** Creates the topics on {@code bootstrap} and writes the backlog; blocks until acknowledged. */
  Written write(String bootstrap, String prefix) throws Exception {
    TopicSet topics = TopicSet.withPrefix(prefix);
    createTopics(bootstrap, topics);

    Random random = new Random(options.seed());
    int processCount = options.hosts() * options.processesPerHost();
    long stepNs = Math.max(1, 1_000_000_000L / ((long) processCount * options.ratePerProcess()));
    long spanNs = stepNs * options.events();
    long t0Ns = (System.currentTimeMillis() - 120_000) * 1_000_000L - spanNs;
    List<SimulatedHost> hosts = new ArrayList<>();
    List<SimulatedHost> hostOf = new ArrayList<>();
    List<SimulatedProcess> processes = new ArrayList<>();
    for (int h = 0; h < options.hosts(); h++) {
      SimulatedHost host = new SimulatedHost("bench", h, options.processesPerHost(), t0Ns, random);
      hosts.add(host);
      for (SimulatedProcess p : host.processes) {
        processes.add(p);
        hostOf.add(host);
      }
    }
    long syncEveryNs = options.clockSyncInterval().toNanos();
    long nextSyncNs = t0Ns - 1_000_000_000L;

    EventCodec codec = EventCodec.fromClasspath();
    Map<ClockDomain, Long> byDomain = new TreeMap<>();
    Map<String, Long> byKind = new TreeMap<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    AtomicLong bytes = new AtomicLong();
    long clockSamples = 0;
    long started = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
      for (long i = 0; i < options.events(); i++) {
        long utcNs = t0Ns + i * stepNs;
        while (nextSyncNs <= utcNs) {
          for (SimulatedHost host : hosts) {
            ClockSync sync = host.clockSync(nextSyncNs, random);
            send(producer, topics.clockTopic(), sync, nextSyncNs, codec, bytes, failure);
            clockSamples++;
          }
          nextSyncNs += syncEveryNs;
        }
        int index = (int) (i % processes.size());
        SpecificRecord event = EventMix.next(hostOf.get(index), processes.get(index), utcNs,
            random);
        var header = Events.header(event);
        send(producer, topics.eventTopic(header.getSource()), event, utcNs, codec, bytes,
            failure);
        byDomain.merge(header.getClockDomain(), 1L, Long::sum);
        byKind.merge(Events.kind(event), 1L, Long::sum);
        if (failure.get() != null) {
          break;
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("writing the workload failed", failure.get());
    }
    long writeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    return new Written(topics, options.events(), clockSamples, bytes.get(), byDomain, byKind,
        spanNs / 1_000_000L, writeMs);
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic,
      SpecificRecord record, long utcNs, EventCodec codec, AtomicLong bytes,
      AtomicReference<Exception> failure) {
    byte[] value = codec.encode(record);
    bytes.addAndGet(value.length);
    long timestampMs = (utcNs + PUBLISH_DELAY_NS) / 1_000_000L;
    byte[] key = Topics.key(Events.header(record).getProcess());
    producer.send(new ProducerRecord<>(topic, null, timestampMs, key, value), (meta, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      }
    });
  }

  private void createTopics(String bootstrap, TopicSet topics) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      List<NewTopic> topicList = new ArrayList<>();
      for (String t : topics.all()) {
        topicList.add(new NewTopic(t, options.partitions(), (short) 1));
      }
      admin.createTopics(topicList).all().get(60, TimeUnit.SECONDS);
      awaitLeaders(admin, topics.all());
    }
  }

  /**
   * Waits until every partition has a leader, then a little longer. An idempotent producer that
   * writes while the broker is still creating the partitions can have a retried first batch
   * refused for good ({@code OutOfOrderSequenceException}, seen here on a busy machine), and
   * its records expire after the delivery timeout.
   */
  private static void awaitLeaders(Admin admin, List<String> topics) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      boolean ready = admin.describeTopics(topics).allTopicNames().get(60, TimeUnit.SECONDS)
          .values().stream().flatMap(d -> d.partitions().stream())
          .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
      if (ready) {
        Thread.sleep(1_000); // the leader is known before its log is open
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("partitions of " + topics + " have no leader after 60 s");
      }
      Thread.sleep(100);
    }
  }

  /** A producer configured as the collectors' sink: idempotent, acks=all, lz4, batched. */
  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20));
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }
}
