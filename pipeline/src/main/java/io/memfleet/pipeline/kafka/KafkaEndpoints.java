package io.memfleet.pipeline.kafka;

import io.memfleet.event.DeadLetter;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.decode.RawRecordDeserializer;
import io.memfleet.pipeline.model.RawRecord;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The production Kafka sources and sinks of the pipeline, configured from {@link PipelineOptions}.
 *
 * <pre>{@code
 * KafkaSource<RawRecord> events = KafkaEndpoints.source(conf, Topics.eventTopics(), "events");
 * KafkaSink<DeadLetter> dlq = KafkaEndpoints.deadLetterSink(conf);
 * }</pre>
 */
public final class KafkaEndpoints {
  private KafkaEndpoints() {}

  /**
   * The security properties every Kafka client of the job gets (see {@link
   * PipelineOptions#kafkaSecurity}): the user and where its password is, never the password.
   */
  public static Properties securityProperties(Configuration conf) {
    Properties p = new Properties();
    p.putAll(PipelineOptions.kafkaSecurity(conf).clientProperties());
    return p;
  }

  /**
   * A producing sink's settings: idempotent, {@code acks=all}, lz4, plus the security properties;
   * for {@code KafkaSinkBuilder.setKafkaProducerConfig}.
   */
  public static Properties producerProperties(Configuration conf) {
    Properties p = securityProperties(conf);
    p.putAll(Map.of("enable.idempotence", "true", "acks", "all", "compression.type", "lz4"));
    return p;
  }

  /**
   * An unbounded source of raw records from {@code topics}; committed offsets of the group win,
   * a new group starts per {@link PipelineOptions#START_FROM}. Offsets commit on checkpoints.
   */
  public static KafkaSource<RawRecord> source(
      Configuration conf, List<String> topics, String clientIdSuffix) {
    boolean latest = conf.get(PipelineOptions.START_FROM) == PipelineOptions.StartFrom.LATEST;
    OffsetResetStrategy reset = latest
        ? OffsetResetStrategy.LATEST
        : OffsetResetStrategy.EARLIEST;
    return KafkaSource.<RawRecord>builder()
        .setBootstrapServers(conf.get(PipelineOptions.BOOTSTRAP_SERVERS))
        .setGroupId(conf.get(PipelineOptions.GROUP_ID))
        .setClientIdPrefix(conf.get(PipelineOptions.GROUP_ID) + "-" + clientIdSuffix)
        .setTopics(topics)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(reset))
        .setDeserializer(new RawRecordDeserializer())
        .setProperties(securityProperties(conf))
        // new topics (a source added later) are picked up without a restart
        .setProperty("partition.discovery.interval.ms", "30000")
        .build();
  }

  /** At-least-once sink of dead letters to {@link PipelineOptions#DEAD_LETTER_TOPIC}. */
  public static KafkaSink<DeadLetter> deadLetterSink(Configuration conf) {
    return KafkaSink.<DeadLetter>builder()
        .setBootstrapServers(conf.get(PipelineOptions.BOOTSTRAP_SERVERS))
        .setRecordSerializer(
            new DeadLetterRecordSerializer(conf.get(PipelineOptions.DEAD_LETTER_TOPIC)))
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setKafkaProducerConfig(producerProperties(conf))
        .build();
  }
}
