package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.detect.Observation;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The CEP form's match handler: judges each matched run as {@link RunRuleFunction} does,
 * including where the series stood before its falls — found here by walking every observation
 * fed so far ({@code fed}, filled by the harness), the plain definition {@link EarlierPeaks}
 * keeps incrementally: the value before each fall between two neighbouring admitted
 * observations less than {@code within} apart, the highest of those less than {@code within}
 * before the run's newest.
 */
final class CepRuleMatchFunction extends PatternProcessFunction<Observation, Alert> {
  private static final long serialVersionUID = 1L;
  private final LeakRule rule;
  private final int evidenceMax;
  private final List<Observation> fed;

  CepRuleMatchFunction(LeakRule rule, int evidenceMax, List<Observation> fed) {
    this.rule = rule;
    this.evidenceMax = evidenceMax;
    this.fed = fed;
  }

  @Override
  public void processMatch(Map<String, List<Observation>> match, Context ctx,
      Collector<Alert> out) {
    List<Observation> run = CepRunPattern.flatten(match);
    double peak = earlierPeak(run.get(run.size() - 1));
    Finding finding = Double.isNaN(peak) || rule.climbsPast(run, peak) ? rule.assess(run) : null;
    if (finding != null) {
      out.collect(AlertCandidates.toAlert(rule, finding, run, evidenceMax));
    }
  }

  private double earlierPeak(Observation newest) {
    RunShape shape = rule.run();
    long withinMs = shape.within().toMillis();
    long nowMs = newest.utcNs / 1_000_000L;
    double highest = Double.NaN;
    for (int i = 0; i + 1 < fed.size() && fed.get(i + 1).utcNs <= newest.utcNs; i++) {
      Observation p = fed.get(i);
      Observation next = fed.get(i + 1);
      long pMs = p.utcNs / 1_000_000L;
      boolean fall = rule.admits(p) && rule.admits(next)
          && next.utcNs / 1_000_000L - pMs < withinMs && shape.falls(p.value, next.value);
      if (fall && nowMs - pMs < withinMs && !(p.value <= highest)) {
        highest = p.value;
      }
    }
    return highest;
  }
}
