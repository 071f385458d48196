package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.model.ProcessScopedKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * A rule's real operator on the operator test harness — its {@link RunRuleFunction}, or a
 * {@link TrailingRuleFunction} for trailing rules, keyed by series (or, for a run rule, the CEP
 * operator of its pattern in event time, {@link #cep}: the reference the run function is checked
 * against): feed observations, each followed by a watermark at its time, read the alerts.
 */
final class RuleHarness implements AutoCloseable {
  final KeyedOneInputStreamOperatorTestHarness<ProcessScopedKey, Observation, Alert> h;
  /** Every observation fed, in order (what the CEP form's match handler walks). */
  private final List<Observation> fed;

  RuleHarness(LeakRule rule) throws Exception {
    this(new KeyedProcessOperator<>(rule instanceof TrailingRule
        ? new TrailingRuleFunction(rule, 24, java.time.Duration.ofMinutes(10))
        : new RunRuleFunction(rule, 24, java.time.Duration.ofMinutes(10))), new ArrayList<>());
  }

  private RuleHarness(
      org.apache.flink.streaming.api.operators.OneInputStreamOperator<Observation, Alert> op,
      List<Observation> fed) throws Exception {
    this.fed = fed;
    h = new KeyedOneInputStreamOperatorTestHarness<>(op, Observation::seriesKey,
        TypeInformation.of(ProcessScopedKey.class));
    h.open();
  }

  /** The rule's runs found by Flink CEP ({@link CepRunPattern}) instead. */
  static RuleHarness cep(LeakRule rule) throws Exception {
    Pattern<Observation, ?> pattern = CepRunPattern.of(rule);
    List<Observation> fed = new ArrayList<>();
    return new RuleHarness(new CepOperator<>(
        TypeInformation.of(Observation.class).createSerializer(new SerializerConfigImpl()),
        false, NFACompiler.compileFactory(pattern, false), null,
        pattern.getAfterMatchSkipStrategy(), new CepRuleMatchFunction(rule, 24, fed), null), fed);
  }

  /** Feeds the observations in order, advancing the watermark to each one's time. */
  RuleHarness feed(List<Observation> observations) throws Exception {
    for (Observation o : observations) {
      fed.add(o.copy());
      long ms = o.utcNs / 1_000_000L;
      h.processElement(new StreamRecord<>(o, ms));
      h.processWatermark(new Watermark(ms));
    }
    return this;
  }

  /** What a {@link RunRuleFunction} keeps for the series of {@code o} (null when nothing). */
  List<Observation> runs(Observation o) throws Exception {
    var op = (org.apache.flink.streaming.api.operators.AbstractStreamOperator<?>) h.getOperator();
    op.setCurrentKey(o.seriesKey());
    return op.getKeyedStateStore().getState(new org.apache.flink.api.common.state
        .ValueStateDescriptor<>("runs", org.apache.flink.api.common.typeinfo.Types.LIST(
            TypeInformation.of(Observation.class)))).value();
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
