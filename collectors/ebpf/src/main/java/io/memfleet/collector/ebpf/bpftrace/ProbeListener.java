package io.memfleet.collector.ebpf.bpftrace;

/**
 * Receives what a {@link BpftraceRunner} reads. Called from the runner's own threads: events
 * from its stdout thread in output order, problems from either of its threads.
 */
public interface ProbeListener {
  /** One parsed script event. */
  void onEvent(ProbeEvent event);

  /** Something worth a log line: an error line, bad output, a restart, the target exiting. */
  default void onProblem(String problem) {}
}
