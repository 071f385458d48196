package io.memfleet.pipeline.detect;

import io.memfleet.pipeline.detect.rules.Culprits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    DIRECT_BUFFERS,
    /**
     * eBPF allocator probes (malloc escalation): bytes the stack allocated with malloc and has
     * not freed; exact where faulted-in pages only say who touched a heap page first.
     */
    OUTSTANDING,
    /** JFR thread starts: live Java threads the stack started (a count, not bytes). */
    THREADS,
    /** JFR class defines: live classes the stack defined (a count, not bytes). */
    CLASSES,
    /** The Go goroutine profile: goroutines parked at the stack (a count, not bytes). */
    GOROUTINES,
    /**
     * A JVM's class histograms: the bytes of a class on the heap, garbage included; the
     * "stack" is the class's name alone.
     */
    HEAP_CLASSES
  }

  static final int MAX_STACKS = 16;
  static final long STALE_NS = 600_000_000_000L;

  public List<Long> hashes = new ArrayList<>();
  /**
   * A stack's frames once its level has grown past its first by more than a flap, else empty:
   * only such a stack is ever named, and the frames are most of the state (a steady JVM reports 8 thread and
   * 8 class groups of 8 frames every 10 s, a Go program up to 16 goroutine groups).
   */
  public List<String> frames = new ArrayList<>();
  public List<Long> firstBytes = new ArrayList<>();
  public List<Long> lastBytes = new ArrayList<>();
  public List<Long> lastUtcNs = new ArrayList<>();

  public StackLevels() {}

  /**
   * The stack's level at {@code utcNs}; its frames, innermost first, are joined (one per line)
   * only when they are kept.
   */
  void update(long hash, List<String> stackFrames, long bytes, long utcNs) {
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
        if (frames.get(i).isEmpty() && grewPastAFlap(i)) {
          frames.set(i, String.join("\n", stackFrames)); // it grew: from now on it may be named
        }
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
    frames.add("");
    firstBytes.add(bytes);
    lastBytes.add(bytes);
    lastUtcNs.add(utcNs);
  }

  /**
   * Index of the stack to name, or -1 when no level grew: of the function whose stacks grew the
   * most together since first seen (its innermost program frame, {@link Culprits}), that
   * function's stack that grew the most. By function, not by stack alone: the pages a leaking
   * function keeps are touched first by its own code and by the allocator writing the chunk
   * headers (two stacks), so its growth is split; a busy function that only churns splits its
   * own the same way, and the sum tells the two apart where the single stacks do not.
   */
  int growing() {
    String[] function = new String[hashes.size()];
    Map<String, Long> byFunction = new HashMap<>();
    for (int j = 0; j < hashes.size(); j++) {
      if (named(j)) {
        function[j] = function(j);
        byFunction.merge(function[j], growth(j), Long::sum);
      }
    }
    int best = -1;
    long bestFunction = 0;
    for (int j = 0; j < hashes.size(); j++) {
      if (!named(j)) {
        continue;
      }
      long total = byFunction.get(function[j]);
      if (best < 0 || total > bestFunction
          || (total == bestFunction && function[j].equals(function[best])
              && growth(j) > growth(best))) {
        best = j;
        bestFunction = total;
      }
    }
    return best;
  }

  /**
   * For {@link Kind#HEAP_CLASSES}: index of the class to name, or -1 when none grew past a flap —
   * of the program's own classes (no array, not the JDK's) the one whose bytes grew the most, else
   * the class whose bytes grew the most. The program's class first: a leak's holder keeps its
   * bulk in arrays ({@code double[]}, {@code byte[]}), which say nothing of which code holds
   * them; the holder's own bytes grow as steadily, if fewer.
   */
  int growingClass() {
    int best = -1;
    int bestProgram = -1;
    for (int j = 0; j < hashes.size(); j++) {
      if (!named(j)) {
        continue;
      }
      if (best < 0 || growth(j) > growth(best)) {
        best = j;
      }
      if (programClass(frames.get(j)) && (bestProgram < 0 || growth(j) > growth(bestProgram))) {
        bestProgram = j;
      }
    }
    return bestProgram >= 0 ? bestProgram : best;
  }

  /** The time of the newest level, or {@link Long#MIN_VALUE} when there is none. */
  long newestUtcNs() {
    long newest = Long.MIN_VALUE;
    for (long t : lastUtcNs) {
      newest = Math.max(newest, t);
    }
    return newest;
  }

  /** Whether a class is the program's own: no array, not the JDK's (nor a runtime's). */
  static boolean programClass(String className) {
    return !className.endsWith("[]") && Culprits.programFrame(List.of(className)) != null;
  }

  /** Whether the stack may be named: it grew past a flap (so its frames are kept) and still is up. */
  private boolean named(int j) {
    return growth(j) > 0 && !frames.get(j).isEmpty();
  }

  /** The stack's innermost program frame, or the whole stack when it has none. */
  private String function(int j) {
    String f = Culprits.programFrame(Arrays.asList(frames.get(j).split("\n")));
    return f != null ? f : frames.get(j);
  }

  private long growth(int j) {
    return lastBytes.get(j) - firstBytes.get(j);
  }

  /**
   * Whether the stack's level rose by more than a pool's coming and going: by at least 2 and by
   * more than a quarter of its first level (a pool of 12 threads at 14 has not; a leak has).
   */
  private boolean grewPastAFlap(int j) {
    long growth = growth(j);
    return growth >= 2 && growth > firstBytes.get(j) / 4;
  }

  private void remove(int j) {
    hashes.remove(j);
    frames.remove(j);
    firstBytes.remove(j);
    lastBytes.remove(j);
    lastUtcNs.remove(j);
  }
}
