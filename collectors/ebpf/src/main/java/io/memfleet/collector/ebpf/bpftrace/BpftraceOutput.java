package io.memfleet.collector.ebpf.bpftrace;

/**
 * One line of {@code bpftrace -f json} output, classified. memfleet scripts emit their events
 * with {@code printf}, so {@link Printf} carries the data; the other kinds are bookkeeping or
 * things the runner counts and reports.
 */
public sealed interface BpftraceOutput {

  /** {@code {"type": "printf", "data": "..."}}: text printed by the script. */
  record Printf(String text) implements BpftraceOutput {}

  /** {@code {"type": "attached_probes", "data": {"probes": N}}}: the script is live. */
  record AttachedProbes(int probes) implements BpftraceOutput {}

  /** {@code {"type": "lost_events", "data": {"events": N}}}: the perf buffer overflowed. */
  record LostEvents(long events) implements BpftraceOutput {}

  /** A blank line (bpftrace prints some on exit). */
  record Blank() implements BpftraceOutput {}

  /** Valid JSON of a type memfleet scripts do not produce (maps, histograms, …). */
  record Unknown(String type, String line) implements BpftraceOutput {}

  /** Not JSON, or JSON without the expected shape. */
  record Malformed(String line, String reason) implements BpftraceOutput {}
}
