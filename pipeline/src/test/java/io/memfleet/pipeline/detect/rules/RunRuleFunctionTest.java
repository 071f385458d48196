package io.memfleet.pipeline.detect.rules;

import static io.memfleet.pipeline.detect.Observations.MB;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Observations;
import io.memfleet.pipeline.detect.Rules;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RunRuleFunction} finds and judges the same runs as the Flink CEP pattern the run rules
 * were first written as ({@link CepRunPattern}: one or more consecutive, then one more, within,
 * skip to the next start): every run rule, with its shipped settings, is fed the same random
 * series through both, and the alerts must be equal, field for field and in order. The series
 * mix leaks, warm-ups, plateaus, sawtooth falls, observations the rule does not admit, gaps
 * longer than the rule's bound and growth from the process's start.
 */
class RunRuleFunctionTest {
  private static final int SERIES_PER_RULE = 60;

  static Stream<LeakRule> runRules() {
    return Rules.all(new Configuration()).stream().filter(r -> !(r instanceof TrailingRule));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runRules")
  void findsTheRunsCepFinds(LeakRule rule) throws Exception {
    Random random = new Random(rule.name().hashCode());
    int alerts = 0;
    for (int i = 0; i < SERIES_PER_RULE; i++) {
      List<Observation> series = series(rule, random);
      List<Alert> cep;
      try (RuleHarness h = RuleHarness.cep(rule)) {
        cep = h.feed(copies(series)).alerts();
      }
      List<Alert> keyed;
      try (RuleHarness h = new RuleHarness(rule)) {
        keyed = h.feed(copies(series)).alerts();
      }
      assertThat(keyed).as("%s, series %d of %d observations", rule.name(), i, series.size())
          .isEqualTo(cep);
      alerts += cep.size();
    }
    // the comparison means something only if the series raise alerts
    assertThat(alerts).as(rule.name() + ": alerts over all series").isPositive();
  }

  @Test
  void keepsNoMoreThanTheRunStillToBeJudged() throws Exception {
    LeakRule rule = rule(ThreadLeakRule.class);
    RunShape shape = rule.run();
    // a flat series for an hour: every new observation judges (and drops) the oldest start
    List<Observation> flat = new ArrayList<>();
    for (int t = 0; t <= 3600; t += 10) {
      flat.add(accepted(rule, t, 200));
    }
    try (RuleHarness h = new RuleHarness(rule)) {
      h.feed(flat);
      assertThat(h.alerts()).isEmpty();
      List<Observation> kept = h.runs(flat.get(0));
      long span = shape.minSpanNs() / Observations.S;
      assertThat(kept).hasSizeLessThanOrEqualTo((int) Math.max(shape.minPoints(), span / 10 + 1));
    }
  }

  private static LeakRule rule(Class<?> type) {
    return runRules().filter(type::isInstance).findFirst().orElseThrow();
  }

  /**
   * A random series of observations {@code rule} accepts, one every 10 s (jittered): stretches
   * that grow, level off, fall back or drop to a level the rule may not admit, now and then a
   * gap longer than the rule's bound.
   */
  private static List<Observation> series(LeakRule rule, Random random) {
    List<Observation> out = new ArrayList<>();
    double scale = scale(rule);
    double value = scale * (1 + random.nextInt(20));
    double rate = 0;
    double t = random.nextInt(3) * 60; // 0: growth from the process's start
    long withinS = rule.run().within().toSeconds();
    int n = 30 + random.nextInt(90);
    for (int i = 0; i < n; i++) {
      if (random.nextInt(12) == 0) {
        rate = switch (random.nextInt(4)) {
          case 0 -> 0;
          case 1 -> scale * (0.05 + random.nextDouble() * 0.5);
          case 2 -> scale * random.nextDouble() * 0.05;
          default -> -scale * random.nextDouble() * 0.2;
        };
      }
      if (random.nextInt(25) == 0) {
        value *= 0.5 + random.nextDouble() * 0.4; // a collection, a burst that drains
      }
      value = Math.max(0, value + rate * 10 + (random.nextDouble() - 0.5) * scale * 0.02);
      t += random.nextInt(60) == 0 ? withinS + random.nextInt(120) : 10 + random.nextInt(3);
      out.add(accepted(rule, t, value));
    }
    return out;
  }

  /** Size of one step of the rule's quantity: MiB, goroutines, threads, a GC share. */
  private static double scale(LeakRule rule) {
    return switch (rule.signal()) {
      case GOROUTINES -> 400;
      case THREADS -> 40;
      case GC_LOAD -> 0.2;
      default -> 4 * MB;
    };
  }

  /** An observation of the rule's signal and series at {@code seconds}, holding {@code value}. */
  private static Observation accepted(LeakRule rule, double seconds, double value) {
    Observation o = Observations.of(rule.signal(), seconds, value, Double.NaN);
    o.processStartTimeMs = Observations.T0_NS / 1_000_000L;
    switch (rule.signal()) {
      case GC_LOAD -> {
        o.value = Math.min(1, value);
        o.companion = 0.85 + (seconds % 7) / 40; // near the maximum, not always above 0.9
      }
      case NATIVE, POOL -> o.companion = 2048 * MB;
      default -> o.companion = 4096 * MB;
    }
    if (rule instanceof PoolGrowthRule p) {
      o.series = p.pool(o).name();
    } else if (rule instanceof OutstandingGrowthRule) {
      o.series = "malloc:4f2a"; // a malloc stack's outstanding bytes
    }
    assertThat(rule.accepts(o)).as(rule.name() + " accepts " + o).isTrue();
    return o;
  }

  private static List<Observation> copies(List<Observation> series) {
    return series.stream().map(Observation::copy).toList();
  }
}
