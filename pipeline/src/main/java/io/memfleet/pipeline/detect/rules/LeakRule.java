package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.MemoryPool;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.cep.pattern.Pattern;

/**
 * A named detection rule: which {@link Signal} it reads, the Flink CEP {@link Pattern} that finds
 * candidate runs of observations (always bounded by {@code within}, so partial matches and their
 * buffered events are dropped once event time passes the bound), and the final judgement of a
 * matched run — a robust trend check that turns it into a {@link Finding}, or rejects it.
 *
 * <pre>{@code
 * LeakRule rule = Rules.all(conf).get(0);
 * CEP.pattern(observations.keyBy(Observation::seriesKey), rule.pattern())
 *     .inEventTime().process(new RuleMatchFunction(rule, 24));
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

  /** The CEP pattern over observations of {@link #signal()} of one series. */
  public abstract Pattern<Observation, ?> pattern();

  /** Whether an observation may be part of a run at all (e.g. above a threshold). */
  public boolean admits(Observation o) {
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
