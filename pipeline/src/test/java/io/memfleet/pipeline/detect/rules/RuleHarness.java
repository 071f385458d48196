package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.model.ProcessScopedKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * A rule's real operator on the operator test harness — its CEP operator ({@link CepOperator} in
 * event time, keyed by series), or a {@link TrailingRuleFunction} for trailing rules: feed
 * observations, each followed by a watermark at its time, read the alerts.
 */
final class RuleHarness implements AutoCloseable {
  final KeyedOneInputStreamOperatorTestHarness<ProcessScopedKey, Observation, Alert> h;

  RuleHarness(LeakRule rule) throws Exception {
    if (rule instanceof TrailingRule) {
      h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(
          new TrailingRuleFunction(rule, 24, java.time.Duration.ofMinutes(10))),
          Observation::seriesKey, TypeInformation.of(ProcessScopedKey.class));
      h.open();
      return;
    }
    Pattern<Observation, ?> pattern = rule.pattern();
    CepOperator<Observation, ProcessScopedKey, Alert> op = new CepOperator<>(
        TypeInformation.of(Observation.class).createSerializer(new SerializerConfigImpl()),
        false, NFACompiler.compileFactory(pattern, false), null,
        pattern.getAfterMatchSkipStrategy(), new RuleMatchFunction(rule, 24), null);
    h = new KeyedOneInputStreamOperatorTestHarness<>(op, Observation::seriesKey, TypeInformation.of(ProcessScopedKey.class));
    h.open();
  }

  /** Feeds the observations in order, advancing the watermark to each one's time. */
  RuleHarness feed(List<Observation> observations) throws Exception {
    for (Observation o : observations) {
      long ms = o.utcNs / 1_000_000L;
      h.processElement(new StreamRecord<>(o, ms));
      h.processWatermark(new Watermark(ms));
    }
    return this;
  }

  void watermark(long ms) throws Exception {
    h.processWatermark(new Watermark(ms));
  }

  List<Alert> alerts() {
    List<Alert> out = new ArrayList<>();
    for (Object r : h.getOutput()) {
      if (r instanceof StreamRecord) {
        out.add((Alert) ((StreamRecord<?>) r).getValue());
      }
    }
    return out;
  }

  @Override
  public void close() throws Exception {
    h.close();
  }
}
