package io.memfleet.pipeline.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes by stack for one process: which code faulted in new pages or mapped memory. Keeps the
 * {@value #MAX_STACKS} heaviest stacks; a lighter newcomer replaces the lightest only once it
 * outweighs it. A Flink POJO (public fields) kept in keyed state by {@link ObservationFunction}.
 */
public class StackTally {
  static final int MAX_STACKS = 16;

  public List<Long> hashes = new ArrayList<>();
  public List<String> frames = new ArrayList<>();
  public List<Long> bytes = new ArrayList<>();
  /** What the bytes are, per stack, where known (the retained object's class); else null. */
  public List<String> labels = new ArrayList<>();
  /** Event time of the latest addition, UTC ns. */
  public long lastUtcNs;

  public StackTally() {}

  /** Adds {@code n} bytes to the stack. */
  void add(long hash, String stackFrames, long n) {
    add(hash, stackFrames, null, n);
  }

  /** Adds {@code n} bytes to the stack, with what they are (e.g. a class name). */
  void add(long hash, String stackFrames, String label, long n) {
    int i = hashes.indexOf(hash);
    if (i >= 0) {
      bytes.set(i, bytes.get(i) + n);
      return;
    }
    if (hashes.size() < MAX_STACKS) {
      hashes.add(hash);
      frames.add(stackFrames);
      bytes.add(n);
      labels.add(label);
      return;
    }
    int lightest = 0;
    for (int j = 1; j < bytes.size(); j++) {
      if (bytes.get(j) < bytes.get(lightest)) {
        lightest = j;
      }
    }
    if (n > bytes.get(lightest)) {
      hashes.set(lightest, hash);
      frames.set(lightest, stackFrames);
      bytes.set(lightest, n);
      labels.set(lightest, label);
    }
  }

  /**
   * Ages the tally to {@code utcNs}: every stack's bytes halve per {@code halfLifeNs} since the
   * latest addition (a stack that has fallen to nothing is dropped).
   */
  void decay(long utcNs, long halfLifeNs) {
    if (lastUtcNs > 0 && utcNs > lastUtcNs) {
      double factor = Math.pow(0.5, (utcNs - lastUtcNs) / (double) halfLifeNs);
      for (int j = bytes.size() - 1; j >= 0; j--) {
        long b = Math.round(bytes.get(j) * factor);
        if (b <= 0) {
          hashes.remove(j);
          frames.remove(j);
          bytes.remove(j);
          labels.remove(j);
        } else {
          bytes.set(j, b);
        }
      }
    }
    lastUtcNs = Math.max(lastUtcNs, utcNs);
  }

  /** Index of the heaviest stack, or -1 when empty. */
  int heaviest() {
    int best = -1;
    for (int j = 0; j < bytes.size(); j++) {
      if (best < 0 || bytes.get(j) > bytes.get(best)) {
        best = j;
      }
    }
    return best;
  }

  /**
   * Index of what a retained set is best named by: the heaviest class (its bytes summed over
   * every stack it was sampled at), then that class's heaviest stack that has frames — old-object
   * samples carry a stack only while the JVM's live set grows (the collector turns stacks on
   * then), so one class may sit under a stackless entry and under the stacks it leaks from.
   * Entries without a label count on their own, as in {@link #heaviest}; -1 when empty.
   */
  int heaviestOfHeaviestLabel() {
    Map<String, Long> byLabel = new HashMap<>();
    for (int j = 0; j < bytes.size(); j++) {
      if (labels.get(j) != null) {
        byLabel.merge(labels.get(j), bytes.get(j), Long::sum);
      }
    }
    int best = -1;
    long bestWeight = -1;
    for (int j = 0; j < bytes.size(); j++) {
      long weight = labels.get(j) == null ? bytes.get(j) : byLabel.get(labels.get(j));
      if (weight > bestWeight) {
        best = j;
        bestWeight = weight;
      }
    }
    String label = best < 0 ? null : labels.get(best);
    if (label == null) {
      return best;
    }
    int named = heaviestWithFrames(label::equals);
    return named >= 0 ? named : best;
  }

  /**
   * Index of the heaviest entry that has frames and a label other than {@code label}: where a
   * retained set's heaviest class has no stack at all, the code that allocated the heaviest of
   * what else is retained. -1 when there is none.
   */
  int heaviestWithFramesBeside(String label) {
    return heaviestWithFrames(l -> l != null && !l.equals(label));
  }

  /** Index of the heaviest entry that has frames and whose label passes {@code label}; or -1. */
  private int heaviestWithFrames(java.util.function.Predicate<String> label) {
    int named = -1;
    for (int j = 0; j < bytes.size(); j++) {
      boolean hasFrames = frames.get(j) != null && !frames.get(j).isEmpty();
      if (hasFrames && label.test(labels.get(j))
          && (named < 0 || bytes.get(j) > bytes.get(named))) {
        named = j;
      }
    }
    return named;
  }
}
