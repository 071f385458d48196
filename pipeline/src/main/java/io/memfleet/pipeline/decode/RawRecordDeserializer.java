package io.memfleet.pipeline.decode;

import io.memfleet.pipeline.model.RawRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka source deserializer that never fails: it keeps the bytes and the coordinates, and leaves
 * decoding to {@link DecodeFunction}, which can dead-letter a bad record instead of failing the
 * job.
 *
 * <pre>{@code
 * KafkaSource.<RawRecord>builder().setDeserializer(new RawRecordDeserializer())...
 * }</pre>
 */
public class RawRecordDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
    out.collect(RawRecord.of(record.topic(), record.partition(), record.offset(),
        record.timestamp(), record.key(), record.value()));
  }

  @Override
  public TypeInformation<RawRecord> getProducedType() {
    return TypeInformation.of(RawRecord.class);
  }
}
