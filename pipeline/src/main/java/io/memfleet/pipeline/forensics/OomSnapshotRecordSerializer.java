package io.memfleet.pipeline.forensics;

import io.memfleet.event.OomSnapshot;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@link OomSnapshot}s to the OOM-snapshot topic: single-object encoded value, key = the
 * victim process ({@link Topics#key}).
 */
public class OomSnapshotRecordSerializer implements KafkaRecordSerializationSchema<OomSnapshot> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private transient EventCodec codec;

  public OomSnapshotRecordSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sink) {
    codec = EventCodec.fromClasspath();
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(OomSnapshot snapshot, KafkaSinkContext context,
      Long timestamp) {
    if (codec == null) {
      codec = EventCodec.fromClasspath();
    }
    return new ProducerRecord<>(topic, null, timestamp, Topics.key(snapshot.getProcess()),
        codec.encode(snapshot));
  }
}
