package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;

/**
 * A rule's {@link RunShape} as the Flink CEP pattern it was first written as, kept to check
 * {@link RunRuleFunction} against (RunRuleFunctionTest): a consecutive run of admitted
 * observations, each not below the previous by more than a tolerance, that ends as soon as it
 * holds enough points over enough event time, all within a bound.
 *
 * <pre>
 *   begin("run")  admitted ∧ not falling   oneOrMore, consecutive
 *   next("last")  admitted ∧ not falling ∧ |run| + 1 ≥ minPoints ∧ t − t(first) ≥ minSpan
 *   within(bound), skip to the next start after a match
 * </pre>
 *
 * <p>Consecutive: one falling (or not admitted) observation breaks the run — a sawtooth that
 * returns to its baseline, a goroutine burst that drains. Skip-to-next: the runs are sliding
 * windows, one starting at each observation, so a run the rule rejects (a warm-up still in it)
 * does not hide the run that starts one bucket later; an ongoing leak matches at every new
 * observation, which the alert manager turns into at most one update a minute.
 */
final class CepRunPattern {
  static final String RUN = "run";
  static final String LAST = "last";

  private CepRunPattern() {}

  /** The pattern of {@code rule}'s run shape; tolerance NaN disables the not-falling check. */
  static Pattern<Observation, Observation> of(LeakRule rule) {
    RunShape s = rule.run();
    return Pattern.<Observation>begin(RUN, AfterMatchSkipStrategy.skipToNext())
        .where(new Step(rule, s.tolerance(), 0, 0)).oneOrMore().consecutive()
        .next(LAST).where(new Step(rule, s.tolerance(), s.minPoints() - 1, s.minSpanNs()))
        .within(s.within());
  }

  /** The matched run, oldest first: the {@code run} events and the {@code last} one. */
  static List<Observation> flatten(java.util.Map<String, List<Observation>> match) {
    List<Observation> run = new ArrayList<>(match.getOrDefault(RUN, List.of()));
    run.addAll(match.getOrDefault(LAST, List.of()));
    return run;
  }

  /** Admission, not-falling and (for the last step) length and span. */
  static final class Step extends IterativeCondition<Observation> {
    private static final long serialVersionUID = 1L;
    private final LeakRule rule;
    private final double tolerance;
    private final int minBefore;
    private final long minSpanNs;

    Step(LeakRule rule, double tolerance, int minBefore, long minSpanNs) {
      this.rule = rule;
      this.tolerance = tolerance;
      this.minBefore = minBefore;
      this.minSpanNs = minSpanNs;
    }

    @Override
    public boolean filter(Observation o, Context<Observation> ctx) throws Exception {
      if (!rule.admits(o)) {
        return false;
      }
      boolean last = minBefore > 0 || minSpanNs > 0;
      if (Double.isNaN(tolerance) && !last) {
        return true;
      }
      Observation first = null;
      Observation previous = null;
      int n = 0;
      for (Observation p : ctx.getEventsForPattern(RUN)) {
        if (first == null) {
          first = p;
        }
        previous = p;
        n++;
      }
      if (previous != null && !Double.isNaN(tolerance)
          && o.value < previous.value - tolerance * Math.abs(previous.value)) {
        return false;
      }
      if (!last) {
        return true;
      }
      return first != null && n >= minBefore && o.utcNs - first.utcNs >= minSpanNs;
    }
  }
}
