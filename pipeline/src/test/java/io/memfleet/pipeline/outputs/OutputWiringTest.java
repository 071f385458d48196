package io.memfleet.pipeline.outputs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.clickhouse.ClickHouseOptions;
import io.memfleet.pipeline.clickhouse.PartitionTime;
import io.memfleet.pipeline.clickhouse.RowEncoder;
import io.memfleet.pipeline.clickhouse.TableSinks;
import io.memfleet.pipeline.detect.DetectionExtension;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Which sinks the one wiring attaches: production's topic and table, a test's sink for one
 * output, a benchmark's sinks for all; read from the job graph it builds.
 */
class OutputWiringTest {
  private static final Output<String> WINDOWS = Output.table("windows", s -> s, null);

  private final StreamExecutionEnvironment env =
      StreamExecutionEnvironment.getExecutionEnvironment();

  private List<Emitted<?>> emitted() {
    DataStream<Alert> alerts = env.fromData(List.of(), TypeInformation.of(Alert.class));
    DataStream<String> windows = env.fromData("w");
    return List.of(new Emitted<>(DetectionExtension.ALERTS, alerts, "memfleet.alerts"),
        new Emitted<>(WINDOWS, windows, null));
  }

  private List<String> sinkNames() {
    return env.getStreamGraph(false).getStreamNodes().stream().map(StreamNode::getOperatorName)
        .map(n -> n.replaceAll(": (Writer|Committer)$", "").replaceFirst("^Sink: ", ""))
        .filter(n -> n.endsWith("-sink") || n.endsWith("-kafka")).distinct().sorted().toList();
  }

  @Test
  void productionWritesTheTopicAndTheTables() {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.BOOTSTRAP_SERVERS, "127.0.0.1:1");
    new OutputWiring(conf, Map.of(), null).wire(emitted());
    assertThat(sinkNames()).containsExactly("alerts-kafka", "alerts-sink", "windows-sink");
  }

  @Test
  void withoutClickHouseOnlyTheTopics() {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.BOOTSTRAP_SERVERS, "127.0.0.1:1");
    conf.set(ClickHouseOptions.ENABLED, false);
    new OutputWiring(conf, Map.of(), null).wire(emitted());
    assertThat(sinkNames()).containsExactly("alerts-kafka");
  }

  @Test
  void aSinkGivenForAnOutputReplacesItsTopicAndTable() {
    Configuration conf = new Configuration();
    conf.set(ClickHouseOptions.ENABLED, false);
    Map<String, Sink<?>> given = Map.of("alerts", new DiscardingSink<Alert>());
    new OutputWiring(conf, given, null).wire(emitted());
    assertThat(sinkNames()).containsExactly("alerts-sink");
  }

  @Test
  void sinksGivenForEveryOutputReplaceProductions() {
    TableSinks counting = new TableSinks() {
      @Override
      public <T> Sink<T> sink(String table, RowEncoder<T> encoder,
          PartitionTime<T> partitionTime) {
        return new DiscardingSink<>();
      }
    };
    new OutputWiring(new Configuration(), Map.of(), counting).wire(emitted());
    assertThat(sinkNames()).containsExactly("alerts-sink", "windows-sink");
  }

  @Test
  void anOutputNeedsANameAndARow() {
    assertThatThrownBy(() -> Output.table(" ", s -> "", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Output.table("t", null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
