package io.memfleet.pipeline.detect;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.PipelineExtension;
import io.memfleet.pipeline.PipelineStreams;
import io.memfleet.pipeline.clickhouse.Rows;
import io.memfleet.pipeline.detect.alert.AlertManagerFunction;
import io.memfleet.pipeline.detect.rules.LeakRule;
import io.memfleet.pipeline.detect.rules.RunRuleFunction;
import io.memfleet.pipeline.detect.rules.SlowGrowthRule;
import io.memfleet.pipeline.detect.rules.TrailingRule;
import io.memfleet.pipeline.detect.rules.TrailingRuleFunction;
import io.memfleet.pipeline.model.ProcessScopedKey;
import io.memfleet.pipeline.outputs.Output;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

/**
 * Leak detection on the per-process stream: events → {@link ObservationFunction} → one keyed
 * function per rule ({@link Rules}: {@link RunRuleFunction} for the rules that judge runs,
 * {@link TrailingRuleFunction} for those that judge a trailing history) →
 * {@link AlertManagerFunction} → output {@link #ALERTS} (in production the alerts topic, Kafka
 * Avro, and ClickHouse's {@code alerts} table).
 *
 * <pre>
 *  byProcess ─ observations ─ keyBy series ─┬─ runs: goroutine, thread, … ──┐
 *                 │                         ├─ trailing: live-set, oom, … ──┼─ keyBy process
 *                 └─ series, RSS, EXITED ───┴───────────────────────────────┘  alert manager
 *                                                                   ─► ALERTS
 * </pre>
 *
 * <p>Listed in {@code META-INF/services/io.memfleet.pipeline.PipelineExtension}; settings in
 * {@link DetectionOptions} (job configuration, then {@code MEMFLEET_DETECT_*}). Tests give the
 * alerts a sink of their own:
 *
 * <pre>{@code
 * MemfleetJob.builder(conf)...extension(new DetectionExtension(Map.of()))
 *     .sink(DetectionExtension.ALERTS, testSink).build();
 * }</pre>
 */
public final class DetectionExtension implements PipelineExtension {
  /** Every alert as the alert manager emits it (FIRING, UPDATED, RESOLVED). */
  public static final Output<Alert> ALERTS =
      Output.topicAndTable("alerts", Rows::alert, null, Alert::getProcess);

  private final Map<String, String> environment;

  /** Production: settings from the job's options, then the environment's variables. */
  public DetectionExtension() {
    this(System.getenv());
  }

  /** Settings from the job's options, then {@code environment}'s variables. */
  public DetectionExtension(Map<String, String> environment) {
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
    streams.emit(ALERTS, alerts(streams, conf), conf.get(DetectionOptions.ALERTS_TOPIC));
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

}
