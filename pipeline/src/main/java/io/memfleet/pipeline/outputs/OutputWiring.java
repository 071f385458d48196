package io.memfleet.pipeline.outputs;

import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.clickhouse.ClickHouseOptions;
import io.memfleet.pipeline.clickhouse.TableSinks;
import io.memfleet.pipeline.kafka.KafkaEndpoints;
import java.util.Collection;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * Attaches the sinks of every emitted output, the one place that does ({@link
 * io.memfleet.pipeline.MemfleetJob} calls it once its stages are built). For each output, the
 * first of:
 * <ol>
 *   <li>the sink given for that output by name ({@code MemfleetJob.Builder#sink}): a test's;
 *   <li>the sinks given for every output ({@code MemfleetJob.Builder#outputSinks}): a
 *       benchmark's, e.g. rows encoded as production encodes them and counted;
 *   <li>production: its Kafka topic, if it has one (at least once, Avro, keyed by process), and
 *       its ClickHouse table unless ClickHouse is switched off
 *       ({@link ClickHouseOptions#ENABLED}).
 * </ol>
 * Sinks are named and given uids after the output: {@code NAME-sink} (table or given sink),
 * {@code NAME-kafka}.
 */
public final class OutputWiring {
  private final Configuration conf;
  private final Map<String, Sink<?>> byName;
  private final TableSinks all;

  /**
   * @param byName sinks that replace an output's production sinks, by output name
   * @param all sinks that replace every other output's production sinks; null: production
   */
  public OutputWiring(Configuration conf, Map<String, Sink<?>> byName, TableSinks all) {
    this.conf = conf;
    this.byName = Map.copyOf(byName);
    this.all = all;
  }

  /** Attaches the sinks of {@code emitted}. */
  public void wire(Collection<Emitted<?>> emitted) {
    TableSinks clickHouse = null;
    for (Emitted<?> e : emitted) {
      if (byName.containsKey(e.output().name()) || all != null) {
        given(e);
        continue;
      }
      if (e.topic() != null && e.output().topicRecords() != null) {
        kafka(e);
      }
      if (conf.get(ClickHouseOptions.ENABLED)) {
        if (clickHouse == null) {
          clickHouse = TableSinks.clickHouse(ClickHouseOptions.sinkOptions(conf));
        }
        table(e, clickHouse);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private <T> void given(Emitted<T> e) {
    String name = e.output().name();
    Sink<T> sink = byName.containsKey(name) ? (Sink<T>) byName.get(name) : null;
    if (sink == null) {
      table(e, all);
      return;
    }
    e.stream().sinkTo(sink).name(name + "-sink").uid(name + "-sink");
  }

  private static <T> void table(Emitted<T> e, TableSinks sinks) {
    Output<T> o = e.output();
    e.stream().sinkTo(sinks.sink(o.name(), o.encoder(), o.partitionTime()))
        .name(o.name() + "-sink").uid(o.name() + "-sink");
  }

  private <T> void kafka(Emitted<T> e) {
    Output<T> o = e.output();
    e.stream().sinkTo(KafkaSink.<T>builder()
            .setBootstrapServers(conf.get(PipelineOptions.BOOTSTRAP_SERVERS))
            .setRecordSerializer(o.topicRecords().of(e.topic()))
            .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
            .setKafkaProducerConfig(KafkaEndpoints.producerProperties(conf))
            .build())
        .name(o.name() + "-kafka").uid(o.name() + "-kafka");
  }
}
