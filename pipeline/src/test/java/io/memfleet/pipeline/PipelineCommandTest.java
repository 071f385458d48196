package io.memfleet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.graph.StreamingJobGraphGenerator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PipelineCommandTest {

  @Test
  void flagsOverrideTheEnvironmentAndDashDOverridesFlags() {
    PipelineCommand command = new PipelineCommand();
    new CommandLine(command).parseArgs("--bootstrap-servers", "b:1", "--out-of-orderness", "3s",
        "-D", "memfleet.time.out-of-orderness=4s", "--parallelism", "1");
    Configuration conf = command.options(Map.of(
        "MEMFLEET_KAFKA_BOOTSTRAP_SERVERS", "env:1", "MEMFLEET_TIME_IDLENESS", "7s"));
    assertThat(conf.get(PipelineOptions.BOOTSTRAP_SERVERS)).isEqualTo("b:1");
    assertThat(conf.get(PipelineOptions.IDLENESS)).isEqualTo(Duration.ofSeconds(7));
    assertThat(conf.get(PipelineOptions.OUT_OF_ORDERNESS)).isEqualTo(Duration.ofSeconds(4));
    assertThat(conf.get(PipelineOptions.PARALLELISM)).isEqualTo(1);
  }

  @Test
  void speaksTheCollectorsVocabularyToo() {
    PipelineCommand command = new PipelineCommand();
    new CommandLine(command).parseArgs();
    // one environment for every memfleet command: the collectors' and up's variables
    Configuration conf = command.options(Map.of("MEMFLEET_KAFKA_BOOTSTRAP", "shared:9092",
        "MEMFLEET_WEB_UI_PORT", "18999"));
    assertThat(conf.get(PipelineOptions.BOOTSTRAP_SERVERS)).isEqualTo("shared:9092");
    assertThat(conf.get(PipelineOptions.WEB_UI_PORT)).isEqualTo(18999);
    // the option's own variable wins over the shared one
    conf = command.options(Map.of("MEMFLEET_KAFKA_BOOTSTRAP", "shared:9092",
        "MEMFLEET_KAFKA_BOOTSTRAP_SERVERS", "own:9092"));
    assertThat(conf.get(PipelineOptions.BOOTSTRAP_SERVERS)).isEqualTo("own:9092");
    new CommandLine(command).parseArgs("--kafka-bootstrap", "flag:9092");
    assertThat(command.options(Map.of()).get(PipelineOptions.BOOTSTRAP_SERVERS))
        .isEqualTo("flag:9092");
  }

  @Test
  void planPrintsTheJobGraphWithoutRunning() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new PipelineCommand());
    cli.setOut(new PrintWriter(out));
    int exit = cli.execute("--plan", "--bootstrap-servers", "127.0.0.1:1");
    assertThat(exit).isZero();
    assertThat(out.toString()).contains("decode", "align-clocks", "event-time",
        "join-per-process", "dead-letters", "kafka-events", "kafka-clock");
  }

  /**
   * Every event is shuffled by process once, into the join; every stage after it (aggregate
   * windows, allocation windows, observations, rules, the alert manager, OOM forensics) takes its
   * input forward in the same tasks. The only other shuffle is by host, into clock alignment.
   */
  @Test
  void thePlanShufflesEventsByProcessOnceIntoTheJoin() throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new PipelineCommand());
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("--plan", "--bootstrap-servers", "127.0.0.1:1")).isZero();
    JsonNode plan = new ObjectMapper().readTree(out.toString());
    Map<String, List<String>> inputs = new LinkedHashMap<>();
    for (JsonNode node : plan.get("nodes")) {
      List<String> ships = new ArrayList<>();
      node.path("predecessors").forEach(p -> ships.add(p.get("ship_strategy").asText()));
      inputs.put(node.get("contents").asText(), ships);
    }
    assertThat(inputs.get("join-per-process")).containsExactly("HASH");
    assertThat(inputs.get("detect-observations")).containsExactly("FORWARD");
    assertThat(inputs.entrySet()).filteredOn(e -> e.getValue().contains("HASH"))
        .extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder("align-clocks", "join-per-process");
    assertThat(inputs.get("align-clocks")).containsExactly("HASH", "HASH");
    assertThat(inputs.get("oom-forensics")).containsExactly("FORWARD");
    assertThat(inputs.get("alert-manager")).isNotEmpty().containsOnly("FORWARD");
    assertThat(inputs.entrySet()).filteredOn(e -> e.getKey().contains("ProcessWindow"))
        .hasSize(2).allSatisfy(e -> assertThat(e.getValue()).containsOnly("FORWARD"));
  }

  /** No record or state type falls back to Kryo: the job is built with generic types off. */
  @Test
  void theJobIsBuiltWithGenericTypesOff() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
    Configuration options =
        new PipelineCommand().options(Map.of("MEMFLEET_BOOTSTRAP_SERVERS", "127.0.0.1:1"));
    PipelineCommand.attachJob(env, options);
    assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
  }

  /**
   * What crosses between tasks is written by a serializer of memfleet's own or Avro's: no
   * reflective POJO serializer, no Kryo, on any edge of the whole job that is not chained.
   */
  @Test
  void nothingCrossesBetweenTasksAsAReflectivePojo() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
    Configuration options =
        new PipelineCommand().options(Map.of("MEMFLEET_BOOTSTRAP_SERVERS", "127.0.0.1:1"));
    PipelineCommand.attachJob(env, options);
    StreamGraph graph = env.getStreamGraph(false);
    Map<String, String> serializers = new LinkedHashMap<>();
    for (StreamNode node : graph.getStreamNodes()) {
      for (StreamEdge edge : node.getInEdges()) {
        if (StreamingJobGraphGenerator.isChainable(edge, graph)) {
          continue;
        }
        StreamNode from = graph.getStreamNode(edge.getSourceId());
        TypeSerializer<?> serializer = edge.getOutputTag() != null
            ? edge.getOutputTag().getTypeInfo().createSerializer(env.getConfig()
                .getSerializerConfig())
            : from.getTypeSerializerOut();
        serializers.put(from.getOperatorName() + " -> " + node.getOperatorName(),
            serializer.getClass().getName());
      }
    }
    assertThat(serializers).as("the edges between tasks").isNotEmpty()
        .containsKey("decode -> align-clocks");
    assertThat(serializers.entrySet()).allSatisfy(e -> assertThat(e.getValue()).as(e.getKey())
        .doesNotContain("PojoSerializer").doesNotContain("Kryo"));
  }
}
