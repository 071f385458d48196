package io.memfleet.pipeline.outputs;

import io.memfleet.pipeline.clickhouse.PartitionTime;
import io.memfleet.pipeline.clickhouse.RowEncoder;
import io.memfleet.pipeline.kafka.ProcessRecordSerializer;
import java.io.Serializable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

/**
 * One of the pipeline's outputs: a stream a stage hands to the world outside, by name. A stage
 * declares its outputs as constants and hands the streams to {@link
 * io.memfleet.pipeline.PipelineStreams#emit}; where they go is decided in one place,
 * {@link OutputWiring}: in production a ClickHouse table of the output's name (rows made by
 * {@link #encoder}) and, for the outputs other systems read, a Kafka topic; in a test or a
 * benchmark, whatever sink it passes.
 *
 * <pre>{@code
 * public static final Output<Alert> ALERTS =
 *     Output.topicAndTable("alerts", Rows::alert, null, Alert::getProcess);
 * streams.emit(ALERTS, alerts, conf.get(DetectionOptions.ALERTS_TOPIC));
 * }</pre>
 *
 * @param name the output's name, and its ClickHouse table
 * @param encoder the table's row of one record
 * @param partitionTime the time of the column the table is partitioned by; null: none
 * @param topicRecords the Kafka records of a topic, for an output that can go to one; null: none
 */
public record Output<T>(String name, RowEncoder<T> encoder, PartitionTime<T> partitionTime,
    TopicRecords<T> topicRecords) {
  /** How records of an output become the records of one Kafka topic. */
  @FunctionalInterface
  public interface TopicRecords<T> extends Serializable {
    KafkaRecordSerializationSchema<T> of(String topic);
  }

  public Output {
    if (name == null || name.isBlank() || encoder == null) {
      throw new IllegalArgumentException("an output needs a name and a row encoder");
    }
  }

  /** An output kept in the ClickHouse table {@code name}. */
  public static <T> Output<T> table(String name, RowEncoder<T> encoder,
      PartitionTime<T> partitionTime) {
    return new Output<>(name, encoder, partitionTime, null);
  }

  /**
   * An output kept in the ClickHouse table {@code name} and published to a Kafka topic as Avro,
   * keyed by the process it is about (so one process's records stay in order).
   */
  public static <T extends SpecificRecord> Output<T> topicAndTable(String name,
      RowEncoder<T> encoder, PartitionTime<T> partitionTime,
      ProcessRecordSerializer.ProcessOf<T> process) {
    return new Output<>(name, encoder, partitionTime,
        topic -> new ProcessRecordSerializer<>(topic, process));
  }
}
