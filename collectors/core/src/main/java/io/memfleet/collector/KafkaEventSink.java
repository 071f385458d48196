package io.memfleet.collector;

import io.memfleet.collector.internal.DiskSpool;
import io.memfleet.collector.internal.OrphanSpools;
import io.memfleet.collector.internal.SpoolLockedException;
import io.memfleet.collector.internal.SpoolingSender;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events to Kafka, spooling them to bounded local disk while the broker is unreachable.
 *
 * <pre>{@code
 * try (KafkaEventSink sink = KafkaEventSink.builder()
 *     .bootstrapServers("127.0.0.1:19092")
 *     .collectorId("jfr-agent/host-1/4242")
 *     .spoolDir(Path.of("/var/lib/memfleet/spool/jfr"))
 *     .build()) {
 *   sink.publish(event);
 * }
 * }</pre>
 *
 * <p>The producer is idempotent with {@code acks=all}, lz4-compressed and batched ({@code
 * linger.ms=20}); any producer setting can be overridden with {@link
 * Builder#producerProperty}. {@link #publish} encodes the event on the caller's thread and puts it
 * on a bounded in-memory queue; one sender thread owns everything after that, which is what keeps
 * per-key order: while the broker answers, events go straight to the producer; when a send fails
 * (or the broker cannot be reached at all) the sender waits for the in-flight sends to settle,
 * spools the failed ones in their original order, and from then on appends every new event behind
 * them. It replays the spool head-first, probing with one record and growing the batch as sends
 * succeed, and returns to direct sending only when the spool is empty. Events a previous run left
 * in the spool directory are replayed first. Losses are counted by reason: {@code queue-full} (the
 * in-memory queue overflowed while the sender was blocked), {@code spool-full}, {@code
 * spool-corrupt}, {@code spool-io-error}, {@code encode-failed}, {@code rejected:<error>} (the
 * broker refused the record for a non-retriable reason), {@code closed}, and {@code lost-on-kill}:
 * events a previous process on the same spool directory had accepted but neither sent nor spooled
 * when it was killed (kept in a memory-mapped ledger, counted by the next sink on the directory).
 * One collector per spool directory: a second one fails to build, naming the first.
 *
 * <p>Order caveat: if one batch fails while a later batch of the same partition succeeds (a
 * transient error rather than an outage), the failed one is replayed after it; the header's
 * sequence number lets consumers detect and reorder such cases.
 */
public final class KafkaEventSink implements EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventSink.class);

  private final EventCodec codec;
  private final SpoolingSender sender;

  private KafkaEventSink(EventCodec codec, SpoolingSender sender) {
    this.codec = codec;
    this.sender = sender;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void publish(SpecificRecord event) {
    byte[] value;
    String topic;
    byte[] key;
    try {
      var header = Events.header(event);
      topic = Topics.forRecord(event);
      key = header != null ? Topics.key(header.getProcess()) : new byte[0];
      value = codec.encode(event);
    } catch (RuntimeException e) {
      sender.countUnencodable(e);
      return;
    }
    sender.offer(new DiskSpool.Entry(topic, key, value));
  }

  @Override
  public SinkStats stats() {
    return sender.stats();
  }

  @Override
  public boolean flush(Duration timeout) {
    return sender.awaitIdle(timeout);
  }

  @Override
  public void close() {
    sender.close();
  }

  /** Validating builder; see the setters for defaults. */
  public static final class Builder {
    private static final int MAX_INSTANCES = 64;
    private String bootstrapServers;
    private String collectorId;
    private Path spoolDir;
    private Path instanceSpoolBase;
    private Path orphanBase;
    private long spoolMaxBytes = 256L * 1024 * 1024;
    private int queueCapacity = 10_000;
    private long queueMaxBytes = Long.MAX_VALUE;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private KafkaSecurity security = KafkaSecurity.plaintext();
    private final Map<String, String> producerProperties = new HashMap<>();

    private Builder() {}

    /** Kafka bootstrap servers, e.g. {@code 127.0.0.1:19092}. Required. */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    /** Id of this collector instance; names the producer's client id and the sender thread. */
    public Builder collectorId(String collectorId) {
      this.collectorId = collectorId;
      return this;
    }

    /**
     * Directory of the spool (created when missing); no other collector may use it at the same
     * time (the build fails naming the holder). This or {@link #instanceSpoolDirs} is required.
     */
    public Builder spoolDir(Path spoolDir) {
      this.spoolDir = spoolDir;
      this.instanceSpoolBase = null;
      return this;
    }

    /**
     * One spool directory per collector instance under {@code base}: the first of
     * {@code base/0}, {@code base/1}, … that no running collector holds. A collector restarted
     * alone takes {@code 0} again and replays what it left there.
     */
    public Builder instanceSpoolDirs(Path base) {
      this.instanceSpoolBase = base;
      this.spoolDir = null;
      return this;
    }

    /**
     * Takes over, at build, the spool directories under {@code base} that no running collector
     * holds (collectors that died, e.g. JVMs with a spool of their own each): their records are
     * replayed with this sink's, and the events they lost when killed are counted here as
     * {@code lost-on-kill}. With {@link #instanceSpoolDirs} the other instances' directories are
     * taken over the same way.
     */
    public Builder adoptOrphans(Path base) {
      this.orphanBase = base;
      return this;
    }

    /** Bound of the spool on disk, bytes; default 256 MiB. */
    public Builder spoolMaxBytes(long spoolMaxBytes) {
      this.spoolMaxBytes = spoolMaxBytes;
      return this;
    }

    /** Events buffered in memory between publish() and the sender thread; default 10 000. */
    public Builder queueCapacity(int queueCapacity) {
      this.queueCapacity = queueCapacity;
      return this;
    }

    /**
     * Bound of that queue in bytes (encoded events, topics and keys); default none beyond
     * {@link #queueCapacity}. Events beyond either bound are dropped and counted as
     * {@code queue-full}: a collector inside an application (the JFR agent) bounds its heap so.
     */
    public Builder queueMaxBytes(long queueMaxBytes) {
      this.queueMaxBytes = queueMaxBytes;
      return this;
    }

    /** How long close() waits for in-flight sends before spooling them; default 5 s. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** How the producer authenticates and encrypts; default plaintext (the local stack). */
    public Builder security(KafkaSecurity security) {
      this.security = Objects.requireNonNull(security);
      return this;
    }

    /** Overrides one Kafka producer setting (e.g. {@code compression.type=zstd}). */
    public Builder producerProperty(String key, String value) {
      producerProperties.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /**
     * Validates, opens the spool and starts the sender thread.
     *
     * @throws IllegalArgumentException for missing or invalid settings
     * @throws java.io.UncheckedIOException when the spool directory cannot be opened
     */
    public KafkaEventSink build() {
      require(bootstrapServers != null && !bootstrapServers.isBlank(), "bootstrapServers");
      require(collectorId != null && !collectorId.isBlank(), "collectorId");
      require(spoolDir != null || instanceSpoolBase != null, "spoolDir");
      if (spoolMaxBytes < 1024) {
        throw new IllegalArgumentException("spoolMaxBytes must be at least 1024: " + spoolMaxBytes);
      }
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
      }
      if (queueMaxBytes < 1024) {
        throw new IllegalArgumentException("queueMaxBytes must be at least 1024: "
            + queueMaxBytes);
      }
      if (producerProperties.containsKey(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)
          && !"true".equals(producerProperties.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG))) {
        throw new IllegalArgumentException("the sink needs an idempotent producer");
      }
      // a missing password is a start-up error, not a spool that fills while every login fails
      security.checkPasswordReadable();
      DiskSpool spool = openSpool();
      Path orphans = orphanBase != null ? orphanBase : instanceSpoolBase;
      if (orphans != null) {
        OrphanSpools.adoptAll(spool, orphans);
      }
      if (spool.corruptTailsOnOpen() > 0) {
        LOG.warn("spool {}: cut {} corrupt or truncated segment tail(s) left by a previous run",
            spool.dir(), spool.corruptTailsOnOpen());
      }
      if (spool.damagedOnOpen() > 0) {
        LOG.warn("spool {}: {} damaged record(s) found; the replay skips them (spool-corrupt)",
            spool.dir(), spool.damagedOnOpen());
      }
      Properties config = producerConfig();
      // a new producer when one failed for good (see SpoolingSender)
      Supplier<Producer<byte[], byte[]>> producers = () -> new KafkaProducer<>(config,
          new ByteArraySerializer(), new ByteArraySerializer());
      SpoolingSender sender;
      try {
        sender = new SpoolingSender(collectorId, producers, spool, queueCapacity, queueMaxBytes,
            closeTimeout);
      } catch (RuntimeException e) {
        try {
          spool.close();
        } catch (IOException ignored) {
          // the producer error is the one to report
        }
        throw new IllegalArgumentException("invalid Kafka producer settings: " + e.getMessage(), e);
      }
      // Kafka's I/O thread dies of an OutOfMemoryError (the agent shares its JVM's heap)
      sender.watchProducerThread("kafka-producer-network-thread | "
          + config.getProperty(ProducerConfig.CLIENT_ID_CONFIG));
      sender.start();
      return new KafkaEventSink(EventCodec.fromClasspath(), sender);
    }

    private DiskSpool openSpool() {
      if (spoolDir != null) {
        try {
          return DiskSpool.open(spoolDir, spoolMaxBytes);
        } catch (SpoolLockedException e) {
          throw new IllegalStateException(e.getMessage(), e);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException("cannot open spool " + spoolDir, e);
        }
      }
      for (int slot = 0; slot < MAX_INSTANCES; slot++) {
        Path dir = instanceSpoolBase.resolve(String.valueOf(slot));
        try {
          return DiskSpool.open(dir, spoolMaxBytes);
        } catch (SpoolLockedException taken) {
          // another instance runs on this one; try the next
        } catch (IOException e) {
          throw new java.io.UncheckedIOException("cannot open spool " + dir, e);
        }
      }
      throw new IllegalStateException(MAX_INSTANCES + " collectors already hold the spool"
          + " directories under " + instanceSpoolBase + "; give this one its own --spool-dir");
    }

    private Properties producerConfig() {
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      p.put(ProducerConfig.CLIENT_ID_CONFIG,
          "memfleet-" + collectorId.replaceAll("[^A-Za-z0-9._-]", "_"));
      p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
      p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(64 * 1024));
      p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
      // an outage must be noticed within seconds so events move to the spool, not pile up in RAM
      p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
      p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000");
      p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
      p.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, "200");
      p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
      p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(8 * 1024 * 1024));
      p.putAll(security.clientProperties());
      p.putAll(producerProperties);
      return p;
    }

    private static void require(boolean ok, String what) {
      if (!ok) {
        throw new IllegalArgumentException(what + " is required");
      }
    }
  }
}
