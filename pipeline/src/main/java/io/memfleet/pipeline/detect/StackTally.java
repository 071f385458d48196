package io.memfleet.pipeline.detect;

import java.util.ArrayList;
import java.util.List;

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

  public StackTally() {}

  /** Adds {@code n} bytes to the stack. */
  void add(long hash, String stackFrames, long n) {
    int i = hashes.indexOf(hash);
    if (i >= 0) {
      bytes.set(i, bytes.get(i) + n);
      return;
    }
    if (hashes.size() < MAX_STACKS) {
      hashes.add(hash);
      frames.add(stackFrames);
      bytes.add(n);
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
    }
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
}
