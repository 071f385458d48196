package io.memfleet.pipeline.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * Levels by stack for one process, as a collector reports them ({@link Kind}): what each stack
 * mapped and has not unmapped, the pages it touched first that are still there, or the direct
 * buffers it allocated that are still alive — with the first level seen, so the stack whose level grows is named, not the one that holds the most since
 * start-up. Keeps {@value #MAX_STACKS} stacks; a stack not reported for
 * {@value #STALE_NS} ns (it left the collector's top) is dropped. A Flink POJO (public fields)
 * kept in keyed state by {@link ObservationFunction}.
 *
 * <pre>{@code
 * StackLevels levels = new StackLevels();
 * levels.update(hash, "mmap\nmap_segment\nmain", 1 << 20, utcNs);
 * int i = levels.growing();                // -1 when no level grew
 * }</pre>
 */
public class StackLevels {
  /** Which level a collector reports for a stack. */
  public enum Kind {
    /** eBPF: pages the stack touched first that are still there. */
    FAULTED_IN,
    /** eBPF: mappings the stack made that are still mapped. */
    MAPPED,
    /** The JVM's direct-buffer probe: direct buffers the stack allocated that are still alive. */
    DIRECT_BUFFERS
  }

  static final int MAX_STACKS = 16;
  static final long STALE_NS = 600_000_000_000L;

  public List<Long> hashes = new ArrayList<>();
  public List<String> frames = new ArrayList<>();
  public List<Long> firstBytes = new ArrayList<>();
  public List<Long> lastBytes = new ArrayList<>();
  public List<Long> lastUtcNs = new ArrayList<>();

  public StackLevels() {}

  /** The stack's level at {@code utcNs}. */
  void update(long hash, String stackFrames, long bytes, long utcNs) {
    for (int j = hashes.size() - 1; j >= 0; j--) {
      if (lastUtcNs.get(j) < utcNs - STALE_NS) {
        remove(j);
      }
    }
    int i = hashes.indexOf(hash);
    if (i >= 0) {
      if (utcNs >= lastUtcNs.get(i)) {
        lastBytes.set(i, bytes);
        lastUtcNs.set(i, utcNs);
      }
      return;
    }
    if (hashes.size() >= MAX_STACKS) {
      int weakest = 0;
      for (int j = 1; j < hashes.size(); j++) {
        if (growth(j) < growth(weakest)) {
          weakest = j;
        }
      }
      remove(weakest);
    }
    hashes.add(hash);
    frames.add(stackFrames);
    firstBytes.add(bytes);
    lastBytes.add(bytes);
    lastUtcNs.add(utcNs);
  }

  /** Index of the stack whose level grew the most since first seen, or -1 when none grew. */
  int growing() {
    int best = -1;
    for (int j = 0; j < hashes.size(); j++) {
      if (growth(j) > 0 && (best < 0 || growth(j) > growth(best))) {
        best = j;
      }
    }
    return best;
  }

  private long growth(int j) {
    return lastBytes.get(j) - firstBytes.get(j);
  }

  private void remove(int j) {
    hashes.remove(j);
    frames.remove(j);
    firstBytes.remove(j);
    lastBytes.remove(j);
    lastUtcNs.remove(j);
  }
}
