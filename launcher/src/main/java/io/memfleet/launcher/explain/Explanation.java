package io.memfleet.launcher.explain;

import java.time.Duration;
import java.util.List;

/**
 * Everything explain read about one process, ready to render ({@link ExplainReport}).
 *
 * @param process which process
 * @param window how far back the trends reach from the latest sample
 * @param samples the process's one-minute rows in the window, oldest first (the last is "now")
 * @param alerts its open alerts, and the one asked about whatever its status, newest first
 * @param stacks its top allocation stacks in the window, largest first
 * @param notes lines worth saying before the breakdown (other processes with the same pid, ...)
 * @param clocks the newest calibration of each clock of the process's host, by domain
 */
public record Explanation(ProcessRef process, Duration window, List<BreakdownSample> samples,
    List<AlertRow> alerts, List<StackRow> stacks, List<String> notes, List<ClockRow> clocks) {

  public Explanation {
    samples = List.copyOf(samples);
    alerts = List.copyOf(alerts);
    stacks = List.copyOf(stacks);
    notes = List.copyOf(notes);
    clocks = List.copyOf(clocks);
  }

  /**
   * One process (pids are reused: the start time tells two apart).
   *
   * @param lastWindowEpochSecond start of its newest row in {@code process_memory_1m}
   */
  public record ProcessRef(String cluster, String node, long pid, long processStartMs,
      String service, String comm, String runtime, long lastWindowEpochSecond) {}

  /**
   * The newest version of one alert of the process.
   *
   * @param pool the pool it blames ({@code HEAP}, {@code METASPACE}, …), empty when none
   * @param verdict its one line for the on-call person; empty from older pipelines
   * @param topStack the culprit stack, frames joined by {@code " <- "}; empty when none
   * @param objectClass the culprit class; empty when none
   */
  public record AlertRow(String alertId, String rule, String severity, String status,
      String pool, String verdict, String summary, String topStack, String objectClass,
      double growthBytesPerSecond, double timeToOomSeconds, long lastSeenEpochSecond) {}

  /**
   * One allocation stack of the process over the window.
   *
   * @param outstandingBytes bytes still held at the latest minute (eBPF malloc/mmap, Go heap
   *     profile, JVM old objects); 0 for sampled-only kinds
   * @param sampledBytes allocation volume sampled over the window
   * @param frames innermost first
   */
  /**
   * The newest {@code clock_calibration} row of one clock of the host.
   *
   * @param domain {@code MONOTONIC}, {@code PERF_CLOCK}, {@code TSC}, or this JVM's
   *     {@code JFR_TICKS@pid/startMs}
   * @param driftPpb UTC per unit of the clock beyond nominal, ppb: positive = the clock runs slow
   *     against UTC; 0 while not fitted
   * @param errorBoundNs bound of a conversion at the newest sample
   * @param samples samples in the fit
   * @param ageSeconds how long before the query the row's sample was read
   */
  public record ClockRow(String domain, double driftPpb, long errorBoundNs, long samples,
      long ageSeconds) {}

  public record StackRow(long stackHash, String kind, String objectClass, long outstandingBytes,
      long sampledBytes, List<String> frames) {
    public StackRow {
      frames = List.copyOf(frames);
    }
  }
}
