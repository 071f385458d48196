package io.memfleet.collector.jfr;

import io.memfleet.event.StackCount;
import io.memfleet.event.StackTrace;
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

  /** The start stack's hash of each live thread. */
  private final Map<Long, Long> stackOfThread = new HashMap<>();
  /** By start stack's hash: the stack and its live threads (dropped at 0). */
  private final Map<Long, Group> groups = new HashMap<>();
  private long untracked;

  private static final class Group {
    final StackTrace stack;
    long live;

    Group(StackTrace stack) {
      this.stack = stack;
    }
  }

  /** A thread started by the code on {@code stack} (null or empty: not known, not counted). */
  void started(long javaThreadId, StackTrace stack) {
    if (javaThreadId < 0 || stack == null || stack.getFrames().isEmpty()) {
      return;
    }
    long hash = stack.getHash();
    if (stackOfThread.size() >= MAX_THREADS
        || (!groups.containsKey(hash) && groups.size() >= MAX_STACKS)) {
      untracked++;
      return;
    }
    Long previous = stackOfThread.put(javaThreadId, hash);
    if (previous != null) { // an id seen again: its end was missed
      release(previous);
    }
    groups.computeIfAbsent(hash, h -> new Group(stack)).live++;
  }

  void ended(long javaThreadId) {
    Long hash = stackOfThread.remove(javaThreadId);
    if (hash != null) {
      release(hash);
    }
  }

  private void release(long hash) {
    Group g = groups.get(hash);
    if (--g.live <= 0) {
      groups.remove(hash);
    }
  }

  /** The {@code n} stacks with the most live threads, largest first (ties by hash). */
  List<StackCount> top(int n) {
    return groups.entrySet().stream()
        .sorted(Comparator.<Map.Entry<Long, Group>>comparingLong(e -> -e.getValue().live)
            .thenComparing(Map.Entry::getKey))
        .limit(n)
        .map(e -> StackCount.newBuilder().setStack(e.getValue().stack)
            .setCount(e.getValue().live).build())
        .toList();
  }

  /** Starts left out because a bound was reached. */
  long untracked() {
    return untracked;
  }
}
