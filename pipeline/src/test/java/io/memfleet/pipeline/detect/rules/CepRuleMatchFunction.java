package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.detect.Observation;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

/** The CEP form's match handler: judges each matched run as {@link RunRuleFunction} does. */
final class CepRuleMatchFunction extends PatternProcessFunction<Observation, Alert> {
  private static final long serialVersionUID = 1L;
  private final LeakRule rule;
  private final int evidenceMax;

  CepRuleMatchFunction(LeakRule rule, int evidenceMax) {
    this.rule = rule;
    this.evidenceMax = evidenceMax;
  }

  @Override
  public void processMatch(Map<String, List<Observation>> match, Context ctx,
      Collector<Alert> out) {
    List<Observation> run = CepRunPattern.flatten(match);
    Finding finding = rule.assess(run);
    if (finding != null) {
      out.collect(AlertCandidates.toAlert(rule, finding, run, evidenceMax));
    }
  }
}
