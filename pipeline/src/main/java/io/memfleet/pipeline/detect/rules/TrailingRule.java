package io.memfleet.pipeline.detect.rules;

import io.memfleet.pipeline.detect.Observation;
import java.time.Duration;
import java.util.List;

/**
 * A rule judged on the trailing history of one series rather than on runs: the last
 * {@link #window()} of observations, optionally coarsened to one point per {@link #resolution()}
 * ({@link #merge}), judged anew by {@link LeakRule#assess} each time a point is added. For what a
 * run of fixed length cannot express: a forecast that improves as evidence accumulates
 * ({@code oom-imminent}), a run whose required length depends on what it holds
 * ({@code live-set-growth}), or a trend over hours ({@code slow-leak}).
 * {@link TrailingRuleFunction} keeps the history. Implemented by {@link LeakRule}s.
 */
public interface TrailingRule {

  /** How much history the rule judges. */
  Duration window();

  /** One history point per this much event time; zero keeps every observation. */
  default Duration resolution() {
    return Duration.ZERO;
  }

  /** Folds {@code o} into {@code point} when both fall into one resolution step: the floor. */
  default void merge(Observation point, Observation o) {
    if (o.value < point.value) {
      point.value = o.value;
    }
    point.utcNs = Math.max(point.utcNs, o.utcNs);
    point.count += o.count;
    if (!Double.isNaN(o.companion)) {
      point.companion = o.companion;
    }
    point.confirmed |= o.confirmed;
    point.reclaimed |= o.reclaimed;
    point.g1 |= o.g1;
    point.attributeAs(o);
  }

  /**
   * How many of the oldest points of {@code history} (within the window, newest last) the rule
   * can no longer need, which the history then drops: none by default.
   */
  default int droppable(List<Observation> history) {
    return 0;
  }

  /** A finding is sent again (as an update) at most this often while it holds. */
  default Duration reportEvery() {
    return Duration.ofMinutes(1);
  }

  /**
   * The points of a finding's evidence, a suffix of the history (all of it by default); the
   * alert's first-seen is the first of them.
   */
  default List<Observation> evidence(List<Observation> history) {
    return history;
  }

  /**
   * The trailing run of {@code history} that does not fall by more than {@code tolerance} from
   * one point to the next, oldest first: what a rising run is when judged backwards from now.
   */
  static List<Observation> risingSuffix(List<Observation> history, double tolerance) {
    int start = history.size() - 1;
    while (start > 0) {
      double previous = history.get(start - 1).value;
      if (history.get(start).value < previous - tolerance * Math.abs(previous)) {
        break;
      }
      start--;
    }
    return history.subList(start, history.size());
  }
}
