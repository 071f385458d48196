package io.memfleet.collector.jfr;

import io.memfleet.event.StackCount;
import io.memfleet.event.StackTrace;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live Java threads by the stack that started them, from {@code jdk.ThreadStart} (its stack is
 * the starting thread's at {@code Thread.start}) and {@code jdk.ThreadEnd}: what names the code
 * behind a thread leak, the way allocation stacks name a heap leak. Only threads started since
 * the recording began are known; the rest are in no group.
 *
 * <p>Bounded, since the node collector keeps one per JVM of its node: at most {@value
 * #MAX_THREADS} live threads and {@value #MAX_STACKS} distinct stacks are tracked (a few MB at
 * most); a start beyond either is counted in {@link #untracked()} and left out (a JVM with that
 * many threads has had its leak named by the stacks already tracked).
 *
 * <pre>{@code
 * ThreadStarts starts = new ThreadStarts();
 * starts.started(javaThreadId, stackOfTheStart);
 * starts.ended(javaThreadId);
 * List<StackCount> top = starts.top(8); // largest first
 * }</pre>
 *
 * <p>Not thread-safe: the JFR stream's one thread calls it.
 */
final class ThreadStarts {
  static final int MAX_THREADS = 20_000;
  static final int MAX_STACKS = 256;

  private final Map<Long, Long> stackOfThread = new HashMap<>();
  private final Map<Long, StackTrace> stacks = new HashMap<>();
  private final Map<Long, Long> live = new HashMap<>();
  private long untracked;

  /** A thread started by the code on {@code stack} (null or empty: not known, not counted). */
  void started(long javaThreadId, StackTrace stack) {
    if (javaThreadId < 0 || stack == null || stack.getFrames().isEmpty()) {
      return;
    }
    long hash = stack.getHash();
    if (stackOfThread.size() >= MAX_THREADS
        || (!stacks.containsKey(hash) && stacks.size() >= MAX_STACKS)) {
      untracked++;
      return;
    }
    Long previous = stackOfThread.put(javaThreadId, hash);
    if (previous != null) { // an id seen again: its end was missed
      release(previous);
    }
    stacks.putIfAbsent(hash, stack);
    live.merge(hash, 1L, Long::sum);
  }

  void ended(long javaThreadId) {
    Long hash = stackOfThread.remove(javaThreadId);
    if (hash != null) {
      release(hash);
    }
  }

  private void release(long hash) {
    if (live.merge(hash, -1L, Long::sum) <= 0) {
      live.remove(hash);
      stacks.remove(hash);
    }
  }

  /** The {@code n} stacks with the most live threads, largest first. */
  List<StackCount> top(int n) {
    List<Map.Entry<Long, Long>> entries = new ArrayList<>(live.entrySet());
    entries.sort(Map.Entry.<Long, Long>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    List<StackCount> out = new ArrayList<>(Math.min(n, entries.size()));
    for (Map.Entry<Long, Long> e : entries.subList(0, Math.min(n, entries.size()))) {
      out.add(StackCount.newBuilder().setStack(stacks.get(e.getKey())).setCount(e.getValue())
          .build());
    }
    return out;
  }

  /** Starts left out because a bound was reached. */
  long untracked() {
    return untracked;
  }
}
