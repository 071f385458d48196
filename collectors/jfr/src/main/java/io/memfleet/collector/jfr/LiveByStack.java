package io.memfleet.collector.jfr;

import io.memfleet.event.StackCount;
import io.memfleet.event.StackTrace;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live things grouped by the stack that made them: Java threads by the stack that started them
 * ({@code jdk.ThreadStart}, whose stack is the starting thread's at {@code Thread.start}, less
 * {@code jdk.ThreadEnd}), classes by the stack that defined them ({@code jdk.ClassDefine} less
 * {@code jdk.ClassUnload}). What names the code behind a thread or class-loader leak, the way
 * allocation stacks name a heap leak. Only things made since the recording began are known; the
 * rest are in no group.
 *
 * <p>Bounded, since the node collector keeps a few per JVM of its node: at most {@code maxLive}
 * live things and {@code maxStacks} distinct stacks are tracked (a few MB at most); one beyond
 * either is counted in {@link #untracked()} and left out (a JVM with that many has had its leak
 * named by the stacks already tracked).
 *
 * <pre>{@code
 * LiveByStack starts = LiveByStack.threads();
 * starts.started(javaThreadId, stackOfTheStart);
 * starts.ended(javaThreadId);
 * List<StackCount> top = starts.top(8); // largest first
 * }</pre>
 *
 * <p>Not thread-safe: the JFR stream's one thread calls it.
 */
final class LiveByStack {
  /** Live threads tracked per JVM. */
  static final int MAX_THREADS = 20_000;
  /** Live classes tracked per JVM (those of the built-in loaders are not offered). */
  static final int MAX_CLASSES = 100_000;
  static final int MAX_STACKS = 256;

  private final int maxLive;
  private final int maxStacks;
  /** The stack's hash of each live thing, by its id. */
  private final Map<Long, Long> stackOfId = new HashMap<>();
  /** By stack's hash: the stack and its live things (dropped at 0). */
  private final Map<Long, Group> groups = new HashMap<>();
  private long untracked;

  private static final class Group {
    final StackTrace stack;
    long live;

    Group(StackTrace stack) {
      this.stack = stack;
    }
  }

  LiveByStack(int maxLive, int maxStacks) {
    this.maxLive = maxLive;
    this.maxStacks = maxStacks;
  }

  /** Java threads by their start stack, keyed by Java thread id. */
  static LiveByStack threads() {
    return new LiveByStack(MAX_THREADS, MAX_STACKS);
  }

  /** Classes by their define stack, keyed by JFR's class id. */
  static LiveByStack classes() {
    return new LiveByStack(MAX_CLASSES, MAX_STACKS);
  }

  /** A thing made by the code on {@code stack} (null or empty: not known, not counted). */
  void started(long id, StackTrace stack) {
    if (id < 0 || stack == null || stack.getFrames().isEmpty()) {
      return;
    }
    long hash = stack.getHash();
    if (stackOfId.size() >= maxLive || (!groups.containsKey(hash) && groups.size() >= maxStacks)) {
      untracked++;
      return;
    }
    Long previous = stackOfId.put(id, hash);
    if (previous != null) { // an id seen again: its end was missed
      release(previous);
    }
    groups.computeIfAbsent(hash, h -> new Group(stack)).live++;
  }

  /** The thing is gone (a thread ended, a class unloaded); unknown ids are ignored. */
  void ended(long id) {
    Long hash = stackOfId.remove(id);
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

  /** The {@code n} stacks with the most live things, largest first (ties by hash). */
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
