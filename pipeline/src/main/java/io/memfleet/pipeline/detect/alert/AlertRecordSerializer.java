package io.memfleet.pipeline.detect.alert;

import io.memfleet.event.Alert;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@link Alert}s to the alerts topic: value in memfleet's single-object encoding, key =
 * the process ({@link Topics#key}), so the FIRING/UPDATED/RESOLVED messages of a process stay in
 * order.
 */
public class AlertRecordSerializer implements KafkaRecordSerializationSchema<Alert> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private transient EventCodec codec;

  public AlertRecordSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sink) {
    codec = EventCodec.fromClasspath();
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(Alert alert, KafkaSinkContext context,
      Long timestamp) {
    if (codec == null) {
      codec = EventCodec.fromClasspath();
    }
    return new ProducerRecord<>(topic, null, timestamp, Topics.key(alert.getProcess()),
        codec.encode(alert));
  }
}
