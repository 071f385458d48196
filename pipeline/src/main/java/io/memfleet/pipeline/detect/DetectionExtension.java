package io.memfleet.pipeline.detect;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.PipelineExtension;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.PipelineStreams;
import io.memfleet.pipeline.clickhouse.ClickHouseOutputs;
import io.memfleet.pipeline.detect.alert.AlertManagerFunction;
import io.memfleet.pipeline.detect.rules.LeakRule;
import io.memfleet.pipeline.detect.rules.RunRuleFunction;
import io.memfleet.pipeline.detect.rules.SlowGrowthRule;
import io.memfleet.pipeline.detect.rules.TrailingRule;
import io.memfleet.pipeline.detect.rules.TrailingRuleFunction;
import io.memfleet.pipeline.kafka.KafkaEndpoints;
import io.memfleet.pipeline.kafka.ProcessRecordSerializer;
import io.memfleet.pipeline.model.ProcessScopedKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * Leak detection on the per-process stream: events → {@link ObservationFunction} → one keyed
 * function per rule ({@link Rules}: {@link RunRuleFunction} for the rules that judge runs,
 * {@link TrailingRuleFunction} for those that judge a trailing history) →
 * {@link AlertManagerFunction} → the alerts topic (Kafka, Avro) and ClickHouse's {@code alerts}
 * table.
 *
 * <pre>
 *  byProcess ─ observations ─ keyBy series ─┬─ runs: goroutine, thread, … ──┐
 *                 │                         ├─ trailing: live-set, oom, … ──┼─ keyBy process
 *                 └─ series, RSS, EXITED ───┴───────────────────────────────┘  alert manager
 *                                                                   ─► Kafka, ClickHouse
 * </pre>
 *
 * <p>Listed in {@code META-INF/services/io.memfleet.pipeline.PipelineExtension}; settings in
 * {@link DetectionOptions} (job configuration, then {@code MEMFLEET_DETECT_*}). Tests pass an
 * alert sink instead of Kafka:
 *
 * <pre>{@code
 * MemfleetJob.builder(conf)...extension(new DetectionExtension(testSink)).build();
 * }</pre>
 */
public final class DetectionExtension implements PipelineExtension {
  private final Sink<Alert> alertSink;
  private final Map<String, String> environment;

  /** Production: alerts to Kafka (and ClickHouse when enabled), settings also from the env. */
  public DetectionExtension() {
    this(null, System.getenv());
  }

  /** Alerts to {@code alertSink} instead of Kafka. */
  public DetectionExtension(Sink<Alert> alertSink) {
    this(alertSink, Map.of());
  }

  DetectionExtension(Sink<Alert> alertSink, Map<String, String> environment) {
    this.alertSink = alertSink;
    this.environment = environment;
  }

  @Override
  public List<ConfigOption<?>> options() {
    return DetectionOptions.all();
  }

  @Override
  public void attach(PipelineStreams streams) {
    Configuration conf = DetectionOptions.resolve(streams.options(), environment);
    if (!conf.get(DetectionOptions.ENABLED)) {
      return;
    }
    DataStream<Alert> alerts = alerts(streams, conf);
    if (alertSink != null) {
      alerts.sinkTo(alertSink).name("alerts-test-sink").uid("detect-alerts-test-sink");
      return;
    }
    alerts.sinkTo(kafkaSink(conf)).name("alerts-kafka").uid("detect-alerts-kafka");
    ClickHouseOutputs.alerts(alerts, conf);
  }

  /** Builds observations, rules and the alert manager; returns the alert stream. */
  public static DataStream<Alert> alerts(PipelineStreams streams, Configuration conf) {
    Duration idle = conf.get(DetectionOptions.IDLE_TIMEOUT);
    SingleOutputStreamOperator<Observation> observations = streams.byProcess()
        .process(new ObservationFunction(conf.get(DetectionOptions.BUCKET),
            conf.get(DetectionOptions.OOM_BUCKET),
            conf.get(DetectionOptions.MAX_SERIES_PER_PROCESS), idle))
        .name("detect-observations").uid("detect-observations");
    int evidenceMax = conf.get(DetectionOptions.EVIDENCE_MAX);
    DataStream<Alert> candidates = null;
    Map<String, Signal> ruleSignals = new HashMap<>();
    for (LeakRule rule : Rules.all(conf)) {
      ruleSignals.put(rule.name(), rule.signal());
      String id = rule instanceof SlowGrowthRule ? ((SlowGrowthRule) rule).id() : rule.name();
      KeyedStream<Observation, ProcessScopedKey> series = PipelineStreams.byProcessPart(
          observations.filter(rule::accepts).name("obs-" + id).uid("detect-obs-" + id),
          Observation::seriesKey);
      KeyedProcessFunction<ProcessScopedKey, Observation, Alert> judge =
          rule instanceof TrailingRule ? new TrailingRuleFunction(rule, evidenceMax, idle)
              : new RunRuleFunction(rule, evidenceMax, idle);
      DataStream<Alert> found = series.process(judge, TypeInformation.of(Alert.class))
          .name("rule-" + id).uid("detect-rule-" + id);
      candidates = candidates == null ? found : candidates.union(found);
    }
    // what keeps an alert alive or resolves it: its series, the resident set, the exit
    DataStream<Observation> lifecycle = observations.filter(o -> o.signal != Signal.GC_LOAD)
        .name("detect-lifecycle").uid("detect-lifecycle");
    // every stage from the observations on runs in the per-process join's tasks: the rules'
    // series and the alerts' processes are in the key groups of the processes they are about
    return PipelineStreams.byProcess(candidates, AlertManagerFunction::processId)
        .connect(PipelineStreams.byProcess(lifecycle, Observation::processId))
        .process(new AlertManagerFunction(conf.get(DetectionOptions.RESOLVE_AFTER), ruleSignals),
            TypeInformation.of(Alert.class))
        .name("alert-manager").uid("detect-alert-manager");
  }

  static KafkaSink<Alert> kafkaSink(Configuration conf) {
    return KafkaSink.<Alert>builder()
        .setBootstrapServers(conf.get(PipelineOptions.BOOTSTRAP_SERVERS))
        .setRecordSerializer(new ProcessRecordSerializer<Alert>(
            conf.get(DetectionOptions.ALERTS_TOPIC), Alert::getProcess))
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .setKafkaProducerConfig(KafkaEndpoints.producerProperties(conf))
        .build();
  }
}
