package io.memfleet.collector.ebpf.escalate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Which processes' malloc heaps grow steadily enough to be worth probing: fed once per report
 * interval with each traced process's heap level (how far its break grew since the collector
 * first saw it), it names the processes whose level rose by at least {@code minStepBytes} in
 * each of the last {@code intervals} intervals, the most growth first.
 *
 * <pre>{@code
 * HeapGrowthTrigger trigger = new HeapGrowthTrigger(3, 256 << 10);
 * every 10 s: List<Candidate> due = trigger.observe(Map.of(new Key(pid, startTicks), brkBytes));
 * }</pre>
 *
 * <p>Why a run of rises and not a total: a warm-up, or a cache that fills and stops, rises for a
 * while and then goes flat — one flat interval restarts the count — whereas a leak of 1 MiB/s
 * rises ~10 MiB every 10-s interval and is named after {@code intervals} of them. A cache that
 * fills for longer than that is named too (it looks the same until it stops); what the probes
 * then see — blocks that stay, at a level that stops rising — is for the escalation and the
 * pipeline to judge. A process whose level fell (malloc trimmed its heap) starts over.
 *
 * <p>Not thread-safe: one caller (the escalation's tick).
 */
public final class HeapGrowthTrigger {
  /** A process by pid and start time (pids are reused). */
  public record Key(int pid, long startTicks) {}

  /** A process whose heap grew in each of the last intervals, by {@code growthBytes} in all. */
  public record Candidate(Key process, long growthBytes) {}

  private final int intervals;
  private final long minStepBytes;
  private final Map<Key, ArrayDeque<Long>> history = new HashMap<>();

  /**
   * @param intervals consecutive rising intervals asked for (≥ 1)
   * @param minStepBytes the least rise one interval must show to count (≥ 1)
   */
  public HeapGrowthTrigger(int intervals, long minStepBytes) {
    if (intervals < 1 || minStepBytes < 1) {
      throw new IllegalArgumentException("intervals and minStepBytes must be positive");
    }
    this.intervals = intervals;
    this.minStepBytes = minStepBytes;
  }

  /**
   * One interval's levels of every process traced now (processes left out are forgotten);
   * returns the processes that qualify now, the most growth first.
   */
  public List<Candidate> observe(Map<Key, Long> levels) {
    history.keySet().retainAll(levels.keySet());
    List<Candidate> due = new ArrayList<>();
    for (Map.Entry<Key, Long> e : levels.entrySet()) {
      ArrayDeque<Long> h = history.computeIfAbsent(e.getKey(), k -> new ArrayDeque<>());
      h.addLast(e.getValue());
      while (h.size() > intervals + 1) {
        h.pollFirst();
      }
      if (h.size() == intervals + 1 && risingRun(h)) {
        due.add(new Candidate(e.getKey(), h.peekLast() - h.peekFirst()));
      }
    }
    due.sort(Comparator.comparingLong(Candidate::growthBytes).reversed());
    return due;
  }

  /** Forgets a process's levels: after it was probed, its count starts over. */
  public void reset(Key process) {
    history.remove(process);
  }

  private boolean risingRun(ArrayDeque<Long> h) {
    Iterator<Long> it = h.iterator();
    long previous = it.next();
    while (it.hasNext()) {
      long level = it.next();
      if (level - previous < minStepBytes) {
        return false;
      }
      previous = level;
    }
    return true;
  }
}
