package io.memfleet.pipeline.kafka;

import io.memfleet.event.DeadLetter;
import io.memfleet.schema.codec.EventCodec;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@link DeadLetter}s to the dead-letter topic: value in memfleet's single-object encoding,
 * key = the original record's key, so a process's rejects stay in order like its events.
 */
public class DeadLetterRecordSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private transient EventCodec codec;

  public DeadLetterRecordSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public void open(
      SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
    codec = EventCodec.fromClasspath();
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    if (codec == null) {
      codec = EventCodec.fromClasspath();
    }
    return new ProducerRecord<>(topic, null, timestamp, bytes(letter.getKey()),
        codec.encode(letter));
  }

  private static byte[] bytes(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
