package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import java.time.Duration;
import java.util.List;
import org.apache.flink.cep.pattern.Pattern;

/**
 * A rule judged on the trailing history of one series rather than on a CEP run: the last
 * {@link #window()} of observations, optionally coarsened to one point per {@link #resolution()}
 * ({@link #merge}), judged anew by {@link #assess} each time a point is added. For what a run
 * cannot express: a forecast that improves as evidence accumulates ({@code oom-imminent}), or a
 * trend over hours ({@code slow-leak}). {@link TrailingRuleFunction} keeps the history.
 */
public abstract class TrailingRule extends LeakRule {
  private static final long serialVersionUID = 1L;

  /** How much history the rule judges. */
  public abstract Duration window();

  /** One history point per this much event time; zero keeps every observation. */
  public Duration resolution() {
    return Duration.ZERO;
  }

  /** Folds {@code o} into {@code point} when both fall into one resolution step: the floor. */
  public void merge(Observation point, Observation o) {
    if (o.value < point.value) {
      point.value = o.value;
    }
    point.utcNs = Math.max(point.utcNs, o.utcNs);
    point.count += o.count;
    if (!Double.isNaN(o.companion)) {
      point.companion = o.companion;
    }
    point.confirmed |= o.confirmed;
    if (o.objectClass != null) {
      point.objectClass = o.objectClass;
    }
    if (o.stackFrames != null) {
      point.stackFrames = o.stackFrames;
      point.stackHash = o.stackHash;
    }
  }

  /** A finding is sent again (as an update) at most this often while it holds. */
  public Duration reportEvery() {
    return Duration.ofMinutes(1);
  }

  /** The history's judgement: a finding on the points (oldest first), or null. */
  @Override
  public abstract Finding assess(List<Observation> history);

  /**
   * The points of a finding's evidence, a suffix of the history (all of it by default); the
   * alert's first-seen is the first of them.
   */
  public List<Observation> evidence(List<Observation> history) {
    return history;
  }

  @Override
  public final Pattern<Observation, ?> pattern() {
    throw new UnsupportedOperationException(name() + " is judged on a trailing window, not CEP");
  }
}
