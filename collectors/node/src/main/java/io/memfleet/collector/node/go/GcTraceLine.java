package io.memfleet.collector.node.go;

/**
 * One parsed {@code GODEBUG=gctrace=1} line.
 *
 * <pre>
 * gc 7 @1.062s 0%: 0.014+0.38+0.004 ms clock, 0.028+0/0.11/0.26+0.009 ms cpu,
 *     6-&gt;6-&gt;3 MB, 6 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)
 * </pre>
 *
 * <p>Times are converted to nanoseconds and sizes to bytes (the runtime prints MiB, truncated).
 *
 * @param gcNumber the runtime's GC number, from 1
 * @param sinceStartNs {@code @Ns}: nanoseconds from process start to the cycle's start
 * @param gcCpuPercent percentage of CPU time spent in GC since process start
 * @param sweepTerminationNs wall time of the first STW phase
 * @param concurrentMarkNs wall time of concurrent mark and scan
 * @param markTerminationNs wall time of the second STW phase
 * @param stacksBytes scannable stacks, -1 on runtimes that do not print it (before Go 1.18)
 * @param globalsBytes scannable globals, -1 on runtimes that do not print it
 * @param forced true for cycles started by {@code runtime.GC()}
 */
public record GcTraceLine(
    long gcNumber,
    long sinceStartNs,
    int gcCpuPercent,
    long sweepTerminationNs,
    long concurrentMarkNs,
    long markTerminationNs,
    long heapBeforeBytes,
    long heapAfterBytes,
    long liveBytes,
    long goalBytes,
    long stacksBytes,
    long globalsBytes,
    int procs,
    boolean forced) {

  /** Wall time of the whole cycle: the three clock phases summed. */
  public long durationNs() {
    return sweepTerminationNs + concurrentMarkNs + markTerminationNs;
  }

  /** Stop-the-world time: sweep termination plus mark termination. */
  public long stopTheWorldNs() {
    return sweepTerminationNs + markTerminationNs;
  }
}
