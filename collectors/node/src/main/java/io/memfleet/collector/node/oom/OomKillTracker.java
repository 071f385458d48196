package io.memfleet.collector.node.oom;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Attributes cgroup OOM kill counters to the processes that vanished: when a cgroup's
 * {@code oom_kill} counter rises by k, the k largest processes of that cgroup (by last seen RSS)
 * that exited at that scan or within {@code window} after it are the victims — the kernel's OOM
 * killer picks by memory footprint too.
 *
 * <p>Why a window: the kernel counts the kill when it marks the victim, but the victim's
 * {@code /proc} entry lingers while its memory is torn down and until its parent reaps it, so
 * the counter may rise one or more scans before the process disappears. The reverse cannot
 * happen, so exits are never held back. Kills not matched within the window (the victim was
 * never tracked, e.g. it lived shorter than one scan) are counted in
 * {@link #unattributedKills()}.
 *
 * <pre>{@code
 * OomKillTracker<Tracked> oom = new OomKillTracker<>(Duration.ofSeconds(10));
 * // each scan:
 * oom.counter(cgroupPath, memory.oomKills().getAsLong(), nowNs);   // every cgroup read
 * List<Attribution<Tracked>> result = oom.attribute(exitedThisScan, nowNs);
 * oom.endScan();
 * }</pre>
 *
 * <p>Not thread-safe: driven by the single scan thread.
 *
 * @param <V> what the caller knows about a victim
 */
public final class OomKillTracker<V> {

  /** A process that was tracked at the previous scan and is gone now. */
  public record Exited<V>(V victim, String cgroupPath, long lastRssBytes) {}

  /**
   * What became of one exit: an OOM victim ({@code oomKillCount} = the cgroup's counter
   * value that this kill brought) or a plain exit ({@code oomKillCount} = -1).
   */
  public record Attribution<V>(V victim, boolean oomKilled, long oomKillCount) {}

  private record Pending(long counterAfter, long sinceNs) {}

  private static final class CgroupState {
    long counter;
    boolean seenThisScan;
    final Deque<Pending> pending = new ArrayDeque<>();
  }

  private final long windowNs;
  private final Map<String, CgroupState> cgroups = new HashMap<>();
  private long attributed;
  private long unattributed;

  public OomKillTracker(Duration window) {
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive: " + window);
    }
    this.windowNs = window.toNanos();
  }

  /** Records a reading of a cgroup's cumulative {@code oom_kill} counter. */
  public void counter(String cgroupPath, long oomKills, long nowNs) {
    CgroupState state = cgroups.get(cgroupPath);
    if (state == null) {
      state = new CgroupState();
      state.counter = oomKills; // first sight is the baseline, not news
      cgroups.put(cgroupPath, state);
    } else if (oomKills < state.counter) {
      // a cgroup of the same path was removed and created again: new baseline
      state.pending.clear();
      state.counter = oomKills;
    } else {
      for (long c = state.counter + 1; c <= oomKills; c++) {
        state.pending.add(new Pending(c, nowNs));
      }
      state.counter = oomKills;
    }
    state.seenThisScan = true;
  }

  /** Decides for each exit of this scan whether it was an OOM kill; returns them in order. */
  public List<Attribution<V>> attribute(List<Exited<V>> exits, long nowNs) {
    expire(nowNs);
    Map<Exited<V>, Long> kills = new IdentityHashMap<>();
    Map<String, List<Exited<V>>> byCgroup = new HashMap<>();
    for (Exited<V> e : exits) {
      if (e.cgroupPath() != null) {
        byCgroup.computeIfAbsent(e.cgroupPath(), k -> new ArrayList<>()).add(e);
      }
    }
    byCgroup.forEach((path, candidates) -> {
      CgroupState state = cgroups.get(path);
      if (state == null || state.pending.isEmpty()) {
        return;
      }
      candidates.sort(Comparator.comparingLong((Exited<V> e) -> e.lastRssBytes()).reversed());
      for (Exited<V> victim : candidates) {
        Pending kill = state.pending.poll();
        if (kill == null) {
          break;
        }
        kills.put(victim, kill.counterAfter());
        attributed++;
      }
    });
    List<Attribution<V>> out = new ArrayList<>(exits.size());
    for (Exited<V> e : exits) {
      Long count = kills.get(e);
      out.add(new Attribution<>(e.victim(), count != null, count == null ? -1 : count));
    }
    return out;
  }

  /** Forgets cgroups not read in this scan that wait for no victim; call after each scan. */
  public void endScan() {
    Iterator<CgroupState> it = cgroups.values().iterator();
    while (it.hasNext()) {
      CgroupState s = it.next();
      if (!s.seenThisScan && s.pending.isEmpty()) {
        it.remove();
      } else {
        s.seenThisScan = false;
      }
    }
  }

  private void expire(long nowNs) {
    for (CgroupState s : cgroups.values()) {
      while (!s.pending.isEmpty() && nowNs - s.pending.peek().sinceNs() > windowNs) {
        s.pending.poll();
        unattributed++;
      }
    }
  }

  /** Kills matched to a vanished process so far. */
  public long attributedKills() {
    return attributed;
  }

  /** Kills whose victim was never found within the window. */
  public long unattributedKills() {
    return unattributed;
  }

  /** Cgroups currently followed (for status output and tests of state cleanup). */
  public int trackedCgroups() {
    return cgroups.size();
  }
}
