package io.memfleet.pipeline.forensics;

import io.memfleet.event.OomSnapshot;
import io.memfleet.pipeline.PipelineExtension;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.PipelineStreams;
import io.memfleet.pipeline.clickhouse.ClickHouseOutputs;
import io.memfleet.pipeline.kafka.KafkaEndpoints;
import io.memfleet.pipeline.kafka.ProcessRecordSerializer;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * OOM forensics on the joined stream: {@link OomForensicsFunction} per victim → the OOM-snapshot
 * topic (Kafka, Avro) and ClickHouse's {@code oom_snapshots} table. Listed in
 * {@code META-INF/services/io.memfleet.pipeline.PipelineExtension}; settings in
 * {@link ForensicsOptions}.
 *
 * <pre>{@code
 * MemfleetJob.builder(conf)...extension(new ForensicsExtension(testSink)).build();
 * }</pre>
 */
public final class ForensicsExtension implements PipelineExtension {
  private final Sink<OomSnapshot> snapshotSink;
  private final Map<String, String> environment;

  /** Production: snapshots to Kafka (and ClickHouse when enabled), settings also from the env. */
  public ForensicsExtension() {
    this(null, System.getenv());
  }

  /** Snapshots to {@code snapshotSink} instead of Kafka. */
  public ForensicsExtension(Sink<OomSnapshot> snapshotSink) {
    this(snapshotSink, Map.of());
  }

  ForensicsExtension(Sink<OomSnapshot> snapshotSink, Map<String, String> environment) {
    this.snapshotSink = snapshotSink;
    this.environment = environment;
  }

  @Override
  public List<ConfigOption<?>> options() {
    return ForensicsOptions.all();
  }

  @Override
  public void attach(PipelineStreams streams) {
    Configuration conf = ForensicsOptions.resolve(streams.options(), environment);
    if (!conf.get(ForensicsOptions.ENABLED)) {
      return;
    }
    DataStream<OomSnapshot> snapshots = PipelineStreams
        .byProcess(streams.joined(), OomForensicsFunction::victim)
        .process(new OomForensicsFunction(conf.get(ForensicsOptions.WINDOW),
            conf.get(ForensicsOptions.SLACK), conf.get(ForensicsOptions.MAX_EVENTS),
            conf.get(ForensicsOptions.EXIT_GRACE), conf.get(ForensicsOptions.IDLE_TIMEOUT),
            conf.get(ForensicsOptions.ARM_AT)),
            TypeInformation.of(OomSnapshot.class))
        .name("oom-forensics").uid("forensics-oom");
    if (snapshotSink != null) {
      snapshots.sinkTo(snapshotSink).name("oom-snapshots-test-sink")
          .uid("forensics-test-sink");
      return;
    }
    snapshots.sinkTo(KafkaSink.<OomSnapshot>builder()
            .setBootstrapServers(conf.get(PipelineOptions.BOOTSTRAP_SERVERS))
            .setRecordSerializer(new ProcessRecordSerializer<OomSnapshot>(
                conf.get(ForensicsOptions.TOPIC), OomSnapshot::getProcess))
            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
            .setKafkaProducerConfig(
                KafkaEndpoints.producerProperties(conf))
            .build())
        .name("oom-snapshots-kafka").uid("forensics-kafka");
    ClickHouseOutputs.oomSnapshots(snapshots, conf);
  }
}
