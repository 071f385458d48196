package io.memfleet.pipeline.kafka;

import io.memfleet.event.ProcessIdentity;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import java.io.Serializable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes one kind of pipeline output (alerts, OOM snapshots) to its topic: the value in
 * memfleet's single-object encoding, the key the process it is about ({@link Topics#key}), so the
 * messages of one process stay in order (an alert's FIRING/UPDATED/RESOLVED).
 *
 * <pre>{@code
 * new ProcessRecordSerializer<Alert>(topic, Alert::getProcess)
 * }</pre>
 */
public class ProcessRecordSerializer<T extends SpecificRecord>
    implements KafkaRecordSerializationSchema<T> {
  private static final long serialVersionUID = 1L;

  /** The process a record is about; serializable, as the sink ships it to its tasks. */
  @FunctionalInterface
  public interface ProcessOf<T> extends Serializable {
    ProcessIdentity of(T record);
  }

  private final String topic;
  private final ProcessOf<T> process;
  private transient EventCodec codec;

  public ProcessRecordSerializer(String topic, ProcessOf<T> process) {
    this.topic = topic;
    this.process = process;
  }

  @Override
  public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sink) {
    codec = EventCodec.fromClasspath();
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context,
      Long timestamp) {
    if (codec == null) {
      codec = EventCodec.fromClasspath();
    }
    return new ProducerRecord<>(topic, null, timestamp, Topics.key(process.of(record)),
        codec.encode(record));
  }
}
