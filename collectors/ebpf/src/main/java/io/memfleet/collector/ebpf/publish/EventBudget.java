package io.memfleet.collector.ebpf.publish;

import java.util.HashMap;
import java.util.Map;

/**
 * How many events of one kind may be published per second, in total and per process, so one
 * process that maps and unmaps in a loop cannot flood Kafka or crowd out the others. What is
 * over budget is counted, not published (its effect on the trackers is kept: the next published
 * event carries the current totals).
 *
 * <pre>{@code
 * EventBudget budget = new EventBudget(1000, 100);
 * if (budget.allow(pid, System.nanoTime())) { sink.publish(event); }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class EventBudget {
  private static final long SECOND_NS = 1_000_000_000L;

  private final long perSecond;
  private final long perKeyPerSecond;
  private final Map<Object, Long> used = new HashMap<>();
  private long windowStartNs = Long.MIN_VALUE;
  private long usedTotal;
  private long denied;

  public EventBudget(long perSecond, long perKeyPerSecond) {
    if (perSecond < 1 || perKeyPerSecond < 1) {
      throw new IllegalArgumentException("budgets must be positive");
    }
    this.perSecond = perSecond;
    this.perKeyPerSecond = perKeyPerSecond;
  }

  /** Takes one event from the budget of this second; false (and counted) when spent. */
  public synchronized boolean allow(Object key, long nowNs) {
    if (windowStartNs == Long.MIN_VALUE || nowNs - windowStartNs >= SECOND_NS) {
      windowStartNs = nowNs;
      usedTotal = 0;
      used.clear();
    }
    long mine = used.getOrDefault(key, 0L);
    if (usedTotal >= perSecond || mine >= perKeyPerSecond) {
      denied++;
      return false;
    }
    usedTotal++;
    used.put(key, mine + 1);
    return true;
  }

  /** Events refused since the start. */
  public synchronized long denied() {
    return denied;
  }
}
