package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.MemoryPool;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.io.Serializable;
import java.util.List;

/**
 * A named detection rule: which {@link Signal} it reads, the runs of observations it judges
 * ({@link RunShape}, always bounded by {@code within}, so a run's observations are dropped once
 * event time passes the bound) or a trailing history ({@link TrailingRule}), and the final
 * judgement — a robust trend check that turns a run into a {@link Finding}, or rejects it.
 *
 * <pre>{@code
 * LeakRule rule = Rules.all(conf).get(0);
 * observations.filter(rule::accepts).keyBy(Observation::seriesKey)
 *     .process(new RunRuleFunction(rule, 24, Duration.ofMinutes(10)));
 * }</pre>
 */
public abstract class LeakRule implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The rule name carried by alerts, e.g. {@code "goroutine-leak"}. */
  public abstract String name();

  public abstract Signal signal();

  /** Whether the rule reads this observation at all: its signal (and series, for pools). */
  public boolean accepts(Observation o) {
    return o.signal == signal();
  }

  /** The memory pool the rule's growth is in, named on its alerts; null when not one pool. */
  public MemoryPool pool(Observation o) {
    return signal().pool();
  }

  /** The pool for a matched run (oldest first): by default that of its last observation. */
  public MemoryPool pool(List<Observation> run) {
    return pool(run.get(run.size() - 1));
  }

  /**
   * Whether the code its observations carry (a stack, a class) is the culprit of growth in
   * {@code pool}: true by default, the carried code being that of the rule's own pool.
   */
  public boolean namesCodeOf(MemoryPool pool) {
    return true;
  }

  /**
   * The runs of one series' observations this rule judges ({@link RunRuleFunction}); a rule
   * judged on its trailing history ({@link TrailingRule}) has none.
   */
  public RunShape run() {
    throw new UnsupportedOperationException(name() + " is judged on a trailing window, not on"
        + " runs");
  }

  /** Whether an observation may be part of a run at all (e.g. above a threshold). */
  public boolean admits(Observation o) {
    return true;
  }

  /**
   * Whether a run (oldest first) climbs far enough past {@code earlierPeak}, the highest value
   * its series held before its newest fall within the run bound ({@link RunRuleFunction} asks
   * only when there is one): true by default.
   */
  public boolean climbsPast(List<Observation> run, double earlierPeak) {
    return true;
  }

  /** The finding for a matched run (oldest first), or null when the final check rejects it. */
  public abstract Finding assess(List<Observation> run);

  /** What the evidence values are, e.g. {@code "GcCycle.liveBytes"}. */
  public abstract String evidenceKind(Observation o);

  /** Unit of the evidence values: {@code "bytes"}, {@code "count"} or {@code "fraction"}. */
  public String evidenceUnit() {
    return "bytes";
  }

  /** One-line description of one evidence observation. */
  public String describe(Observation o) {
    return o.count + " event(s) in bucket";
  }
}
