package io.memfleet.collector.node.internal;

import io.memfleet.collector.node.NodeCollectorOptions;
import io.memfleet.collector.node.procfs.ProcfsReader;
import io.memfleet.collector.node.procfs.SmapsRollup;
import java.util.function.LongSupplier;

/**
 * Decides when each process's {@code smaps_rollup} is read for Pss, and carries the last value
 * in between.
 *
 * <p>Pss is the one costly read of a scan: the kernel walks every page table entry of the
 * process, so its cost grows with the process's resident memory (about 15 ms of CPU for a JVM
 * with 1 GiB resident, against a few microseconds for {@code status}). So a process's
 * {@code smaps_rollup} is read when it is discovered and then once per
 * {@link NodeCollectorOptions#smapsInterval()}, each process at its own phase within the
 * interval, and all reads together may use at most
 * {@link NodeCollectorOptions#smapsMaxCpuPercent()} of one core: a token bucket that fills at that
 * rate (up to one smaps interval's worth) and is drained by the measured CPU time of each read.
 * A due read that finds the bucket empty waits for a later scan — on a host with a lot of
 * resident memory Pss gets older instead of the collector getting costlier.
 *
 * <pre>{@code
 * PssSampler pss = new PssSampler(options, proc, threads::getCurrentThreadCpuTime);
 * PssSampler.State s = pss.newProcess();       // when the process is discovered
 * pss.startScan();                             // at the start of every scan
 * Long bytes = pss.pss(pid, s);                // per process per scan: read or carried
 * }</pre>
 *
 * <p>Not thread-safe: the scan thread uses it.
 */
final class PssSampler {
  /** Golden-ratio steps spread the reads of processes evenly over the interval. */
  private static final double SPREAD_STEP = 0.6180339887498949;

  /** One process's Pss schedule and last value. */
  static final class State {
    /** Monotonic time (System.nanoTime) the next read is due. */
    long nextReadNanos;
    boolean readOnce;
    Long pssBytes;
  }

  private final ProcfsReader proc;
  private final LongSupplier cpuClock;
  private final boolean enabled;
  private final long intervalNanos;
  private final long smapsIntervalNanos;
  private final double budget;
  private final long creditCap;
  private long credit;
  private long lastScanNanos;
  private long scheduled;
  private int readsThisScan;
  private int deferredThisScan;

  /**
   * @param cpuClock CPU time of the calling thread in ns (reads are charged what they cost)
   */
  PssSampler(NodeCollectorOptions options, ProcfsReader proc, LongSupplier cpuClock) {
    this.proc = proc;
    this.cpuClock = cpuClock;
    this.enabled = options.readSmapsRollup();
    this.intervalNanos = options.interval().toNanos();
    this.smapsIntervalNanos = options.smapsInterval().toNanos();
    this.budget = options.smapsMaxCpuPercent() >= 100 ? Double.POSITIVE_INFINITY
        : options.smapsMaxCpuPercent() / 100;
    this.creditCap = (long) (budget * Math.max(smapsIntervalNanos, intervalNanos));
    this.credit = creditCap; // the first scan may read what one interval allows
  }

  /** Refills the bucket by the time since the last scan. */
  void startScan() {
    long now = System.nanoTime();
    if (lastScanNanos != 0 && budget != Double.POSITIVE_INFINITY) {
      credit = Math.min(creditCap, credit + (long) (budget * (now - lastScanNanos)));
    }
    lastScanNanos = now;
    readsThisScan = 0;
    deferredThisScan = 0;
  }

  /** The schedule of a newly discovered process: due at once. */
  State newProcess() {
    State s = new State();
    s.nextReadNanos = System.nanoTime();
    return s;
  }

  /**
   * The process's Pss: read now when due and the budget allows, else the last value read (null
   * before the first read, and always when smaps reading is off). A smaps interval at or below
   * the scan interval makes every scan due; otherwise due within half a scan interval counts
   * (scans are not exactly one interval apart).
   */
  Long pss(int pid, State s) {
    if (!enabled) {
      return null;
    }
    long now = System.nanoTime();
    if (smapsIntervalNanos > intervalNanos && s.nextReadNanos - now > intervalNanos / 2) {
      return s.pssBytes;
    }
    if (budget != Double.POSITIVE_INFINITY && credit <= 0) {
      deferredThisScan++;
      return s.pssBytes; // stays due: read at a later scan, before processes due after it
    }
    long cpu0 = cpuClock.getAsLong();
    SmapsRollup rollup = proc.smapsRollup(pid).orElse(null);
    long cost = cpuClock.getAsLong() - cpu0;
    credit -= cost;
    readsThisScan++;
    if (rollup != null && rollup.pssBytes() != null) {
      s.pssBytes = rollup.pssBytes();
    }
    // after the first read each process gets its own phase within the interval, so the walks
    // of processes discovered together do not all fall on the same later scan
    double step = 1.0;
    if (!s.readOnce) {
      s.readOnce = true;
      double phase = (++scheduled * SPREAD_STEP) % 1.0;
      step = phase == 0 ? 1.0 : phase;
    }
    s.nextReadNanos = now + (long) (smapsIntervalNanos * step);
    return s.pssBytes;
  }

  int readsThisScan() {
    return readsThisScan;
  }

  /** Due reads this scan left for later because the CPU budget was spent. */
  int deferredThisScan() {
    return deferredThisScan;
  }
}
