package io.memfleet.launcher;

import io.memfleet.pipeline.time.ClockModel;
import io.memfleet.pipeline.time.ClockModelSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures how well two clock domains of one host agree once each is put on UTC by its own
 * {@link ClockModel}, on events both sources saw: the same page fault, stamped by perf in
 * PERF_CLOCK (the kernel's TSC-based {@code local_clock()}) and by bpftrace in CLOCK_MONOTONIC.
 *
 * <p>Calibration samples and marks are replayed in the order the pipeline would see them: a mark
 * is converted with the models fitted from the samples taken before it (the pipeline converts an
 * event with the samples it has, and a fresh one is at most one interval old), so the error
 * includes extrapolating drift up to one calibration interval. The two probes do not fire at the
 * same instant (perf samples a fault some microseconds after its tracepoint): a run with perf in
 * CLOCK_MONOTONIC as well ({@code perfInMonotonic}) measures that delay without any model, and
 * the calibration's error is how far the PERF_CLOCK run's differences stray from it.
 *
 * <pre>{@code
 * ClockCheck check = new ClockCheck(ClockModelSettings.defaults(), bootId, false);
 * check.calibration(new ClockCheck.Calibration(ktime, cpuClk, realtimeAtKtime, perfBracket,
 *     monotonic, realtime, monotonicBracket));
 * check.perfMark(tid, address, perfNs);
 * check.monotonicMark(tid, address, nsecs);
 * ClockCheck.Result r = check.result();
 * }</pre>
 */
final class ClockCheck {
  private final ClockModelSettings settings;
  private final String bootId;
  private final boolean perfInMonotonic;
  private final List<Calibration> calibrations = new ArrayList<>();
  private final List<Mark> perfMarks = new ArrayList<>();
  private final Map<Key, List<Long>> monotonicMarks = new HashMap<>();
  private long monotonicMarkCount;

  /**
   * One calibration round: perf's clock paired with CLOCK_MONOTONIC by the kernel and carried to
   * CLOCK_REALTIME (the PERF_CLOCK ClockSync), and a CLOCK_MONOTONIC/CLOCK_REALTIME pair (the
   * MONOTONIC ClockSync).
   */
  record Calibration(long perfKtimeNs, long perfClockNs, long perfRealtimeNs, long perfBracketNs,
      long monotonicNs, long monotonicRealtimeNs, long monotonicBracketNs) {}

  private record Key(int tid, long address) {}

  private record Mark(Key key, long rawNs) {}

  /** A percentile summary in nanoseconds. */
  record Spread(long p50, long p99, long max) {
    static Spread of(List<Long> values) {
      if (values.isEmpty()) {
        return new Spread(0, 0, 0);
      }
      List<Long> sorted = values.stream().sorted().toList();
      return new Spread(at(sorted, 0.50), at(sorted, 0.99), sorted.get(sorted.size() - 1));
    }

    private static long at(List<Long> sorted, double q) {
      return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }
  }

  /**
   * What the check found.
   *
   * @param matched marks seen by both sources (same thread and address, one each) after the
   *     first calibration
   * @param perfOnly perf marks without a bpftrace mark of the same key
   * @param monotonicOnly bpftrace marks left unmatched
   * @param differenceNs per matched mark, UTC via perf's clock − UTC via CLOCK_MONOTONIC, sorted
   * @param uncalibrated |perf raw − bpftrace raw|, as if both read one clock
   * @param perfDriftPpb perf clock's fitted drift against UTC at the end
   * @param monotonicDriftPpb CLOCK_MONOTONIC's fitted drift against UTC at the end
   * @param calibrations calibration rounds used
   */
  record Result(long matched, long perfOnly, long monotonicOnly, List<Long> differenceNs,
      Spread uncalibrated, double perfDriftPpb, double monotonicDriftPpb, int calibrations) {
    /** Median of {@link #differenceNs}, 0 without marks. */
    long medianNs() {
      return differenceNs.isEmpty() ? 0 : differenceNs.get(differenceNs.size() / 2);
    }

    /** Spread of |difference − reference|: how far marks stray from an expected delay. */
    Spread deviationFrom(long referenceNs) {
      return Spread.of(differenceNs.stream().map(d -> Math.abs(d - referenceNs)).toList());
    }
  }

  /**
   * @param perfInMonotonic perf recorded with {@code -k CLOCK_MONOTONIC}: its marks go through
   *     the MONOTONIC model too, which measures the marker's own delay between the two probes
   */
  ClockCheck(ClockModelSettings settings, String bootId, boolean perfInMonotonic) {
    this.settings = settings;
    this.bootId = bootId;
    this.perfInMonotonic = perfInMonotonic;
  }

  void calibration(Calibration c) {
    calibrations.add(c);
  }

  void perfMark(int tid, long address, long perfClockNs) {
    perfMarks.add(new Mark(new Key(tid, address), perfClockNs));
  }

  void monotonicMark(int tid, long address, long monotonicNs) {
    monotonicMarks.computeIfAbsent(new Key(tid, address), k -> new ArrayList<>()).add(monotonicNs);
    monotonicMarkCount++;
  }

  /** Matches marks by thread and address (a key seen more than once by either is left out). */
  Result result() {
    Map<Key, Long> perfCount = new HashMap<>();
    perfMarks.forEach(m -> perfCount.merge(m.key(), 1L, Long::sum));
    record Pair(long perfNs, long monotonicNs) {}
    List<Pair> pairs = new ArrayList<>();
    long perfOnly = 0;
    for (Mark m : perfMarks) {
      List<Long> seen = monotonicMarks.get(m.key());
      if (seen == null) {
        perfOnly++;
      } else if (seen.size() == 1 && perfCount.get(m.key()) == 1) {
        pairs.add(new Pair(m.rawNs(), seen.get(0)));
      }
    }
    pairs.sort(Comparator.comparingLong(Pair::monotonicNs));
    List<Calibration> rounds = calibrations.stream()
        .sorted(Comparator.comparingLong(Calibration::monotonicNs)).toList();
    ClockModel perf = new ClockModel(settings);
    ClockModel monotonic = new ClockModel(settings);
    int next = 0;
    List<Long> signed = new ArrayList<>();
    List<Long> uncalibrated = new ArrayList<>();
    for (Pair p : pairs) {
      while (next < rounds.size() && rounds.get(next).monotonicNs() <= p.monotonicNs()) {
        Calibration c = rounds.get(next++);
        monotonic.add(bootId, c.monotonicNs(), 1.0, c.monotonicRealtimeNs(),
            c.monotonicBracketNs());
        monotonic.add(bootId, c.perfKtimeNs(), 1.0, c.perfRealtimeNs(), c.perfBracketNs());
        perf.add(bootId, c.perfClockNs(), 1.0, c.perfRealtimeNs(), c.perfBracketNs());
      }
      if (!perf.calibrated() || !monotonic.calibrated()) {
        continue; // before the first calibration: the pipeline holds such events
      }
      ClockModel perfModel = perfInMonotonic ? monotonic : perf;
      signed.add(perfModel.toUtc(p.perfNs()).utcNs() - monotonic.toUtc(p.monotonicNs()).utcNs());
      uncalibrated.add(Math.abs(p.perfNs() - p.monotonicNs()));
    }
    long matched = signed.size();
    double perfDrift = perf.calibrated() ? perf.currentFit().driftPpm(1.0) * 1000 : 0;
    double monoDrift = monotonic.calibrated() ? monotonic.currentFit().driftPpm(1.0) * 1000 : 0;
    return new Result(matched, perfOnly, monotonicMarkCount - matched,
        signed.stream().sorted().toList(), Spread.of(uncalibrated), perfDrift, monoDrift,
        calibrations.size());
  }
}
